// The fs.watch peer of the inotify benchmark, in plain Node APIs so that the same file
// runs under Bun and under Node. Usage: (bun|node) bench/inotify-fswatch.mjs MODE PRODUCER DIR FILES ROUNDS
//   drain  the producer runs synchronously (the event loop is blocked, the kernel queue
//          fills), then the time until every event reached the listener is measured
//   live   the producer runs beside the loop; the time from its start to the last event
// Prints "ns-per-event events-delivered events-expected": fs.watch may deliver fewer
// events than inotify queued (it coalesces), and that is reported, not hidden. A round
// ends when every event came or none came for 500 ms (not counted in the time).
// The first WARMUP_ROUNDS rounds are a warm-up, not counted (as for every reader).
import { spawn, spawnSync } from "node:child_process";
import { watch } from "node:fs";

const [mode, producer, dir, filesArg, roundsArg] = process.argv.slice(2);
const want = 2 * Number(filesArg);
const rounds = Number(roundsArg);
const now = () => Number(process.hrtime.bigint());

let got = 0;
let last = 0;
let target = 0;
let wake = () => {};
const watcher = watch(dir, () => {
  got++;
  last = now();
  if (got >= target) wake();
});

function round() {
  return new Promise((resolve, reject) => {
    target = got + want;
    let t0 = 0;
    let timer;
    const done = () => {
      clearInterval(timer);
      resolve(last - t0);
    };
    wake = done;
    let seen = got;
    timer = setInterval(() => {
      if (got === seen) done(); // nothing for 500 ms: fs.watch dropped the rest
      seen = got;
    }, 500);
    if (mode === "drain") {
      if (spawnSync(producer, [dir, filesArg]).status !== 0) reject(new Error("producer failed"));
      t0 = now();
    } else {
      t0 = now();
      spawn(producer, [dir, filesArg]).on("exit", (code) => code !== 0 && reject(new Error("producer failed")));
    }
  });
}

const WARMUP_ROUNDS = 4;
for (let r = 0; r < WARMUP_ROUNDS; r++) await round();
const warm = got;
let total = 0;
for (let r = 0; r < rounds; r++) total += await round();
got -= warm;
watcher.close();
console.log(`${(total / got).toFixed(1)} ${got} ${want * rounds}`);
