// Signalfd and SignalfdAsync, for real: signals sent by other processes at a child Bun
// process (harness/child.ts), so that a signal that is not held ends the child, never
// the test runner.
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { runChild } from "../../harness/child.ts";

// Each thread's mask, as /proc shows it, and the process's caught set, for "as before".
const THREADS = `
  const { readFileSync, readdirSync } = await import("node:fs");
  const field = (s, f) => BigInt("0x" + new RegExp(f + ":\\\\s*(\\\\S+)").exec(s)[1]);
  const caughtSet = () => field(readFileSync("/proc/self/status", "utf8"), "SigCgt").toString(16);
  // busy (this thread runs JS): an idle loop thread shows its empty wait mask instead
  // tid -> whether it blocks bit (a thread that exited meanwhile is left out)
  const blockMap = (bit) => Object.fromEntries(readdirSync("/proc/self/task").flatMap((t) => {
    try { return [[t, (field(readFileSync("/proc/self/task/" + t + "/status", "utf8"), "SigBlk") & bit) !== 0n]]; }
    catch { return []; }
  }));
  const blocking = (bit) => Object.values(blockMap(bit)).filter(Boolean).length;
  // glibc starts and ends a thread with every signal blocked, so a thread caught being
  // born (JSC's JSCWarmUp, say) or dying shows a mask that is not its own: the "before"
  // picture keeps only threads that read the same twice, 50 ms apart; threads Bun starts
  // later (some block everything from birth) are not compared.
  const stableBlockMap = async (bit) => {
    const first = blockMap(bit);
    await Bun.sleep(50);
    const second = blockMap(bit);
    return Object.fromEntries(Object.entries(first).filter(([t, v]) => second[t] === v));
  };
  // and a survivor's reading may be a wait's mask for a moment: look again for up to 1 s
  // (what it returns: the threads that differ still, with name and state, for the report)
  const sameBlockers = async (before, bit) => {
    let differ = [];
    for (let i = 0; i < 100; i++) {
      const now = blockMap(bit);
      differ = Object.keys(before).filter((t) => t in now && now[t] !== before[t]);
      if (differ.length === 0) return [];
      await Bun.sleep(10);
    }
    const about = (t, f) => { try { return readFileSync("/proc/self/task/" + t + "/" + f, "utf8").trim(); } catch { return "?"; } };
    return differ.map((t) => ({ tid: t, before: before[t], comm: about(t, "comm"), wchan: about(t, "wchan"), status: about(t, "status").split(String.fromCharCode(10)).filter((l) => /^(State|SigBlk)/.test(l)).join(" ") }));
  };
`;

type Info = { signo: number; code: number; pid: number; uid: number; int: number; status: number };

