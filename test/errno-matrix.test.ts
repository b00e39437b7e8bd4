// The errno matrix (harness/errno-matrix.ts), forced row by row through the libfiu shim.
// Each row: plan the failure, make the public API call, assert what butter did (class,
// code, errno, syscall, or the recovery), that the failure really fired, that no fd
// leaked, and that the object still works. Results go to harness/build/ for the table
// `bun run test:errors` prints.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, test } from "vitest";
import * as b from "../src/index.ts";
import { classFor, documentedErrnos } from "../src/core/errors.ts";
import { calls } from "../harness/calls.ts";
import { ERRNO } from "../src/core/errno.ts";
import { matrix, scenarios, label, UNDOCUMENTED } from "../harness/errno-matrix.ts";
import { unavailable } from "../harness/fiu/control.ts";
import { runRow, isolateForRows } from "../harness/fiu/rows.ts";
import { generate, loadPages } from "../harness/errno-pages.ts";
import { account } from "../harness/errno-account.ts";

const results: { row: string; call: string; forced: boolean }[] = [];

const runnable = isolateForRows();

afterAll(() => {
  if (unavailable) return;
  mkdirSync(new URL("../harness/build/", import.meta.url), { recursive: true });
  writeFileSync(new URL("../harness/build/errno-results.json", import.meta.url), JSON.stringify(results, null, 1));
});

describe.skipIf(unavailable !== undefined)(`errno matrix (${unavailable ?? "libfiu shim preloaded"})`, () => {
  // (a row marked `cannot` is accounted for, not run: it says why it cannot be forced)
  for (const r of matrix.filter((x) => x.cannot === undefined)) {
    test(label(r), async (tc) => {
      if (!runnable(r)) {
        tc.skip("needs CAP_SYS_ADMIN to give the test thread its own UTS and mount namespaces");
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

describe("the matrix covers what the man pages list", () => {
  const pages = loadPages();
  // butter's own pseudo-calls: processSigmask's and processSetns's errnos are their own (docs/signal.md)
  const OWN = new Set(["processSigmask", "processSetns"]);

  test("every (call, errno) pair the man pages list is forced by a row or marked impossible, with the reason", () => {
    const acc = account(matrix, pages);
    expect(acc.flatMap((a) => a.missing.map((e) => `${a.call} ${e} (${a.page})`)), "missing").toEqual([]);
    expect(acc.flatMap((a) => a.both.map((e) => `${a.call} ${e}`)), "forced and marked impossible").toEqual([]);
    for (const a of acc) for (const e of a.impossible) expect(pages.calls[a.call]!.cannot[e]!.length, `${a.call} ${e}`).toBeGreaterThan(15);
  });

  test("every call butter registers has its man page in harness/errno-pages.json, and an undocumented-errno row", () => {
    const missing: string[] = [];
    for (const id of calls.keys()) {
      if (!OWN.has(id) && pages.calls[id] === undefined) missing.push(`${id}: no page`);
      if (!matrix.some((r) => r.call === id && r.errno === UNDOCUMENTED)) missing.push(`${id}: no ${UNDOCUMENTED} row`);
    }
    expect(missing).toEqual([]);
  });

  test("every listed errno a row forces is one the code documents for that call (so it becomes OSError's class, not UnknownError)", () => {
    const wrong: string[] = [];
    for (const r of matrix) {
      if (r.errno === undefined || r.cannot !== undefined || !pages.calls[r.call]?.listed.includes(r.errno)) continue;
      if (r.errno === "EFAULT") continue; // always InternalError: a bug in butter
      if (r.expect === "retried" || r.expect === "passes" || r.expect === "waits") continue; // handled, not thrown
      if (!calls.has(r.call) || !documentedErrnos(calls.get(r.call)!).has(ERRNO[r.errno]!)) wrong.push(`${r.call} ${r.errno}`);
    }
    expect(wrong).toEqual([]);
  });

  test.skipIf(!existsSync("/usr/share/man/man2/read.2.gz"))(
    "harness/errno-pages.json is what the installed man pages list (needs manpages-dev)",
    () => {
      expect(JSON.stringify(generate())).toBe(JSON.stringify(pages));
    },
  );

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
