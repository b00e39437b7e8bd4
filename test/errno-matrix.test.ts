// The errno matrix (harness/errno-matrix.ts), forced row by row through the libfiu shim.
// Each row: plan the failure, make the public API call, assert what butter did (class,
// code, errno, syscall, or the recovery), that the failure really fired, that no fd
// leaked, and that the object still works. Results go to harness/build/ for the table
// `bun run test:errors` prints.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { dlopen } from "bun:ffi";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as b from "../src/index.ts";
import { calls, classFor } from "../src/errors.ts";
import { ERRNO } from "../src/errno.ts";
import { reactorFds } from "../src/reactor.ts";
import { matrix, scenarios, label, UNDOCUMENTED, type Row } from "../harness/errno-matrix.ts";
import { failCall, shortCall, fired, resetFaults, unavailable } from "../harness/fiu/control.ts";

// The fds open now (readdir's own directory fd, gone once it returns, is left out).
const openFds = () => new Set(readdirSync("/proc/self/fd").map(Number).filter((fd) => {
  try {
    readlinkSync(`/proc/self/fd/${fd}`);
    return true;
  } catch {
    return false;
  }
}));
const results: { row: string; call: string; forced: boolean }[] = [];

// This thread's own UTS namespace, so that the hostname setters never reach the host's.
const CLONE_NEWUTS = 0x04000000;
const mainUts = `/proc/${process.pid}/task/${process.pid}/ns/uts`;
const hostName = () => spawnSync("nsenter", [`--uts=${mainUts}`, "hostname"], { encoding: "utf8" }).stdout.trim();
let ownUts = false;
let hostBefore = "";

beforeAll(() => {
  if (unavailable) return;
  hostBefore = hostName();
  const libc = dlopen("libc.so.6", { unshare: { args: ["i32"], returns: "i32" } });
  ownUts = libc.symbols.unshare(CLONE_NEWUTS) === 0;
  libc.close();
});

afterAll(() => {
  resetFaults();
  if (unavailable) return;
  mkdirSync(new URL("../harness/build/", import.meta.url), { recursive: true });
  writeFileSync(new URL("../harness/build/errno-results.json", import.meta.url), JSON.stringify(results, null, 1));
  expect(hostName(), "the host's name after the matrix").toBe(hostBefore);
});

function plan(r: Row, fn: string): void {
  resetFaults();
  if (r.short !== undefined) shortCall(fn as "read" | "write", r.short, r.nth);
  else failCall(fn, r.errno!, r.nth);
}

async function runRow(r: Row): Promise<void> {
  const s = scenarios[r.scenario ?? r.call]!;
  const fn = r.fn ?? s.fn;
  const ctx = s.setup?.(b);
  const before = openFds();
  plan(r, fn);
  let result: unknown;
  let error: unknown;
  try {
    result = await s.call(b, ctx);
  } catch (e) {
    error = e;
  }
  const firedCount = fired(fn);
  resetFaults();
  try {
    expect(firedCount, "the planned failure fired once").toBe(1);
    if (r.expect === "retried" || r.expect === "waits") {
      expect(error).toBeUndefined();
    } else {
      expect(error, "the call failed").toBeInstanceOf(Error);
      const err = error as b.OSError;
      expect(err.constructor.name).toBe(r.expect);
      expect(err).toBeInstanceOf((b as unknown as Record<string, new () => Error>)[r.expect]!);
      const code = r.short !== undefined ? "EIO" : r.errno!;
      expect(err.code).toBe(code);
      expect(err.errno).toBe(ERRNO[code]);
      expect(err.syscall).toBe(calls.get(r.call)!.syscall);
      if (r.short !== undefined) expect(err.message).toMatch(new RegExp(`moved ${r.short} of the 8 bytes`));
    }
    void result;
    // No fd leaked (the reactor's own, started by a row, are the library's). Cleanup that
    // is deferred counts: an idle reactor stream is cancelled on the next turn of the loop,
    // and Bun closes its copy of the pipe a turn after that. Wait for it, boundedly.
    const reactor = new Set(reactorFds());
    const extra = () => [...openFds()].filter((fd) => !before.has(fd) && !reactor.has(fd));
    for (let i = 0; i < 50 && extra().length > 0; i++) await new Promise((r) => setTimeout(r, 2));
    const leaked = extra().map((fd) => `${fd} -> ${(() => { try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return "?"; } })()}`);
    expect(leaked, "fds leaked by the failed call").toEqual([]);
    await s.usable(b, ctx);
  } finally {
    s.teardown?.(b, ctx);
  }
}

describe.skipIf(unavailable !== undefined)(`errno matrix (${unavailable ?? "libfiu shim preloaded"})`, () => {
  for (const r of matrix) {
    const setter = r.call === "sethostname" || r.call === "setdomainname";
    test.skipIf(r.cannot !== undefined)(label(r), async (tc) => {
      if (setter && !ownUts) {
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
      if (r.errno === undefined || r.expect === "retried" || r.expect === "waits") continue;
      expect(classFor(ERRNO[r.errno]!, calls.get(r.call)!).name, label(r)).toBe(r.expect);
    }
  });

  test("every row has a scenario", () => {
    for (const r of matrix) expect(scenarios[r.scenario ?? r.call], label(r)).toBeDefined();
  });
});