describe("signals from other processes arrive, and the process survives", () => {
  test("SignalfdAsync: kill USR1, HUP, TERM and INT", () => {
    const r = runChild(`
      const sfd = new b.SignalfdAsync(["SIGUSR1", "SIGHUP", "SIGTERM", "SIGINT"]);
      const killer = Bun.spawn(["sh", "-c", "for s in USR1 HUP TERM INT; do kill -$s ${"$"}0; sleep 0.05; done", String(process.pid)]);
      const got = [];
      for (let i = 0; i < 4; i++) got.push(await sfd.get());
      await killer.exited;
      report({ got, killer: killer.pid, uid: process.getuid() });
      sfd.close();
      report("alive");
    `);
    expect(r.status, r.stderr).toBe(0);
    const rep = r.reports[0] as { got: Info[]; killer: number; uid: number };
    expect(rep.got.map((s) => s.signo).sort((x, y) => x - y)).toEqual([1, 2, 10, 15]);
    for (const s of rep.got) {
      expect(s.code).toBe(0); // SI_USER: kill(2)
      expect(s.pid).toBe(rep.killer); // sh's builtin kill
      expect(s.uid).toBe(rep.uid);
    }
    expect(r.reports[1]).toBe("alive");
  });

  test("Signalfd: a blocking readEvent() receives them while JS waits in it", () => {
    const r = runChild(`
      const sfd = new b.Signalfd(["SIGUSR1", "SIGHUP", "SIGTERM", "SIGINT"]);
      Bun.spawn(["sh", "-c", "sleep 0.2; for s in USR1 HUP TERM INT; do kill -$s ${"$"}0; sleep 0.05; done", String(process.pid)]);
      const got = [];
      while (got.length < 4) got.push(sfd.readEvent().signo); // the JS thread blocks here
      sfd.close();
      report(got);
    `);
    expect(r.status, r.stderr).toBe(0);
    expect((r.reports[0] as number[]).sort((x, y) => x - y)).toEqual([1, 2, 10, 15]);
  });

  test("500 real-time signals from sigqueue (kill --queue) arrive in order, with their values", () => {
    const r = runChild(`
      const sfd = new b.SignalfdAsync(["SIGRTMIN+2"]);
      // procps kill --queue sends with sigqueue(3); its RTMIN is glibc's, as is butter's
      const sender = Bun.spawn(["sh", "-c", "i=1; while [ $i -le 500 ]; do /usr/bin/kill --queue $i -s RTMIN+2 ${"$"}0 || exit 1; i=$((i+1)); done", String(process.pid)]);
      const values = [];
      const codes = new Set();
      for await (const si of sfd) {
        values.push(si.int);
        codes.add(si.code);
        if (values.length === 500) break;
      }
      report({ values, codes: [...codes], sender: await sender.exited, lost: sfd.lost });
      sfd.close();
    `, { timeoutMs: 120_000 }); // (a process per signal: slow in an emulated guest)
    expect(r.status, r.stderr).toBe(0);
    const rep = r.reports[0] as { values: number[]; codes: number[]; sender: number; lost: number };
    expect(rep.sender).toBe(0);
    expect(rep.values).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(rep.codes).toEqual([-1]); // SI_QUEUE
    expect(rep.lost).toBe(0);
  }, 130_000);

  test("SIGCHLD carries the child's pid and exit status", () => {
    const r = runChild(`
      const sfd = new b.SignalfdAsync(["SIGCHLD"]);
      const child = Bun.spawn(["sh", "-c", "exit 7"]);
      const si = await sfd.get();
      report({ si, child: child.pid, exited: await child.exited });
      sfd.close();
    `);
    expect(r.status, r.stderr).toBe(0);
    const rep = r.reports[0] as { si: Info; child: number; exited: number };
    expect(rep.si.signo).toBe(17);
    expect(rep.si.code).toBe(1); // CLD_EXITED
    expect(rep.si.pid).toBe(rep.child);
    expect(rep.si.status).toBe(7);
    expect(rep.exited).toBe(7); // Bun's own wait for the child is not disturbed
  });
});

