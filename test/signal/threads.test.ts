// Holds across JS threads, Bun's own listeners, the garbage collector and Workers that
// end: each case runs in a child Bun process (harness/child.ts), with real Workers and
// real signals sent by other processes, so that a signal that escapes ends the child and
// never the test runner.
import { describe, expect, test } from "vitest";
import { runChild } from "../../harness/child.ts";
import { PRELUDE } from "./child-prelude.ts";

// In a child script: processSigmask blocks and unblocks SIGURG here, and a held Signalfd
// receives SIGUSR1; machineryWorks() says { blocked, si }.
const MACHINERY_WORKS = `
  const machineryWorks = () => {
    b.processSigmask(b.SIG_BLOCK, ["SIGURG"]);
    const blocked = b.pthreadSigmask(b.SIG_BLOCK, null).has(23);
    b.processSigmask(b.SIG_UNBLOCK, ["SIGURG"]);
    const sfd = new b.Signalfd(["SIGUSR1"], { flags: b.SFD_NONBLOCK });
    b.tgkill(b.getpid(), b.gettid(), "SIGUSR1");
    const si = sfd.readEvent().signo;
    sfd.close();
    return { blocked, si };
  };
`;

// The child ends by SIGUSR1's default action once nothing holds it any more: proof that
// butter gave the disposition back (and did not leave it caught or blocked).
const DIES = `
  report("before the last signal");
  kill("USR1");
  await Bun.sleep(3000);
  report("survived");
`;

describe("holds on one signal from several JS threads", () => {
  for (const order of ["main first", "Worker first"]) {
    test(`main thread and a Worker both hold SIGUSR1 (${order}); the main thread closes first; the Worker still receives it`, () => {
      const r = runChild(`${PRELUDE}
        const w = worker(\`
          const sfd = new b.SignalfdAsync(["SIGUSR1"]);
          post("held");
          const si = await sfd.get();
          post(si.signo);
          await new Promise((r) => (onmessage = r));
          sfd.close();
          post("closed");
        \`);
        let main;
        if (${order === "main first"}) main = new b.SignalfdAsync(["SIGUSR1"]);
        const held = w.next();
        if (await held !== "held") throw new Error("worker did not hold");
        if (!main) main = new b.SignalfdAsync(["SIGUSR1"]);
        const counts = b.heldSignals().get(10);
        main.close();
        const got = w.next();
        kill("USR1");
        report({ counts, worker: await got, after: b.heldSignals().get(10) });
        const closed = w.next();
        w.postMessage("close");
        await closed;
        report({ held: [...b.heldSignals()] });
        w.terminate();
        ${DIES}
      `);
      expect(r.reports[0], r.stderr).toEqual({ counts: 2, worker: 10, after: 1 });
      expect(r.reports[1]).toEqual({ held: [] });
      expect(r.reports[2]).toBe("before the last signal");
      expect(r.signal).toBe("SIGUSR1");
    });
  }

  test("processSigmask and Signalfd on two threads at once: serialised, never EBUSY or ETIMEDOUT, no mask left changed", () => {
    // the same loop on both threads, at once (the main thread's runs synchronously)
    const LOOP = `
      const errors = [];
      for (let i = 0; i < 150; i++) {
        try {
          b.processSigmask(b.SIG_BLOCK, ["SIGURG"]);
          b.processSigmask(b.SIG_UNBLOCK, ["SIGURG"]);
          new b.Signalfd(["SIGUSR2"]).close();
        } catch (e) { errors.push(String(e)); }
      }`;
    const r = runChild(`${PRELUDE}
      const before = status("SigBlk");
      const w = worker(\`post("ready"); await new Promise((r) => (onmessage = r)); ${LOOP}; post(errors);\`);
      await w.next();
      const theirs = w.next();
      w.postMessage("go");
      const mine = (() => { ${LOOP}; return errors; })();
      const theirErrors = await theirs;
      w.terminate();
      await w.ended;
      report({ mine: mine.slice(0, 3), theirs: theirErrors.slice(0, 3), held: [...b.heldSignals()], mask: status("SigBlk") === before });
    `, { timeoutMs: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ mine: [], theirs: [], held: [], mask: true });
  }, 130_000);
});

