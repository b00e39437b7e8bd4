// Soak: rounds of Workers that hold and release signals, process.on listeners added and
// removed, and objects dropped to the garbage collector, while another process sends
// 3,000 queued real-time signals and SIGUSR2 bursts. Bounded (about 10 s). At the end
// nothing is lost (every value arrived exactly once), nothing leaked (fds, butter's
// threads, dispositions, this thread's mask) and the process is alive. In a child
// process (harness/child.ts): an escaped signal ends it, never the test runner.
import { expect, test } from "vitest";
import { runChild } from "../../harness/child.ts";
import { INDEX, PRELUDE } from "./child-prelude.ts";

const VALUES = 3000;

test("soak: Workers holding and releasing, listeners, GC, and signals from another process: nothing lost or leaked", () => {
  const r = runChild(
    `
    ${PRELUDE}
    // the machinery (PRELUDE), this thread's reactor and one Worker first: what the process keeps for good exists before the count
    { const e = new b.EventfdAsync(); setTimeout(() => e.write(1), 1); await e.get(); e.close(); } // this thread's reactor
    { const w = worker("postMessage(1)"); await new Promise((r) => (w.onmessage = r)); w.terminate(); await w.ended; }
    await Bun.sleep(100);
    const before = { fds: fds(), threads: threads(), caught: caught(), mask: [...b.pthreadSigmask(b.SIG_BLOCK, null)] };

    // what the sender sends: RT values, each to arrive exactly once; and SIGUSR2, held
    // throughout here and by the Workers on and off (only its survival is counted)
    const values = new b.SignalfdAsync(["SIGRTMIN+1"]);
    const usr2 = new b.SignalfdAsync(["SIGUSR2"]);
    const got = new Map();
    const collecting = (async () => { for await (const si of values) got.set(si.int, (got.get(si.int) ?? 0) + 1); })();
    const draining = (async () => { for await (const _ of usr2) {} })();
    const sender = Bun.spawn([process.execPath, "-e", \`
      import * as b from ${INDEX};
      for (let i = 1; i <= ${VALUES}; i++) {
        for (;;) {
          try { b.sigqueue(${"${process.pid}"}, "SIGRTMIN+1", i); break; }
          catch (e) { if (e.code !== "EAGAIN") throw e; await Bun.sleep(1); }
        }
        if (i % 20 === 0) { process.kill(${"${process.pid}"}, "SIGUSR2"); await Bun.sleep(2); }
      }
    \`], { stdout: "inherit", stderr: "inherit" });

    const started = Date.now();
    let rounds = 0;
    const heard = { usr2: 0 };
    // (6 s, and at least 6 rounds however slow the machine: an emulated guest's Workers
    // start in a second)
    while (Date.now() - started < 6000 || rounds < 6) {
      rounds++;
      // two Workers hold SIGUSR2 and SIGURG and read them; one ends by terminate(), one by itself
      const ws = [0, 1].map((k) => worker(\`
        const sfd = new b.SignalfdAsync(["SIGUSR2", "SIGURG"]);
        const e = new b.EventfdAsync();
        setTimeout(() => e.write(1), 1);
        await e.get();
        postMessage("held");
        await Promise.race([sfd.get(), Bun.sleep(5)]);
        \${k === 0 ? "await new Promise(() => {}); void sfd;" : "sfd.close(); e.close();"}
      \`));
      await Promise.all(ws.map((w) => Promise.race([new Promise((r) => (w.onmessage = r)), w.failed])));
      // Bun's listeners come and go meanwhile
      const f = () => heard.usr2++;
      process.on("SIGUSR2", f);
      process.on("SIGWINCH", f);
      // objects dropped without close()
      (() => { new b.Signalfd(["SIGURG"]); new b.EventfdAsync(); new b.Timerfd(); })();
      process.off("SIGUSR2", f);
      process.off("SIGWINCH", f);
      ws[0].terminate();
      await Promise.all(ws.map((w) => w.ended));
      Bun.gc(true);
    }
    const senderStatus = await sender.exited;
    for (let i = 0; i < 500 && got.size < ${VALUES}; i++) await Bun.sleep(10);
    values.close();
    usr2.close();
    await collecting;
    await draining;

    let settled = false;
    for (let i = 0; i < 500 && !settled; i++) {
      Bun.gc(true);
      settled = fds() === before.fds && threads() === before.threads && b.heldSignals().size === 0;
      if (!settled) await Bun.sleep(10);
    }
    const twice = [...got].filter(([, n]) => n !== 1).length;
    const missing = [];
    for (let i = 1; i <= ${VALUES}; i++) if (!got.has(i)) missing.push(i);
    report({
      rounds: rounds > 5,
      senderStatus,
      missing: missing.slice(0, 10),
      twice,
      lost: values.lost,
      fds: fds() - before.fds,
      threads: threads() - before.threads,
      held: [...b.heldSignals()],
      caught: caught() === before.caught,
      mask: [...b.pthreadSigmask(b.SIG_BLOCK, null)].join() === before.mask.join(),
    });
    `,
    { timeoutMs: 60_000 },
  );
  expect(r.status, `${r.signal ?? ""} ${r.stderr}`).toBe(0);
  expect(r.reports[0]).toEqual({
    rounds: true,
    senderStatus: 0,
    missing: [],
    twice: 0,
    lost: 0,
    fds: 0,
    threads: 0,
    held: [],
    caught: true,
    mask: true,
  });
}, 70_000);
