// Signals, 1:1: names, sets, pthreadSigmask, sigpending, processSigmask. Anything that
// changes a mask runs in a child Bun process (harness/child.ts).
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { runChild } from "../../harness/child.ts";
import { decodeRawSiginfos, decodeSiginfos, lib } from "../../src/signal/calls.ts";
import { close } from "../../src/core/io.ts";
import { fstatSync } from "node:fs";

// A pipe (read end, write end) made with butter's own pipe2 helper.
function pipeFds(): [number, number] {
  const p = new Int32Array(2);
  if (lib().bt_catch_pipe(p) < 0) throw new Error("pipe2 failed");
  return [p[0]!, p[1]!];
}

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

  test("processSigmask works in a process started with SIGRTMAX ignored (an ignored signal stays ignored across exec)", () => {
    // (a parent that ignores every signal, as some supervisors do: butter's handler
    // replaces the ignore, as it replaces the default; another handler would be EBUSY)
    const r = runChild(
      `
      const { readFileSync } = await import("node:fs");
      const ignored = () => BigInt("0x" + /SigIgn:\\s*(\\S+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]);
      const bit = 1n << 63n; // SIGRTMAX (64)
      const before = (ignored() & bit) !== 0n;
      b.processSigmask(b.SIG_BLOCK, ["SIGUSR1"]);
      const blocked = b.pthreadSigmask(b.SIG_BLOCK, null).has(10);
      b.processSigmask(b.SIG_UNBLOCK, ["SIGUSR1"]);
      report({ before, blocked, after: (ignored() & bit) !== 0n });
    `,
      { setup: "trap '' 64" }, // (SIGRTMAX by its number: busybox's sh knows no RTMAX)
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ before: true, blocked: true, after: false });
  });

  test("processSigmask blocks in every thread (a Worker's too) and unblocks", () => {
    const r = runChild(`
      const { readFileSync, readdirSync } = await import("node:fs");
      const bit = 1n << BigInt(b.signum("SIGUSR1") - 1);
      // (a thread that ends between the listing and the read is no longer one of them)
      const status = (t) => { try { return readFileSync("/proc/self/task/" + t + "/status", "utf8"); } catch { return undefined; } };
      const read = () => readdirSync("/proc/self/task").map(status).filter((s) => s !== undefined).map((s) => {
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

describe("decoding (siginfo_t from the handler, signalfd_siginfo from a read)", () => {
  // One siginfo_t: signo, errno, code, then the union's words at byte 16.
  const raw = (signo: number, code: number, words: [number, number | bigint, "i32" | "i64"][]) => {
    const buf = new Uint8Array(128);
    const d = new DataView(buf.buffer);
    d.setInt32(0, signo, true);
    d.setInt32(8, code, true);
    for (const [off, v, t] of words) t === "i64" ? d.setBigInt64(16 + off, BigInt(v), true) : d.setInt32(16 + off, Number(v), true);
    return buf;
  };
  const one = (buf: Uint8Array) => decodeRawSiginfos(buf, 128)[0]!;

  test("each layout of the union, chosen by signal and code as the kernel's signalfd does", () => {
    expect(one(raw(10, 0, [[0, 42, "i32"], [4, 1000, "i32"]]))).toMatchObject({ signo: 10, code: 0, pid: 42, uid: 1000 });
    expect(one(raw(36, -1, [[0, 7, "i32"], [4, 0, "i32"], [8, 99, "i32"]]))).toMatchObject({ code: -1, pid: 7, int: 99, ptr: 99n });
    expect(one(raw(17, 1, [[0, 5, "i32"], [4, 0, "i32"], [8, 7, "i32"], [16, 3n, "i64"], [24, 4n, "i64"]]))).toMatchObject({ pid: 5, status: 7, utime: 3n, stime: 4n });
    expect(one(raw(11, 1, [[0, 0xdead0n, "i64"], [8, 12, "i32"]]))).toMatchObject({ addr: 0xdead0n, addrLsb: 12 });
    expect(one(raw(29, 1, [[0, 65n, "i64"], [8, 9, "i32"]]))).toMatchObject({ band: 65, fd: 9 });
    expect(one(raw(31, 1, [[0, 0x4000n, "i64"], [8, 59, "i32"], [12, 0xc000003e, "i32"]]))).toMatchObject({ callAddr: 0x4000n, syscall: 59, arch: 0xc000003e });
    expect(one(raw(34, -2, [[0, 3, "i32"], [4, 2, "i32"], [8, 11, "i32"]]))).toMatchObject({ tid: 3, overrun: 2, int: 11 });
    expect(one(raw(29, -5, [[0, 1n, "i64"], [8, 4, "i32"]]))).toMatchObject({ band: 1, fd: 4 });
    expect(one(raw(10, 0x80, [[0, 0, "i32"]]))).toMatchObject({ code: 0x80, pid: 0 }); // SI_KERNEL
    expect(one(raw(10, 1, [[0, 8, "i32"]]))).toMatchObject({ code: 1, pid: 8 }); // another positive code
  });

  test("a partial record is an OSError EIO, never a short list", () => {
    expect(() => decodeRawSiginfos(new Uint8Array(200), 200)).toThrow(b.OSError);
    expect(() => decodeSiginfos(new Uint8Array(129), 129, 5)).toThrow(/fd 5 gave 1 of the 128 bytes of a signalfd_siginfo/);
    expect(decodeSiginfos(new Uint8Array(0), 0)).toEqual([]);
  });
});

// In the test runner itself, with SIGURG: its default action is to ignore it, so even a
// signal that escaped would do no harm. (The child-process tests cover the real kills.)
describe("holds and the 1:1 signalfd, in this process (SIGURG)", () => {
  const URG = 23;

  test("signalfd(2) and its read, 1:1: a signal pending for this thread is read", () => {
    const old = b.pthreadSigmask(b.SIG_BLOCK, ["SIGURG"]);
    const fd = b.signalfd(-1, ["SIGURG"], b.SFD_NONBLOCK | b.SFD_CLOEXEC);
    try {
      expect(b.signalfdRead(fd)).toEqual([]);
      b.tgkill(b.getpid(), b.gettid(), "SIGURG");
      expect(b.sigpending().has(URG)).toBe(true);
      const [si] = b.signalfdRead(fd);
      expect(si).toMatchObject({ signo: URG, code: -6, pid: b.getpid() }); // SI_TKILL
    } finally {
      close(fd);
      if (!old.has(URG)) b.pthreadSigmask(b.SIG_UNBLOCK, ["SIGURG"]);
    }
  });

  test("holds are counted: a second holder adds no broadcast, the first release keeps the hold", () => {
    const one = new b.Signalfd(["SIGURG"], { flags: b.SFD_NONBLOCK });
    const two = new b.Signalfd(["SIGURG"], { flags: b.SFD_NONBLOCK });
    expect(b.heldSignals().get(URG)).toBe(2);
    two.close();
    expect(b.heldSignals().get(URG)).toBe(1);
    b.tgkill(b.getpid(), b.gettid(), "SIGURG");
    expect(one.readEvent().signo).toBe(URG); // the remaining holder still receives it
    expect(one.lost).toBe(0);
    one.close();
    expect(b.heldSignals().size).toBe(0);
    expect(b.pthreadSigmask(b.SIG_BLOCK, null).has(URG)).toBe(false);
  });

  test("{ hold: false }: a plain signalfd, read as the object's events", () => {
    const old = b.pthreadSigmask(b.SIG_BLOCK, ["SIGURG"]);
    const sfd = new b.Signalfd(["SIGURG"], { hold: false, flags: b.SFD_NONBLOCK });
    try {
      expect(b.heldSignals().size).toBe(0);
      expect(sfd.readEvents()).toEqual([]);
      b.tgkill(b.getpid(), b.gettid(), "SIGURG");
      expect(sfd.readEvents().map((s) => s.signo)).toEqual([URG]);
    } finally {
      sfd.close();
      if (!old.has(URG)) b.pthreadSigmask(b.SIG_UNBLOCK, ["SIGURG"]);
    }
    expect(b.signame(b.sigrtmin())).toBe("SIGRTMIN");
  });

  test("a hold released twice is released once; the second release finds nothing to do", async () => {
    const { holdSignals, releaseSignals, CLOSE_ALL } = await import("../../src/signal/holds.ts");
    const [rd, wr] = pipeFds();
    holdSignals(new Set([URG]), rd, wr, -1);
    expect(b.heldSignals().get(URG)).toBe(1);
    releaseSignals(wr, CLOSE_ALL);
    expect(b.heldSignals().size).toBe(0);
    expect(() => fstatSync(wr)).toThrow(/EBADF/); // closed by the release
    expect(() => fstatSync(rd)).toThrow(/EBADF/);
    releaseSignals(wr, CLOSE_ALL); // nothing held with that key: nothing done
    expect(b.heldSignals().size).toBe(0);
  });

  test("processSigmask refuses (EBUSY, naming it) a thread that blocks SIGRTMAX and must block more, and changes nothing", async () => {
    const src = `import * as b from ${JSON.stringify(new URL("../../src/index.ts", import.meta.url).pathname)};
      b.pthreadSigmask(b.SIG_BLOCK, ["SIGRTMAX"]); postMessage(b.gettid()); for (;;) {}`;
    const w = new Worker(URL.createObjectURL(new Blob([src], { type: "text/javascript" })));
    const tid = await new Promise<number>((r) => (w.onmessage = (e) => r(e.data)));
    await Bun.sleep(50); // busy in its loop: /proc shows its own mask
    try {
      expect(() => b.processSigmask(b.SIG_BLOCK, ["SIGURG"])).toThrow(new RegExp(`EBUSY.*thread ${tid} `));
      expect(b.pthreadSigmask(b.SIG_BLOCK, null).has(URG)).toBe(false);
    } finally {
      w.terminate();
    }
  });
});

// Signals the runtime needs for itself: refused, with the reason, before anything changes.
describe("signals the runtime needs are refused by every API that blocks, holds or catches", () => {
  const blocked = () => b.pthreadSigmask(b.SIG_BLOCK, null);

  test.each([
    ["SIGPWR", /JavaScriptCore\) suspends threads/],
    ["SIGSEGV", /fault signal/],
    ["SIGBUS", /fault signal/],
    ["SIGILL", /fault signal/],
    ["SIGFPE", /fault signal/],
    ["SIGSYS", /synchronous/],
    ["SIGABRT", /crash handler/],
    ["SIGTRAP", /crash handler/],
  ])("%s", (sig, why) => {
    const before = blocked();
    const held = b.heldSignals().size;
    expect(() => b.processSigmask(b.SIG_BLOCK, [sig])).toThrow(RangeError);
    expect(() => b.processSigmask(b.SIG_SETMASK, [sig, "SIGURG"])).toThrow(why);
    expect(() => b.pthreadSigmask(b.SIG_BLOCK, [sig])).toThrow(new RegExp(`pthreadSigmask refuses ${sig}`));
    expect(() => new b.Signalfd([sig])).toThrow(new RegExp(`Signalfd refuses ${sig}`));
    expect(() => new b.SignalfdAsync(["SIGURG", sig])).toThrow(RangeError);
    expect(() => new b.Signalfd([sig], { hold: false })).toThrow(RangeError);
    // nothing was done: no mask changed, nothing held
    expect(blocked()).toEqual(before);
    expect(b.heldSignals().size).toBe(held);
    // unblocking one is always allowed (it is the safe direction)
    b.pthreadSigmask(b.SIG_UNBLOCK, [sig]);
  });

  test("glibc's own 32 and 33 are refused too", () => {
    expect(() => b.processSigmask(b.SIG_BLOCK, [32])).toThrow(/reserved by the C library/);
    expect(() => new b.Signalfd([33])).toThrow(RangeError);
  });
});

test("SignalfdAsync refuses { hold: false } and says why, before any fd is made", async () => {
  const { openFds } = await import("../../harness/fds.ts");
  const before = openFds();
  expect(() => new b.SignalfdAsync(["SIGURG"], { hold: false })).toThrow(TypeError);
  expect(() => new b.SignalfdAsync(["SIGURG"], { hold: false })).toThrow(/empty signal mask/);
  // no fd made (fds other threads close meanwhile do not count)
  expect([...openFds()].filter(([fd, t]) => before.get(fd) !== t)).toEqual([]);
  // a signal that would arrive while get() waited: with the refusal there is no such object
  const r = runChild(`
    try { new b.SignalfdAsync(["SIGUSR1"], { hold: false }); report("made"); } catch (e) { report(e.constructor.name); }
    process.kill(process.pid, "SIGUSR1"); // nothing holds it: the default action ends the child, as without butter
  `);
  expect(r.reports).toEqual(["TypeError"]);
});