describe("threads that come and go", () => {
  test("Workers terminated while they run processSigmask leave nothing behind: later calls in the process work", () => {
    const r = runChild(`${PRELUDE}
      for (let i = 0; i < 10; i++) {
        const w = worker('post("go"); for (;;) { b.processSigmask(b.SIG_BLOCK, ["SIGURG"]); b.processSigmask(b.SIG_UNBLOCK, ["SIGURG"]); }');
        await w.next();
        await Bun.sleep(5 + i * 3);
        w.terminate();
        await w.ended;
      }
      b.processSigmask(b.SIG_UNBLOCK, ["SIGURG"]); // a Worker may have ended between its two calls
      b.processSigmask(b.SIG_BLOCK, ["SIGURG"]);
      const blocked = b.pthreadSigmask(b.SIG_BLOCK, null).has(23);
      b.processSigmask(b.SIG_UNBLOCK, ["SIGURG"]);
      const sfd = new b.SignalfdAsync(["SIGUSR1"]);
      kill("USR1");
      report({ blocked, si: (await sfd.get()).signo });
      sfd.close();
    `, { timeoutMs: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ blocked: true, si: 10 });
  });

  test("hold and release cycles while threads are born and end leave no thread blocking the signal", () => {
    const r = runChild(`${PRELUDE}
      const bit = 1n << 9n;
      const blockers = () => readdirSync("/proc/self/task").filter((t) => {
        try { return (BigInt("0x" + /SigBlk:\\s*(\\S+)/.exec(readFileSync("/proc/self/task/" + t + "/status", "utf8"))[1]) & bit) !== 0n; }
        catch { return false; }
      });
      // threads that block it before (Bun's allocator thread blocks nearly everything)
      const before = new Set(blockers());
      let churning = true;
      const churn = (async () => {
        while (churning) {
          const w = worker('post(1)');
          await w.next();
          w.terminate();
          await w.ended;
        }
      })();
      for (let i = 0; i < 300; i++) {
        const sfd = new b.Signalfd(["SIGUSR1"]);
        if (i % 10 === 0) await Bun.sleep(1); // let the churn run
        sfd.close();
      }
      churning = false;
      await churn;
      // a thread seen being born or ending blocks everything for a moment: look again
      let extra = [];
      for (let i = 0; i < 100; i++) {
        extra = blockers().filter((t) => !before.has(t));
        if (extra.length === 0) break;
        await Bun.sleep(10);
      }
      report({ extra: extra.map((t) => { try { return readFileSync("/proc/self/task/" + t + "/comm", "utf8").trim(); } catch { return t; } }) });
      ${DIES}
    `, { timeoutMs: 60_000 });
    expect(r.reports[0], r.stderr).toEqual({ extra: [] });
    expect(r.signal).toBe("SIGUSR1");
  }, 70_000);
});

