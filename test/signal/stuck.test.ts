// processSigmask and a thread that cannot answer its SIGRTMAX in time: one stuck in
// vfork(2) (ETIMEDOUT, and its late answer changes nothing), one in a long signal handler
// with every signal blocked (waited for, then left as it is). The threads are made by a
// small C helper (stuck-thread.c) in a child process.
import { describe, expect, test } from "vitest";
import { runChild } from "../../harness/child.ts";

const HELPER = JSON.stringify(new URL("./stuck-thread.c", import.meta.url).pathname);
const LOAD = JSON.stringify(new URL("../../bunffi/load.ts", import.meta.url).pathname);
const START = `
  const { cc } = await import("bun:ffi");
  const { libcFlags } = await import(${LOAD}); // (how butter finds the C library: a guest has no libc6-dev)
  const { readFileSync } = await import("node:fs");
  const { symbols: s } = cc({ source: ${HELPER}, flags: libcFlags(), symbols: { stuck_start: { args: ["i32", "i32", "i32"], returns: "i32" } } });
  const blocks = (t, sig) => (BigInt("0x" + /SigBlk:\\s*(\\S+)/.exec(readFileSync("/proc/self/task/" + t + "/status", "utf8"))[1]) >> BigInt(sig - 1) & 1n) === 1n;
`;

describe("processSigmask and a thread that cannot answer", () => {
  test("a thread stuck in vfork for 3 s: ETIMEDOUT naming it after 2 s, every thread put back, and its late answer changes nothing", () => {
    const r = runChild(`${START}
      const tid = s.stuck_start(0, 3000, 0);
      let err;
      const t0 = Date.now();
      try { b.processSigmask(b.SIG_BLOCK, ["SIGUSR1"]); } catch (e) { err = e; }
      const took = Date.now() - t0;
      const here = b.pthreadSigmask(b.SIG_BLOCK, null).has(10);
      await Bun.sleep(1500); // the vfork ends, and the thread runs butter's handler late
      const late = blocks(tid, 10);
      b.processSigmask(b.SIG_BLOCK, ["SIGUSR1"]); // it answers now
      report({ tid, name: err?.constructor.name, code: err?.code, message: err?.message, took, here, late, after: blocks(tid, 10) });
    `, { timeoutMs: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const rep = r.reports[0] as Record<string, unknown>;
    expect(rep.name).toBe("OSError");
    expect(rep.code).toBe("ETIMEDOUT");
    expect(rep.message).toContain(`thread ${rep.tid} did not answer in 2000 ms`);
    expect(rep.took).toBeGreaterThanOrEqual(1900);
    expect(rep.here).toBe(false); // the calling thread, changed first, was put back
    expect(rep.late).toBe(false); // the request had timed out: the late handler changed nothing
    expect(rep.after).toBe(true);
  });

  test("a thread in a handler that blocks every signal for 3 s: waited for, then left as it is (it blocks everything already)", () => {
    const r = runChild(`${START}
      const tid = s.stuck_start(1, 3000, 12); // SIGUSR2's handler sleeps
      const during = blocks(tid, 10) && blocks(tid, 64);
      const t0 = Date.now();
      b.processSigmask(b.SIG_BLOCK, ["SIGUSR1"]);
      const took = Date.now() - t0;
      report({ during, took, here: b.pthreadSigmask(b.SIG_BLOCK, null).has(10) });
    `, { timeoutMs: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const rep = r.reports[0] as Record<string, unknown>;
    expect(rep.during).toBe(true);
    expect(rep.took).toBeGreaterThanOrEqual(450); // 500 looks, 1 ms apart, at the least
    expect(rep.here).toBe(true);
  });
});
