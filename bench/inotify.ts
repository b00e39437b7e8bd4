// The JS side of the inotify drain benchmark. Usage: bun bench/inotify.ts MODE PRODUCER DIR FILES ROUNDS
// Per round the producer runs synchronously (the JS thread is blocked, so the kernel queue
// fills with 2*FILES events), then the time to hand every event to JS is measured:
//   async  InotifyAsync: await get() per event        (vs the C reader)
//   sync   Inotify: readEvents() in a loop            (the decoder without the queue)
// Prints ns per event. Overflow (more events than max_queued_events) is an error.
import { spawnSync } from "node:child_process";
import { IN_CREATE, IN_DELETE, Inotify, InotifyAsync } from "../src/index.ts";

const [mode, producer, dir, filesArg, roundsArg] = process.argv.slice(2);
const want = 2 * Number(filesArg);
const rounds = Number(roundsArg);

function produce(): void {
  const r = spawnSync(producer!, [dir!, filesArg!]);
  if (r.status !== 0) throw new Error(`producer failed: ${r.status}`);
}

let total = 0;
if (mode === "async") {
  await using ino = new InotifyAsync();
  ino.watch(dir!, IN_CREATE | IN_DELETE);
  for (let r = 0; r < rounds; r++) {
    produce();
    const t0 = Bun.nanoseconds();
    for (let got = 0; got < want; got++) await ino.get();
    total += Bun.nanoseconds() - t0;
  }
  if (ino.overflows > 0) throw new Error("queue overflowed: lower FILES");
} else {
  using ino = new Inotify();
  ino.watch(dir!, IN_CREATE | IN_DELETE);
  for (let r = 0; r < rounds; r++) {
    produce();
    const t0 = Bun.nanoseconds();
    for (let got = 0; got < want; ) got += ino.readEvents().length;
    total += Bun.nanoseconds() - t0;
  }
  if (ino.overflows > 0) throw new Error("queue overflowed: lower FILES");
}
console.log((total / (want * rounds)).toFixed(1));