describe("Bun's own process.on listeners beside a hold", () => {
  // The listener is added during the hold, or before it: either way the hold takes the
  // signal while it lasts, and the listener has it back after the close.
  test.each([
    ["a listener added during a hold survives the close, and receives the next signal", true],
    ["a listener added before the hold gets the signal back after it", false],
  ])("%s", (_name, during) => {
    const hold = `const sfd = new b.SignalfdAsync(["SIGUSR1"]);`;
    const listen = `process.on("SIGUSR1", () => heard++);`;
    const r = runChild(`${PRELUDE}
      let heard = 0;
      ${during ? `${hold}\n${listen}` : `${listen}\n${hold}`}
      kill("USR1");
      const si = await sfd.get();
      sfd.close();
      kill("USR1");
      await settle(() => heard === 1, "the listener heard it");
      report({ si: si.signo, heard });
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ si: 10, heard: 1 });
  });

  test("a listener added and removed during a hold leaves the hold working, and the default after the close", () => {
    const r = runChild(`${PRELUDE}
      const before = caught();
      const sfd = new b.SignalfdAsync(["SIGUSR1"]);
      const f = () => {};
      process.on("SIGUSR1", f);
      process.off("SIGUSR1", f);
      kill("USR1");
      const si = await sfd.get();
      sfd.close();
      report({ si: si.signo, restored: caught() === before });
      ${DIES}
    `);
    expect(r.reports[0], r.stderr).toEqual({ si: 10, restored: true });
    expect(r.reports[1]).toBe("before the last signal");
    expect(r.signal).toBe("SIGUSR1");
  });

  test("listeners added and removed while the held signal floods in from another process: the process lives, then the default returns", () => {
    // Bun sets the default action for a moment when its last listener goes: the count of
    // a held signal's listeners must never reach zero (src/signal/listeners.ts)
    const r = runChild(`${PRELUDE}
      const w = worker("setInterval(() => {}, 1000); post(1);"); // a thread idle in its loop
      await w.next();
      const sfd = new b.SignalfdAsync(["SIGUSR1"]);
      let got = 0;
      const reading = (async () => { for await (const _ of sfd) got++; })();
      const flood = Bun.spawn(["sh", "-c", "while kill -USR1 " + process.pid + " 2>/dev/null; do :; done"]);
      const f = () => {};
      const t0 = Date.now();
      let rounds = 0;
      while (Date.now() - t0 < 1500) {
        process.on("SIGUSR1", f);
        process.off("SIGUSR1", f);
        process.once("SIGUSR1", f);
        process.removeAllListeners("SIGUSR1");
        if (++rounds % 50 === 0) await Bun.sleep(1);
      }
      flood.kill("SIGKILL");
      await flood.exited;
      await Bun.sleep(50);
      sfd.close();
      await reading;
      report({ rounds: rounds > 100, got: got > 0, listeners: process.listenerCount("SIGUSR1") });
      w.terminate();
      ${DIES}
    `, { timeoutMs: 30_000 });
    expect(r.reports[0], r.stderr).toEqual({ rounds: true, got: true, listeners: 0 });
    expect(r.reports[1]).toBe("before the last signal");
    expect(r.signal).toBe("SIGUSR1");
  });

});

describe("what a hold owns is given back without close()", () => {
  test("a held Signalfd dropped to the garbage collector: its three fds closed, the signal given back", () => {
    const r = runChild(`${PRELUDE}
      const fdsBefore = fds();
      const caughtBefore = caught();
      (() => { new b.Signalfd(["SIGUSR1"]); })();
      const during = { held: b.heldSignals().get(10), fds: fds() - fdsBefore };
      await settle(() => b.heldSignals().size === 0 && fds() === fdsBefore, "collected");
      report({ during, restored: caught() === caughtBefore });
      ${DIES}
    `);
    expect(r.reports[0], r.stderr).toEqual({ during: { held: 1, fds: 3 }, restored: true });
    expect(r.signal).toBe("SIGUSR1");
  });

  for (const end of ["terminate()", "process.exit() in it", "its normal end"]) {
    test(`a Worker holding SIGUSR1 ends by ${end}: its hold, fds and reactor are given back`, () => {
      const r = runChild(`${PRELUDE}
        const fdsBefore = fds();
        const threadsBefore = threads();
        const caughtBefore = caught();
        const w = worker(\`
          const sfd = new b.SignalfdAsync(["SIGUSR1"]);
          globalThis.kept = sfd; // not collectable: only the Worker's end gives it back
          const e = new b.EventfdAsync();
          setTimeout(() => e.write(1), 5);
          await e.get(); // the reactor runs
          post("held");
          ${end === "process.exit() in it" ? "await Bun.sleep(20); process.exit(0);" : end === "its normal end" ? "" : "await new Promise(() => {});"}
        \`);
        await w.next();
        const during = { held: b.heldSignals().get(10), fds: fds() - fdsBefore };
        ${end === "terminate()" ? "w.terminate();" : ""}
        await w.ended;
        await settle(() => b.heldSignals().size === 0 && fds() === fdsBefore && threads() <= threadsBefore, "given back: held " + [...b.heldSignals()] + ", fds " + fds() + "/" + fdsBefore + ", threads " + threads() + "/" + threadsBefore);
        report({ during: during.held, fdsGrew: during.fds > 0, restored: caught() === caughtBefore });
        ${DIES}
      `, { timeoutMs: 30_000 });
      expect(r.reports[0], r.stderr).toEqual({ during: 1, fdsGrew: true, restored: true });
      expect(r.signal).toBe("SIGUSR1");
    });
  }

  test("20 Workers that each waited on a queue leave no reactor thread or fd behind", () => {
    const r = runChild(`${PRELUDE}
      // one Worker first: Bun's own per-Worker machinery exists after it
      const warm = worker("post(1);"); await warm.next(); warm.terminate(); await warm.ended;
      await Bun.sleep(100);
      const fdsBefore = fds();
      const threadsBefore = threads();
      for (let i = 0; i < 20; i++) {
        const w = worker(\`
          const e = new b.EventfdAsync();
          setTimeout(() => e.write(1), 1);
          await e.get();
          e.close();
          post(b.gettid());
        \`);
        await w.next();
        if (i % 2) w.terminate();
        else w.postMessage("end"); // it ends by itself: nothing keeps its loop alive
        await w.ended;
      }
      await settle(() => fds() <= fdsBefore && threads() <= threadsBefore, "fds " + fds() + "/" + fdsBefore + ", threads " + threads() + "/" + threadsBefore);
      report({ fds: fds() - fdsBefore, threads: threads() - threadsBefore });
    `, { timeoutMs: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ fds: 0, threads: 0 });
  }, 70_000);

  test("the process-wide helpers compiled by a Worker that has ended keep working on the main thread", () => {
    const r = runChild(`${PRELUDE}
      const w = worker('b.processSigmask(b.SIG_BLOCK, ["SIGURG"]); b.processSigmask(b.SIG_UNBLOCK, ["SIGURG"]); post("done");');
      await w.next();
      w.terminate();
      await w.ended;
      Bun.gc(true);
      await Bun.sleep(50);
      ${MACHINERY_WORKS}
      report(machineryWorks());
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ blocked: true, si: 10 });
  });
});

describe("SIGRTMAX is butter's", () => {
  test("a handler of the program's own on SIGRTMAX: processSigmask and holds refuse with EBUSY, saying so, and change nothing", () => {
    const r = runChild(`
      const { dlopen } = await import("bun:ffi");
      const libc = dlopen("libc.so.6", { signal: { args: ["i32", "ptr"], returns: "ptr" }, getpid: { args: [], returns: "i32" } });
      libc.symbols.signal(64, libc.symbols.getpid.ptr); // any address: it is never called
      const out = [];
      for (const f of [() => b.processSigmask(b.SIG_BLOCK, ["SIGURG"]), () => new b.Signalfd(["SIGUSR1"])]) {
        try { f(); out.push("no error"); } catch (e) { out.push([e.constructor.name, e.code, e.message.includes("SIGRTMAX has a handler that is not butter's")]); }
      }
      report({ out, blocked: b.pthreadSigmask(b.SIG_BLOCK, null).has(23), held: [...b.heldSignals()] });
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ out: [["OSError", "EBUSY", true], ["OSError", "EBUSY", true]], blocked: false, held: [] });
  });

  test("SIGRTMAX ignored by the program (SIG_IGN) is not a handler of its own: processSigmask and holds work", () => {
    const r = runChild(`
      const { dlopen } = await import("bun:ffi");
      const libc = dlopen("libc.so.6", { signal: { args: ["i32", "ptr"], returns: "ptr" } });
      libc.symbols.signal(64, 1); // SIG_IGN
      ${MACHINERY_WORKS}
      report(machineryWorks());
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ blocked: true, si: 10 });
  });
});

describe("more threads, more signals", () => {
  test("processSigmask over more than 40 threads (40 Workers): done, and undone", () => {
    const r = runChild(`${PRELUDE}
      const ws = [];
      for (let i = 0; i < 40; i++) { const w = worker("setInterval(() => {}, 1000); post(1);"); await w.next(); ws.push(w); }
      const bit = 1n << 22n; // SIGURG
      const blockers = () => readdirSync("/proc/self/task").filter((t) => { try { return (BigInt("0x" + /SigBlk:\\s*(\\S+)/.exec(readFileSync("/proc/self/task/" + t + "/status", "utf8"))[1]) & bit) !== 0n; } catch { return false; } }).length;
      const before = blockers();
      b.processSigmask(b.SIG_BLOCK, ["SIGURG"]);
      const during = blockers();
      const all = readdirSync("/proc/self/task").length;
      b.processSigmask(b.SIG_UNBLOCK, ["SIGURG"]);
      await Bun.sleep(20);
      // (idle Workers show their loop's empty wait mask in /proc, so "during" is not counted)
      void during;
      report({ many: all > 40, after: blockers() <= before });
      for (const w of ws) w.terminate();
    `, { timeoutMs: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ many: true, after: true });
  }, 70_000);

  test("a hold on several signals at once, given back whole; a handler the program installed during the hold stays after it", () => {
    const r = runChild(`${PRELUDE}
      const { dlopen } = await import("bun:ffi");
      const libc = dlopen("libc.so.6", { signal: { args: ["i32", "ptr"], returns: "ptr" }, getpid: { args: [], returns: "i32" } });
      const before = caught();
      const sfd = new b.Signalfd(["SIGUSR1", "SIGUSR2", "SIGWINCH"], { flags: b.SFD_NONBLOCK });
      const held = [...b.heldSignals().keys()].sort((x, y) => x - y);
      libc.symbols.signal(28, libc.symbols.getpid.ptr); // the program's own SIGWINCH handler, behind butter's back
      sfd.close();
      const after = caught();
      report({ held, usr: (after & ((1n << 9n) | (1n << 11n))) === (before & ((1n << 9n) | (1n << 11n))), winchTheirs: (after & (1n << 27n)) !== 0n, blocked: b.pthreadSigmask(b.SIG_BLOCK, null).size });
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ held: [10, 12, 28], usr: true, winchTheirs: true, blocked: 0 });
  });

  test("a listener added during a hold and removed after the close: the default returns (Bun puts back its stale copy of butter's handler, which is undone)", () => {
    const r = runChild(`${PRELUDE}
      const before = caught();
      const sfd = new b.SignalfdAsync(["SIGUSR2"]);
      const f = () => {};
      process.on("SIGUSR2", f);
      sfd.close();
      const listening = caught() !== before; // Bun's handler, for its listener
      process.off("SIGUSR2", f);
      report({ listening, restored: caught() === before });
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ listening: true, restored: true });
  });

  test("a listener added and removed during a hold: after the close the signal is not caught (Bun's stale copy of butter's handler is undone)", () => {
    const r = runChild(`${PRELUDE}
      const before = caught();
      const sfd = new b.SignalfdAsync(["SIGUSR2"]);
      const f = () => {};
      process.on("SIGUSR2", f);
      process.off("SIGUSR2", f);
      sfd.close();
      report({ restored: caught() === before, listeners: process.listenerCount("SIGUSR2") });
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ restored: true, listeners: 0 });
  });
});

