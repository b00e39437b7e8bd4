// The JS side of the inotify benchmark.
// Usage: bun bench/inotify.ts READER MODE PRODUCER DIR FILES ROUNDS
//   READER async  InotifyAsync: await get() per event
//          sync   Inotify: readEvents() in a loop (the decoder without the queue)
//          direct Inotify with { drain: false }: readEvents(), JS reading the fd itself
//   MODE   drain  the producer runs synchronously (the JS thread is blocked, so the
//                 events queue up: in the kernel, or in butter's drain, which reads
//                 them meanwhile), then the time to hand every event to JS
//          live   the producer runs beside; the time from its start to the last event
// The first WARMUP_ROUNDS rounds are run and not counted (the JIT compiles the decoder
// and the heap grows; with one, a quick run measured the warm-up: 1 round 524 ns an
// event, 3 rounds 388, 10 rounds 223 on the 2026-11-30 machine), as for every reader here.
// Prints ns per event. Overflow (more events than max_queued_events) is an error.
import { spawn, spawnSync } from "node:child_process";
import { IN_CREATE, IN_DELETE, Inotify, InotifyAsync } from "../src/index.ts";

const [reader, mode, producer, dir, filesArg, roundsArg] = process.argv.slice(2);
const want = 2 * Number(filesArg);
const rounds = Number(roundsArg);

/** Runs the producer; returns when its events are queued (drain) or at once (live). */
function produce(): Promise<void> | undefined {
  if (mode === "drain") {
    if (spawnSync(producer!, [dir!, filesArg!]).status !== 0) throw new Error("producer failed");
    return undefined;
  }
  const child = spawn(producer!, [dir!, filesArg!]);
  return new Promise((resolve, reject) => child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error("producer failed")))));
}

const WARMUP_ROUNDS = 4;
let total = 0;
using ino = reader === "async" ? new InotifyAsync() : new Inotify(0, { drain: reader !== "direct" });
ino.watch(dir!, IN_CREATE | IN_DELETE);
for (let r = 1 - WARMUP_ROUNDS; r <= rounds; r++) {
  const t0 = Bun.nanoseconds();
  const exited = produce();
  const t1 = mode === "drain" ? Bun.nanoseconds() : t0;
  if (ino instanceof InotifyAsync) for (let got = 0; got < want; got++) await ino.get();
  else for (let got = 0; got < want; ) got += ino.readEvents().length;
  if (r > 0) total += Bun.nanoseconds() - t1;
  await exited;
}
if (ino.overflows > 0) throw new Error("queue overflowed: lower FILES");
console.log((total / (want * rounds)).toFixed(1));
