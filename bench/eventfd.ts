// The JS side of the eventfd benchmarks. Usage: bun bench/eventfd.ts MODE N
// Modes:
//   sync    Eventfd: write(1) + read()                       (vs C write+read)
//   raw     the same through bare bun:ffi calls, no butter   (the runtime's share)
//   async   EventfdAsync: write(1) + await get()             (vs C epoll, Python asyncio)
//   wait    EventfdAsync: await get() while a Worker writes  (a wait forced every round:
//           the reactor's wake-up path, thread to thread)
//   floor   the same round trip with Bun's own least: the Worker's eventfd read by
//           Bun.file(fd).stream() directly, no butter on the waiting side (what a wake-up
//           of Bun's loop costs; unsafe for butter's queues: docs/reactor.md)
// Prints ns per operation, after a warm-up of N/10.
import { cc } from "bun:ffi";
import { fileURLToPath } from "node:url";
import { closeSync } from "node:fs";
import { eventfd, Eventfd, EventfdAsync, EFD_CLOEXEC, EFD_NONBLOCK } from "../src/index.ts";

const [mode = "sync", nArg = "200000"] = process.argv.slice(2);
const n = Number(nArg);

async function run(count: number): Promise<number> {
  if (mode === "raw") {
    const { symbols: raw } = cc({
      source: fileURLToPath(new URL("./raw_ffi.c", import.meta.url)),
      symbols: {
        raw_eventfd: { args: [], returns: "i32" },
        raw_write: { args: ["i32", "u64"], returns: "i32" },
        raw_read: { args: ["i32", "ptr"], returns: "i32" },
      },
    });
    const fd = raw.raw_eventfd();
    const out = new BigUint64Array(1);
    let sum = 0n;
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < count; i++) {
      raw.raw_write(fd, 1n);
      raw.raw_read(fd, out);
      sum += out[0]!; // (the value read, as Eventfd.read() returns it)
    }
    if (sum !== BigInt(count)) throw new Error("raw eventfd lost counts");
    return (Bun.nanoseconds() - t0) / count;
  }
  if (mode === "sync") {
    using e = new Eventfd();
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < count; i++) {
      e.write(1n);
      e.read();
    }
    return (Bun.nanoseconds() - t0) / count;
  }
  if (mode === "async") {
    await using e = new EventfdAsync();
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < count; i++) {
      e.write(1n);
      await e.get();
    }
    return (Bun.nanoseconds() - t0) / count;
  }
  if (mode === "floor") {
    using ping = new Eventfd(); // blocking: only the Worker reads it
    const pong = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    const reader = Bun.file(pong).stream().getReader();
    const worker = new Worker(new URL("./eventfd-echo.ts", import.meta.url).href);
    worker.postMessage({ ping: ping.fd, pong, count });
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < count; i++) {
      ping.write(1n);
      await reader.read(); // (one 8-byte chunk: the Worker writes again only after the next ping)
    }
    const per = (Bun.nanoseconds() - t0) / count;
    worker.terminate();
    await reader.cancel();
    closeSync(pong);
    return per;
  }
  // wait: a Worker answers each round over a second eventfd, so every get() must wait
  using ping = new Eventfd(); // blocking: only the Worker reads it
  await using pong = new EventfdAsync();
  const worker = new Worker(new URL("./eventfd-echo.ts", import.meta.url).href);
  worker.postMessage({ ping: ping.fd, pong: pong.fd, count });
  const t0 = Bun.nanoseconds();
  for (let i = 0; i < count; i++) {
    ping.write(1n);
    await pong.get();
  }
  const per = (Bun.nanoseconds() - t0) / count;
  worker.terminate();
  return per;
}

await run(Math.max(1, Math.floor(n / 10)));
console.log((await run(n)).toFixed(1));
