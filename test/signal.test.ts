// Signals, 1:1: names, sets, pthreadSigmask, sigpending, processSigmask. Anything that
// changes a mask runs in a child Bun process (harness/child.ts).
import { describe, expect, test } from "vitest";
import * as b from "../src/index.ts";
import { runChild } from "../harness/child.ts";

describe("names, numbers and sets", () => {
  test("standard names, RT names relative to glibc's SIGRTMIN, and back", () => {
    expect(b.signum("SIGUSR1")).toBe(10);
    expect(b.signum("TERM")).toBe(15);
    expect(b.sigrtmin()).toBe(34); // glibc keeps 32 and 33
    expect(b.sigrtmax()).toBe(64);
    expect(b.signum("SIGRTMIN+2")).toBe(36);
    expect(b.signum("SIGRTMAX-1")).toBe(63);
    expect(b.signame(6)).toBe("SIGABRT");
    expect(b.signame(29)).toBe("SIGIO");
    expect(b.signame(36)).toBe("SIGRTMIN+2");
    expect(b.signame(64)).toBe("SIGRTMAX");
    expect([...b.sigset(["SIGHUP", 2, "SIGRTMIN"])]).toEqual([1, 2, 34]);
    expect(b.maskOf(["SIGHUP", "SIGUSR1"])).toBe((1n << 0n) | (1n << 9n));
    expect([...b.setOf(b.maskOf([64, 1]))]).toEqual([1, 64]);
  });

  test("bad signals are refused with the documented builtin errors", () => {
    expect(() => b.signum("SIGNOPE")).toThrow(RangeError);
    expect(() => b.signum("SIGRTMIN+31")).toThrow(/outside SIGRTMIN..SIGRTMAX/);
    expect(() => b.signum(32)).toThrow(/reserved by the C library/);
    expect(() => b.signum(0)).toThrow(RangeError);
    expect(() => b.signum(65)).toThrow(RangeError);
    expect(() => b.signum(1.5)).toThrow(RangeError);
    expect(() => b.sigset("SIGUSR1" as unknown as string[])).toThrow(TypeError);
    expect(() => b.pthreadSigmask(3, [])).toThrow(RangeError);
    expect(() => b.signalfd(-1, ["SIGUSR1"], 1)).toThrow(/unknown bits/);
  });
});

describe("masks (in a child process)", () => {
  test("pthreadSigmask changes this thread only; sigpending sees a blocked signal", () => {
    const r = runChild(`
      const { readFileSync, readdirSync } = await import("node:fs");
      const blk = (t) => BigInt("0x" + /SigBlk:\\s*(\\S+)/.exec(readFileSync("/proc/self/task/" + t + "/status", "utf8"))[1]);
      const old = b.pthreadSigmask(b.SIG_BLOCK, ["SIGUSR2"]);
      const now = b.pthreadSigmask(b.SIG_BLOCK, null);
      const others = readdirSync("/proc/self/task").map(Number).filter((t) => t !== b.gettid());
      const othersBlocking = others.filter((t) => blk(t) & (1n << 11n)).length;
      // held everywhere, sent from another process while JS is busy: pending, then read
      b.processSigmask(b.SIG_BLOCK, ["SIGUSR2"]);
      // (not spawnSync: Bun waits for it in its loop, with the empty mask of the loop)
      Bun.spawn(["kill", "-USR2", String(process.pid)]);
      const until = Date.now() + 5000;
      while (!b.sigpending().has(12) && Date.now() < until); // JS stays busy: never idle
      const pending = [...b.sigpending()];
      const sfd = b.signalfd(-1, ["SIGUSR2"], b.SFD_NONBLOCK);
      const read = b.signalfdRead(sfd).map((s) => s.signo);
      report({ old: [...old], now: [...now], othersBlocking, others: others.length, pending, read, after: [...b.sigpending()] });
    `);
    expect(r.status, r.stderr).toBe(0);
    const rep = r.reports[0] as Record<string, number[] | number>;
    expect(rep.old).not.toContain(12);
    expect(rep.now).toContain(12);
    expect(rep.others).toBeGreaterThan(0); // Bun's helper threads
    expect(rep.othersBlocking).toBeLessThan(rep.others as number); // pthreadSigmask: this thread only
    expect(rep.pending).toContain(12);
    expect(rep.read).toEqual([12]);
    expect(rep.after).not.toContain(12);
  });

  test("processSigmask blocks in every thread (a Worker's too) and unblocks", () => {
    const r = runChild(`
      const { readFileSync, readdirSync } = await import("node:fs");
      const bit = 1n << BigInt(b.signum("SIGUSR1") - 1);
      const read = () => readdirSync("/proc/self/task").map((t) => {
        const s = readFileSync("/proc/self/task/" + t + "/status", "utf8");
        const mask = BigInt("0x" + /SigBlk:\\s*(\\S+)/.exec(s)[1]);
        return { name: /Name:\\s*(.*)/.exec(s)[1], blocks: (mask & bit) !== 0n, inHandler: mask === 0xfffffffffffbfeffn };
      });
      // The last thread reached may still be returning from butter's handler, which runs
      // with everything blocked: wait (busy, so this thread is not idle) until none is.
      const threads = () => {
        for (const until = Date.now() + 1000; ; ) {
          const ts = read();
          if (!ts.some((t) => t.inHandler) || Date.now() > until) return ts;
        }
      };
      // a busy Worker: an idle one waits with Bun's empty loop mask, which /proc shows
      const w = new Worker("data:text/javascript,for (;;) {}");
      await Bun.sleep(200);
      b.processSigmask(b.SIG_BLOCK, ["SIGUSR1"]);
      const during = threads();
      w.terminate();
      // an exiting thread blocks every signal (glibc), so wait until it is gone
      while (read().some((t) => t.name === "Worker")) await Bun.sleep(10);
      b.processSigmask(b.SIG_UNBLOCK, ["SIGUSR1"]);
      report({ during, after: threads() });
    `);
    expect(r.status, r.stderr).toBe(0);
    const rep = r.reports[0] as { during: { name: string; blocks: boolean }[]; after: { name: string; blocks: boolean }[] };
    expect(rep.during.length).toBeGreaterThan(3);
    expect(rep.during.filter((t) => !t.blocks)).toEqual([]);
    // after: only threads that block nearly everything by themselves still block it
    expect(rep.after.filter((t) => t.blocks && t.name !== "mi-scavenger")).toEqual([]);
  });

  test("processSigmask refuses SIGRTMAX, which it uses", () => {
    expect(() => b.processSigmask(b.SIG_BLOCK, ["SIGRTMAX"])).toThrow(/reserved/);
  });
});
