// The inotifywait peer of the inotify benchmark (Debian's inotify-tools), driven from Bun.
// Usage: bun bench/inotifywait.ts MODE PRODUCER DIR FILES ROUNDS
// `inotifywait -m` prints one line per event; the time counts until the last line
// arrived through a pipe.
//   drain  inotifywait is stopped (SIGSTOP) while the producer fills the kernel queue,
//          then continued; the time from SIGCONT to the last line
//   live   the time from the producer's start to the last line
// The first WARMUP_ROUNDS rounds are a warm-up, not counted (as for every reader). Prints ns per event.
import { spawnSync } from "node:child_process";

const [mode, producer, dir, filesArg, roundsArg] = process.argv.slice(2);
const want = 2 * Number(filesArg);
const rounds = Number(roundsArg);

const iw = Bun.spawn(["inotifywait", "-m", "-e", "create", "-e", "delete", "--format", "%e %f", dir!], {
  stdout: "pipe",
  stderr: "pipe",
});
// inotifywait says "Watches established." on stderr once its watch is in place
const err = iw.stderr.getReader();
for (let said = ""; !said.includes("Watches established"); ) {
  const { value, done } = await err.read();
  if (done) throw new Error(`inotifywait ended: ${said}`);
  said += new TextDecoder().decode(value);
}
const out = iw.stdout.getReader();

/** Reads until `n` more lines came; returns when the last one did. */
async function lines(n: number): Promise<void> {
  while (n > 0) {
    const { value, done } = await out.read();
    if (done) throw new Error("inotifywait ended early");
    for (const b of value) if (b === 10) n--;
  }
  if (n < 0) throw new Error("more lines than events: the rounds overlap");
}

const WARMUP_ROUNDS = 4;
let total = 0;
for (let r = 1 - WARMUP_ROUNDS; r <= rounds; r++) {
  let t0: number;
  if (mode === "drain") {
    iw.kill("SIGSTOP");
    if (spawnSync(producer!, [dir!, filesArg!]).status !== 0) throw new Error("producer failed");
    t0 = Bun.nanoseconds();
    iw.kill("SIGCONT");
    await lines(want);
  } else {
    t0 = Bun.nanoseconds();
    const child = Bun.spawn([producer!, dir!, filesArg!]);
    await lines(want);
    if ((await child.exited) !== 0) throw new Error("producer failed");
  }
  if (r > 0) total += Bun.nanoseconds() - t0;
}
iw.kill();
await iw.exited;
console.log((total / (want * rounds)).toFixed(1));
