// butter demo: eventfd and timerfd in one event loop.
//
// A worker thread does "jobs" and reports each one through an eventfd (the counter adds
// up, so no report is lost even when the main thread is busy). A timerfd ticks every
// 100 ms as a heartbeat; late ticks are counted, not dropped. The main loop waits on
// both at once without blocking Bun's event loop, and stops after one second.
//
//   bun examples/eventloop.ts
import { EventfdAsync, TimerfdAsync, getpid, gettid, gethostname } from "../src/index.ts";

console.log(`butter demo: pid ${getpid()}, main thread tid ${gettid()}, host ${gethostname()}`);

await using jobsDone = new EventfdAsync();
await using heartbeat = new TimerfdAsync().every(100);
await using deadline = new TimerfdAsync().after(1000);

const worker = new Worker(new URL("./job-worker.ts", import.meta.url).href);
worker.postMessage({ fd: jobsDone.fd });

let jobs = 0n;
let beats = 0n;
// One pending get() per source, raced: whichever is ready first is handled, and the
// others stay pending (an event is consumed only by the get() that returns it).
let nextJob = jobsDone.get();
let nextBeat = heartbeat.get();
const end = deadline.get();
for (;;) {
  const ev = await Promise.race([
    nextJob.then((n) => ({ kind: "jobs" as const, n })),
    nextBeat.then((n) => ({ kind: "beat" as const, n })),
    end.then(() => ({ kind: "end" as const, n: 0n })),
  ]);
  if (ev.kind === "end") break;
  if (ev.kind === "jobs") {
    jobs += ev.n;
    nextJob = jobsDone.get();
  } else {
    beats += ev.n;
    console.log(`heartbeat ${beats}${ev.n > 1n ? ` (${ev.n} ticks at once)` : ""}: ${jobs} jobs done so far`);
    nextBeat = heartbeat.get();
  }
}
worker.terminate();
// Closing (here by `await using`) rejects the still-pending get()s with QueueClosed.
nextJob.catch(() => {});
nextBeat.catch(() => {});
console.log(`done: ${beats} heartbeats, ${jobs} jobs reported by worker thread`);
