// The README is the front door and docs/ holds the rest: keep what they state in step
// with the code (commands, generated tables, links, the names their examples import).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect, test } from "vitest";
import { errorTable } from "../harness/error-table.ts";
import { BENCH_DOC, ERRORS_DOC, block } from "../harness/docs-blocks.ts";
import { ROOT } from "../harness/child.ts";

const read = (p: string) => readFileSync(join(ROOT, p), "utf8");
const text = read("README.md");
const pkg = JSON.parse(read("package.json"));
const docs = readdirSync(join(ROOT, "docs"))
  .filter((f) => f.endsWith(".md"))
  .map((f) => `docs/${f}`);
const pages = ["README.md", ...docs, "docs/api/butter.api.md"];

test("the README stays a front door: about 15 KB at most", () => {
  expect(Buffer.byteLength(text)).toBeLessThanOrEqual(15_500);
});

test("the error table is the one the code generates (bun harness/docs-blocks.ts)", () => {
  expect(block(readFileSync(ERRORS_DOC, "utf8"), "error-table")).toBe(errorTable());
});

test("benchmark figures are filled in", () => {
  expect(block(readFileSync(BENCH_DOC, "utf8"), "bench")).toMatch(/butter benchmarks: median of \d+ runs/);
});

test("the set-up, demo and test commands it gives exist, and CI runs the same", () => {
  const ci = read(".ci/run");
  for (const script of ["demo", "test", "test:vm", "test:errors", "bench", "typecheck", "api"]) {
    expect(text).toContain(`bun run ${script}`);
    expect(pkg.scripts[script], script).toBeTruthy();
  }
  expect(text).toContain("bun install --frozen-lockfile");
  expect(ci).toContain("bun install --frozen-lockfile");
  expect(ci).toMatch(/^bun run test\b/m);
  expect(ci).toMatch(/^bun run test:vm\b/m);
  expect(ci).toMatch(/^bun run api --check$/m);
  expect(ci).toContain("bun run demo");
  // one provisioning script for the README's set-up, CI, the QEMU guest and the Vagrantfile
  expect(text).toContain("bash vm/provision.sh --vm-host");
  expect(ci).toMatch(/^bash vm\/provision.sh --vm-host$/m);
  const provision = read("vm/provision.sh");
  expect(text).toContain(`Bun ${provision.match(/BUN_VERSION=(\S+)/)![1]}`);
  for (const p of ["libfiu-dev", "libfiu0", "fiu-utils", "inotify-tools"]) {
    expect(text).toContain(p);
    expect(provision).toContain(p);
  }
});

test("every family folder of src/ has its docs page, linked from the README", () => {
  const families = readdirSync(join(ROOT, "src"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== "core")
    .map((d) => d.name);
  expect(families.length).toBeGreaterThanOrEqual(6);
  for (const f of families) {
    expect(existsSync(join(ROOT, `docs/${f}.md`)), `docs/${f}.md`).toBe(true);
    expect(text, `README links docs/${f}.md`).toContain(`(docs/${f}.md)`);
  }
});

test("every relative link of the README and docs/ leads to a file that exists", () => {
  const broken: string[] = [];
  for (const page of pages) {
    for (const m of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!.split("#")[0]!;
      if (target === "" || /^[a-z]+:/.test(target)) continue;
      if (!existsSync(join(ROOT, dirname(page), target))) broken.push(`${page}: ${m[1]}`);
    }
  }
  expect(broken).toEqual([]);
});

test("every name the examples import from butter is exported", async () => {
  const butter = await import("../src/index.ts");
  const types = new Set(
    [...read("src/index.ts").matchAll(/export type \{([^}]*)\}/g)].flatMap((m) => m[1]!.split(",").map((n) => n.trim())),
  );
  const missing: string[] = [];
  let seen = 0;
  for (const page of pages) {
    for (const m of read(page).matchAll(/import\s*\{([^}]*)\}\s*from\s*"butter"/g)) {
      for (const name of m[1]!.split(",").map((n) => n.trim().replace(/^type\s+/, "")).filter(Boolean)) {
        seen++;
        if (!(name in butter) && !types.has(name)) missing.push(`${page}: ${name}`);
      }
    }
  }
  expect(seen).toBeGreaterThan(50);
  expect(missing).toEqual([]);
});

test("nothing is said to be tested or provided that is not here", () => {
  // families that have not landed are only ever named as coming
  for (const page of ["README.md", "package.json", "docs/vm.md", "vm/init"]) {
    const t = read(page);
    expect(t, page).not.toMatch(/mount\/pivot_root are tested|the suite tests pivot_root/);
  }
  // the package says what it provides: every family that has landed, by name
  for (const family of [/eventfd/, /timerfd/, /inotify/, /fanotify/, /signalfd/, /splice/, /AIO/, /mount/, /namespaces/, /seccomp/, /hostname/, /process ids/])
    expect(pkg.description).toMatch(family);
  expect(text).not.toMatch(/Linux only \(x86-64, aarch64\)/);
});
