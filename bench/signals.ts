// The JS side of the signal benchmarks. Usage: bun bench/signals.ts MODE N
// Modes:
//   sync       Signalfd: sigqueue(self) + readEvent()          (vs C sigqueue + read)
//   nohold     the same with { hold: false }, the signal blocked on every thread by
//              processSigmask first: the kernel path of C's signalfd read
//   bare       that path through bare bun:ffi calls (bench/raw_ffi.c), no butter: the
//              record's value read from the buffer, no object (the runtime's share)
//   async      SignalfdAsync: sigqueue(self) + await get()
//   idle       SignalfdAsync: process.kill(self) + await get() after the loop idled
//              (the signal is caught by butter's handler while Bun waits)
//   processon  Bun's process.on("SIGUSR2"): process.kill(self) + wait for the listener
//   mask       processSigmask block + unblock of one signal, per thread of the process
// Prints ns per operation (mask: per thread per call), after a warm-up of 50,000
// operations (mask: N/10): the JIT needs that many before these paths run at their speed
// (sync: 1.7x C after 500 operations of warm-up, 1.35x after 20,000, measured).
import { Signalfd, SignalfdAsync, getpid, processSigmask, signum, sigqueue, SIG_BLOCK, SIG_UNBLOCK } from "../src/index.ts";
import { cc } from "bun:ffi";
import { fileURLToPath } from "node:url";
import { readdirSync } from "node:fs";

const [mode = "sync", nArg = "100000"] = process.argv.slice(2);
const n = Number(nArg);
const pid = getpid();
const idle = () => new Promise((r) => setImmediate(r));

async function run(count: number): Promise<number> {
  if (mode === "bare") {
    processSigmask(SIG_BLOCK, ["SIGRTMIN+2"]);
    const { symbols: raw } = cc({
      source: fileURLToPath(new URL("./raw_ffi.c", import.meta.url)),
      symbols: {
        raw_sigqueue: { args: ["i32", "i32", "i64"], returns: "i32" },
        raw_signalfd: { args: ["u64"], returns: "i32" },
        raw_read128: { args: ["i32", "ptr"], returns: "i32" },
      },
    });
    const sig = signum("SIGRTMIN+2");
    const fd = raw.raw_signalfd(1n << BigInt(sig - 1));
    const rec = new Int32Array(32);
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < count; i++) {
      raw.raw_sigqueue(pid, sig, i);
      if (raw.raw_read128(fd, rec) !== 128 || rec[11] !== i) throw new Error("out of order"); // ssi_int
    }
    return (Bun.nanoseconds() - t0) / count;
  }
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

await run(mode === "mask" ? Math.max(1, Math.floor(n / 10)) : Math.max(n / 10, 50_000));
console.log((await run(n)).toFixed(1));
process.exit(0);
