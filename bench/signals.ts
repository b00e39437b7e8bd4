// The JS side of the signal benchmarks. Usage: bun bench/signals.ts MODE N
// Modes:
//   sync       Signalfd: sigqueue(self) + readEvent()          (vs C sigqueue + read)
//   nohold     the same with { hold: false }, the signal blocked on every thread by
//              processSigmask first: the kernel path of C's signalfd read
//   async      SignalfdAsync: sigqueue(self) + await get()
//   idle       SignalfdAsync: process.kill(self) + await get() after the loop idled
//              (the signal is caught by butter's handler while Bun waits)
//   processon  Bun's process.on("SIGUSR2"): process.kill(self) + wait for the listener
//   mask       processSigmask block + unblock of one signal, per thread of the process
// Prints ns per operation (mask: per thread per call), after a warm-up of N/10.
import { Signalfd, SignalfdAsync, getpid, processSigmask, sigqueue, SIG_BLOCK, SIG_UNBLOCK } from "../src/index.ts";
import { readdirSync } from "node:fs";

const [mode = "sync", nArg = "100000"] = process.argv.slice(2);
const n = Number(nArg);
const pid = getpid();
const idle = () => new Promise((r) => setImmediate(r));

async function run(count: number): Promise<number> {
  if (mode === "sync" || mode === "nohold") {
    if (mode === "nohold") processSigmask(SIG_BLOCK, ["SIGRTMIN+2"]);
    using sfd = new Signalfd(["SIGRTMIN+2"], { hold: mode === "sync" });
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < count; i++) {
      sigqueue(pid, "SIGRTMIN+2", i);
      if (sfd.readEvent().int !== i) throw new Error("out of order");
    }
    return (Bun.nanoseconds() - t0) / count;
  }
  if (mode === "async" || mode === "idle") {
    await using sfd = new SignalfdAsync(["SIGUSR2", "SIGRTMIN+2"]);
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < count; i++) {
      if (mode === "idle") {
        process.kill(pid, "SIGUSR2");
        await idle();
      } else sigqueue(pid, "SIGRTMIN+2", i);
      await sfd.get();
    }
    return (Bun.nanoseconds() - t0) / count;
  }
  if (mode === "processon") {
    let wake: () => void = () => {};
    process.on("SIGUSR2", () => wake());
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < count; i++) {
      const heard = new Promise<void>((r) => (wake = r));
      process.kill(pid, "SIGUSR2");
      await heard;
    }
    return (Bun.nanoseconds() - t0) / count;
  }
  if (mode === "mask") {
    const threads = readdirSync("/proc/self/task").length;
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < count; i++) {
      processSigmask(SIG_BLOCK, ["SIGUSR2"]);
      processSigmask(SIG_UNBLOCK, ["SIGUSR2"]);
    }
    return (Bun.nanoseconds() - t0) / count / 2 / threads;
  }
  throw new Error(`unknown mode ${mode}`);
}

await run(Math.max(1, Math.floor(n / 10)));
console.log((await run(n)).toFixed(1));
process.exit(0);
