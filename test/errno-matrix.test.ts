// The errno matrix (harness/errno-matrix.ts), forced row by row through the libfiu shim.
// Each row: plan the failure, make the public API call, assert what butter did (class,
// code, errno, syscall, or the recovery), that the failure really fired, that no fd
// leaked, and that the object still works. Results go to harness/build/ for the table
// `bun run test:errors` prints.
import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, test } from "vitest";
import * as b from "../src/index.ts";
import { calls, classFor } from "../src/core/errors.ts";
import { ERRNO } from "../src/core/errno.ts";
import { matrix, scenarios, label, UNDOCUMENTED } from "../harness/errno-matrix.ts";
import { unavailable } from "../harness/fiu/control.ts";
import { runRow, isolateForRows } from "../harness/fiu/rows.ts";

const results: { row: string; call: string; forced: boolean }[] = [];

const runnable = isolateForRows();

afterAll(() => {
  if (unavailable) return;
  mkdirSync(new URL("../harness/build/", import.meta.url), { recursive: true });
  writeFileSync(new URL("../harness/build/errno-results.json", import.meta.url), JSON.stringify(results, null, 1));
});

describe.skipIf(unavailable !== undefined)(`errno matrix (${unavailable ?? "libfiu shim preloaded"})`, () => {
  for (const r of matrix) {
    test.skipIf(r.cannot !== undefined)(label(r), async (tc) => {
      if (!runnable(r)) {
        tc.skip("needs CAP_SYS_ADMIN to give the test thread its own UTS namespace");
        return;
      }
      let forced = false;
      try {
        await runRow(r);
        forced = true;
      } finally {
        results.push({ row: label(r), call: r.call, forced });
      }
    });
  }
});

describe("the matrix covers what the code documents", () => {
  test("every documented (call, errno) pair of every registered call has a row", () => {
    const have = new Set(matrix.filter((r) => r.errno).map((r) => `${r.call} ${r.errno}`));
    const missing: string[] = [];
    for (const [id, spec] of calls) {
      if (id.includes("-test")) continue; // calls the tests themselves define
      for (const n of spec.documented) {
        const code = b.ERRNO_NAMES[n]!;
        if (!have.has(`${id} ${code}`)) missing.push(`${id} ${code}`);
      }
      if (!have.has(`${id} ${UNDOCUMENTED}`)) missing.push(`${id} ${UNDOCUMENTED} (the undocumented row)`);
    }
    expect(missing).toEqual([]);
  });

  test("every row that expects an error expects the class the code maps it to", () => {
    for (const r of matrix) {
      if (r.errno === undefined || r.expect === "retried" || r.expect === "passes" || r.expect === "waits") continue;
      expect(classFor(ERRNO[r.errno]!, calls.get(r.call)!).name, label(r)).toBe(r.expect);
    }
  });

  test("every row has a scenario, or says why it cannot be forced", () => {
    for (const r of matrix) {
      if (r.cannot !== undefined) expect(r.cannot.length, label(r)).toBeGreaterThan(20);
      else expect(scenarios[r.scenario ?? r.call], label(r)).toBeDefined();
    }
  });
});