describe("closing gives the signals back", () => {
  test("after close, SIGUSR1 does what it did before: its default action ends the process", () => {
    const r = runChild(`${THREADS}
      const bit = 1n << 9n;
      const before = caughtSet();
      const beforeBlocking = blocking(bit); // Bun's allocator thread blocks nearly all
      const beforeBlockers = await stableBlockMap(bit);
      const sfd = new b.SignalfdAsync(["SIGUSR1"]);
      const during = { caught: caughtSet(), blocking: blocking(bit), threads: readdirSync("/proc/self/task").length };
      process.kill(process.pid, "SIGUSR1");
      const si = await sfd.get();
      sfd.close();
      report({ si: si.signo, before, during, after: caughtSet(), beforeBlocking, sameBlockers: await sameBlockers(beforeBlockers, bit), held: [...b.heldSignals()] });
      process.kill(process.pid, "SIGUSR1");
      await Bun.sleep(2000);
      report("survived");
    `);
    expect(r.signal).toBe("SIGUSR1");
    expect(r.reports).toHaveLength(1);
    const rep = r.reports[0] as Record<string, unknown> & { during: Record<string, number> };
    expect(rep.si).toBe(10);
    expect(rep.during.caught).not.toBe(rep.before); // butter's handler took SIGUSR1 ...
    expect(rep.during.blocking).toBe(rep.during.threads); // ... blocked it in every thread
    // ... and gave both back; what stays is butter's SIGRTMAX handler, installed for the
    // life of the process so that a late mask request can never meet SIGRTMAX's default
    const rtmax = 1n << 63n;
    expect(BigInt(`0x${rep.after}`) & ~rtmax).toBe(BigInt(`0x${rep.before}`) & ~rtmax);
    expect(BigInt(`0x${rep.after}`) & rtmax).toBe(rtmax);
    expect(rep.beforeBlocking).toBeLessThan(rep.during.threads!);
    expect(rep.sameBlockers).toEqual([]); // every thread that was there has its own bit back
    expect(rep.held).toEqual([]);
  });

  test("a process.on('SIGUSR1') listener is silent while a Signalfd holds it, and fires again after", () => {
    const r = runChild(`
      let heard = 0;
      process.on("SIGUSR1", () => heard++);
      process.kill(process.pid, "SIGUSR1");
      await Bun.sleep(100);
      const first = heard;
      const sfd = new b.SignalfdAsync(["SIGUSR1"]);
      process.kill(process.pid, "SIGUSR1");
      const si = await sfd.get();
      await Bun.sleep(100);
      const whileHeld = heard - first;
      sfd.close();
      process.kill(process.pid, "SIGUSR1");
      await Bun.sleep(100);
      report({ first, si: si.signo, whileHeld, after: heard - first - whileHeld });
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ first: 1, si: 10, whileHeld: 0, after: 1 });
  });

  test("two holders of one signal: the newest receives it; when it closes, the older one does again", () => {
    const r = runChild(`
      const older = new b.SignalfdAsync(["SIGUSR2"]);
      const newer = new b.SignalfdAsync(["SIGUSR2", "SIGHUP"]);
      const held1 = Object.fromEntries(b.heldSignals());
      process.kill(process.pid, "SIGUSR2");
      const a = (await newer.get()).signo;
      newer.close();
      const held2 = Object.fromEntries(b.heldSignals());
      process.kill(process.pid, "SIGUSR2");
      const c = (await older.get()).signo;
      older.close();
      report({ held1, held2, a, c, olderNothingElse: older.closed, held3: [...b.heldSignals()] });
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ held1: { 1: 1, 12: 2 }, held2: { 12: 1 }, a: 12, c: 12, olderNothingElse: true, held3: [] });
  });
});

describe("options and bad input", () => {
  test("{ hold: false } is a plain signalfd: no handler, no mask change", () => {
    const r = runChild(`${THREADS}
      const { readlinkSync } = await import("node:fs");
      const before = caughtSet();
      const blockersBefore = await stableBlockMap(1n << 11n);
      const sfd = new b.Signalfd(["SIGUSR2"], { hold: false, flags: b.SFD_NONBLOCK });
      report({ target: readlinkSync("/proc/self/fd/" + sfd.fd), caught: caughtSet() === before, sameMasks: await sameBlockers(blockersBefore, 1n << 11n), held: b.heldSignals().size, empty: sfd.readEvents() });
      sfd.close();
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ target: "anon_inode:[signalfd]", caught: true, sameMasks: [], held: 0, empty: [] });
  });

  test("a signal caught while the object's pipe is full is counted in `lost`, not dropped silently", () => {
    // Filling the pipe takes 8,192 signals caught while idle and never read; Bun's loop
    // takes one per idle wait, so the test fills it directly with records of its own.
    const r = runChild(`
      const { writeSync, openSync, closeSync, constants } = await import("node:fs");
      const sfd = new b.SignalfdAsync(["SIGUSR2"]);
      // a write end of the object's own pipe (opening a pipe through /proc gives one)
      const pipeWrite = openSync("/proc/self/fd/" + sfd.fd, constants.O_WRONLY | constants.O_NONBLOCK);
      const rec = new Uint8Array(128);
      new DataView(rec.buffer).setInt32(0, 12, true); // a SIGUSR2 record, SI_USER
      let filled = 0;
      try { for (;;) { writeSync(pipeWrite, rec); filled++; } } catch (e) { if (e.code !== "EAGAIN") throw e; }
      closeSync(pipeWrite);
      process.kill(process.pid, "SIGUSR2");
      await Bun.sleep(100); // the loop idles: the handler runs, and finds the pipe full
      const lost = sfd.lost;
      let got = 0;
      while (!sfd.empty()) { sfd.getNowait(); got++; }
      report({ filled, lost, got });
      sfd.close();
    `);
    expect(r.status, r.stderr).toBe(0);
    const rep = r.reports[0] as { filled: number; lost: number; got: number };
    expect(rep.filled).toBeGreaterThanOrEqual(512); // 64 KiB at least; 1 MiB when allowed
    expect(rep.lost).toBe(1);
    expect(rep.got).toBe(rep.filled);
  });

  test("signals that cannot be held are refused before anything changes", () => {
    expect(() => new b.Signalfd(["SIGKILL"])).toThrow(/SIGKILL cannot be received/);
    expect(() => new b.Signalfd(["SIGSTOP"])).toThrow(RangeError);
    expect(() => new b.Signalfd(["SIGRTMAX"])).toThrow(/SIGRTMAX is reserved/);
    expect(() => new b.Signalfd(["SIGNOPE"])).toThrow(RangeError);
    expect(() => new b.Signalfd("SIGUSR1" as unknown as string[])).toThrow(TypeError);
    expect(() => new b.Signalfd(["SIGUSR1"], { flags: 1 })).toThrow(/unknown bits/);
    expect(() => b.sigqueue(0, "SIGUSR1")).toThrow(RangeError);
    expect(() => b.sigqueue(1, "SIGUSR1", 2 ** 31)).toThrow(RangeError);
    expect(b.heldSignals().size).toBe(0);
  });

  test("a closed Signalfd refuses reads with EBADF", () => {
    const r = runChild(`
      const sfd = new b.Signalfd(["SIGUSR2"], { flags: b.SFD_NONBLOCK });
      sfd.close();
      try { sfd.readEvent(); report("read"); } catch (e) { report({ name: e.constructor.name, code: e.code }); }
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ name: "OSError", code: "EBADF" });
  });
});

