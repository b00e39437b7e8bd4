// The README is the front door: keep what it states in step with the code.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { errorTable } from "../harness/error-table.ts";
import { README, block } from "../harness/readme.ts";

const text = readFileSync(README, "utf8");
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

test("the error table is the one the code generates (bun harness/readme.ts)", () => {
  expect(block(text, "error-table")).toBe(errorTable());
});

test("the set-up, demo and test commands it gives exist, and CI runs the same", () => {
  const ci = readFileSync(new URL("../.ci/run", import.meta.url), "utf8");
  for (const script of ["demo", "test", "test:vm", "test:errors", "bench", "typecheck"]) {
    expect(text).toContain(`bun run ${script}`);
    expect(pkg.scripts[script], script).toBeTruthy();
  }
  expect(text).toContain("bun install --frozen-lockfile");
  expect(ci).toContain("bun install --frozen-lockfile");
  expect(ci).toMatch(/^bun run test\b/m);
  expect(ci).toMatch(/^bun run test:vm\b/m);
  expect(ci).toContain("bun run demo");
  // one provisioning script for the README's set-up, CI, the QEMU guest and the Vagrantfile
  expect(text).toContain("bash vm/provision.sh --vm-host");
  expect(ci).toMatch(/^bash vm\/provision.sh --vm-host$/m);
  const provision = readFileSync(new URL("../vm/provision.sh", import.meta.url), "utf8");
  expect(text).toContain(`Bun ${provision.match(/BUN_VERSION=(\S+)/)![1]}`);
  for (const pkg of ["libfiu-dev", "libfiu0", "fiu-utils", "inotify-tools"]) {
    expect(text).toContain(pkg);
    expect(provision).toContain(pkg);
  }
});

test("benchmark figures are filled in", () => {
  expect(block(text, "bench")).toMatch(/butter benchmarks: median of \d+ runs/);
});
