/**
 * Runs one row of the errno matrix (harness/errno-matrix.ts) and asserts its outcome,
 * for test/errno-matrix.test.ts (every row once, fd-checked) and test/errno-soak.test.ts
 * (thousands of rows in one busy process).
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, expect } from "vitest";
import * as b from "../../src/index.ts";
import { calls } from "../calls.ts";
import { ERRNO } from "../../src/core/errno.ts";
import { libraryFds } from "../fds.ts";
import { label, scenarios, type Row } from "../errno-matrix.ts";
import type { Scenario } from "../errno-rows.ts";
import { kernelVersion } from "../../src/core/features.ts";
import { openFds } from "../fds.ts";
import { mainThreadHostname, mainThreadMounts, ownNamespaces } from "../own-namespaces.ts";
import { armed, failCall, shortCall, fired, resetFaults, unavailable } from "./control.ts";

function plan(r: Row, fn: string): void {
  resetFaults();
  if (r.short !== undefined) shortCall(fn as "read" | "write", r.short, r.nth);
  else failCall(fn, r.errno!, r.nth);
}

/** A row of a call this kernel does not have: the call says so, ENOSYS naming the version. */
function lacking(r: Row, needs: NonNullable<Scenario["needs"]>): void {
  let error: unknown;
  try {
    needs.lacking(b);
  } catch (e) {
    error = e;
  }
  expect(error, `${r.call} on Linux ${kernelVersion().join(".")}`).toBeInstanceOf(b.OSError);
  expect((error as b.OSError).code).toBe("ENOSYS");
  expect((error as b.OSError).message).toContain(`needs Linux ${needs.version}`);
}

/** Forces the row's failure, asserts the outcome, then that the object still works. */
export async function runRow(r: Row, opts: { checkFds: boolean } = { checkFds: true }): Promise<void> {
  if (r.once === "process") return runInFreshProcess(r);
  const s = scenarios[r.scenario ?? r.call]!;
  if (s.needs !== undefined && !s.needs.has(b)) return lacking(r, s.needs);
  const fn = r.fn ?? s.fn;
  const ctx = s.setup?.(b);
  const before = opts.checkFds ? openFds() : new Map<number, string>();
  plan(r, fn);
  let result: unknown;
  let error: unknown;
  try {
    result = await armed(() => s.call(b, ctx));
  } catch (e) {
    error = e;
  }
  const firedCount = fired(fn);
  resetFaults();
  try {
    expect(firedCount, `${r.call}: the planned failure fired once`).toBe(1);
    if (r.expect === "retried" || r.expect === "passes" || r.expect === "waits") {
      expect(error).toBeUndefined();
      expect(s.returns, `${r.call}: a row that expects ${r.expect} checks what the call returned`).toBeDefined();
      await s.returns!(b, ctx, result);
    } else {
      expect(error, `${r.call} ${r.errno ?? "short"}: the call failed`).toBeInstanceOf(Error);
      const err = error as b.OSError;
      expect(err.constructor.name).toBe(r.expect);
      expect(err).toBeInstanceOf((b as unknown as Record<string, new () => Error>)[r.expect]!);
      const code = r.short !== undefined ? "EIO" : r.errno!;
      expect(err.code).toBe(code);
      expect(err.errno).toBe(ERRNO[code]);
      expect(err.syscall).toBe(calls.get(r.call)!.syscall);
      if (r.short !== undefined || r.message) expect(err.message).toMatch(r.message ?? new RegExp(`fd \\d+ gave ${r.short} of the 8 bytes`));
    }
    void result;
    // No fd leaked (the reactor's own, started by a row, are the library's). Cleanup that
    // is deferred counts: an idle reactor stream is cancelled on the next turn of the loop,
    // and Bun closes its copy of the pipe a turn after that. Wait for it, boundedly.
    if (opts.checkFds) {
      const reactor = libraryFds();
      // Other test files run on other threads of this process and open fds of their own
      // for a moment: a leak is an fd that is still there, to the same file, a little later.
      const extra = () => new Map([...openFds()].filter(([fd]) => !before.has(fd) && !reactor.has(fd)));
      const stayed = async () => {
        const first = extra();
        await new Promise((r) => setTimeout(r, 2));
        const again = extra();
        return [...first].filter(([fd, t]) => again.get(fd) === t).map(([fd, t]) => `${fd} -> ${t}`);
      };
      let leaked = await stayed();
      for (let i = 0; i < 50 && leaked.length > 0; i++) leaked = await stayed();
      expect(leaked, "fds leaked by the failed call").toEqual([]);
    }
    await s.usable(b, ctx);
  } finally {
    s.teardown?.(b, ctx);
  }
}


/**
 * A row whose failure is in something made once per process runs in a new Bun process
 * (harness/fiu/row-child.ts), which inherits the preloaded shim: there, nothing has made
 * it yet.
 */
function runInFreshProcess(r: Row): void {
  const child = spawnSync(process.execPath, [new URL("./row-child.ts", import.meta.url).pathname, label(r)], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, ...r.env },
  });
  expect(child.status, `${label(r)} in a fresh process:\n${child.stdout}${child.stderr}`).toBe(0);
  expect(child.stdout).toContain("row passed");
}

/**
 * For a test file that forces rows: before its tests, gives the test thread namespaces of
 * its own (ownNamespaces); after them, cancels every plan and checks that the host's name
 * and mount table are unchanged. Returns a function telling whether `r` can run here (an
 * `isolated` scenario's rows only in namespaces of their own).
 */
export function isolateForRows(): (r: Row) => boolean {
  let own = false;
  let hostBefore = "";
  let mountsBefore: string[] = [];
  beforeAll(() => {
    if (unavailable) return;
    hostBefore = mainThreadHostname();
    mountsBefore = mainThreadMounts();
    own = ownNamespaces();
  });
  afterAll(() => {
    resetFaults();
    if (unavailable) return;
    expect(mainThreadHostname(), "the host's name after the rows").toBe(hostBefore);
    expect(mainThreadMounts(), "the host's mount table after the rows").toEqual(mountsBefore);
  });
  return (r) => own || !scenarios[r.scenario ?? r.call]?.isolated;
}