describe("the limit on holds", () => {
  test("more than 1,024 holds at once (a hold per signal per Signalfd): OSError EAGAIN, nothing half-held, and a close makes room", () => {
    const r = runChild(`
      // every signal a Signalfd may hold (the runtime's own, SIGKILL, SIGSTOP and SIGRTMAX are refused)
      const all = [];
      for (let s = 1; s <= 64; s++) {
        try { new b.Signalfd([s], { flags: b.SFD_NONBLOCK }).close(); all.push(s); } catch {}
      }
      const fds = [];
      let err;
      try { for (;;) fds.push(new b.Signalfd(all, { flags: b.SFD_NONBLOCK })); } catch (e) { err = e; }
      const held = [...b.heldSignals().values()];
      fds.pop().close();
      const again = new b.Signalfd(all, { flags: b.SFD_NONBLOCK }); // room for one more
      for (const f of [...fds, again]) f.close();
      report({ per: all.length, made: fds.length + 1, name: err?.constructor.name, code: err?.code, held, after: b.heldSignals().size });
    `);
    expect(r.status, r.stderr).toBe(0);
    const rep = r.reports[0] as { per: number; made: number; name: string; code: string; held: number[]; after: number };
    expect(rep.per).toBeGreaterThan(40);
    expect(rep.made).toBe(Math.floor(1024 / rep.per));
    expect([rep.name, rep.code]).toEqual(["OSError", "EAGAIN"]);
    expect(new Set(rep.held)).toEqual(new Set([rep.made])); // each signal held by every Signalfd made, none by the refused one
    expect(rep.after).toBe(0);
  });
});

describe("what a release gives back", () => {
  test("a signal the holding thread blocked before the hold stays blocked after it; one it did not is unblocked", () => {
    const r = runChild(`
      b.pthreadSigmask(b.SIG_BLOCK, ["SIGUSR1"]); // this thread only, before any hold
      const sfd = new b.Signalfd(["SIGUSR1", "SIGUSR2"]);
      const during = b.pthreadSigmask(b.SIG_BLOCK, null);
      sfd.close();
      const after = b.pthreadSigmask(b.SIG_BLOCK, null);
      report({ during: [during.has(10), during.has(12)], after: [after.has(10), after.has(12)] });
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ during: [true, true], after: [true, false] });
  });
});
