// The JS side of the fanotify benchmark (the C side: bench/c/fanotify_read.c and
// bench/c/fanotify_perm.c, which also say what is measured).
// Usage: bun bench/fanotify.ts read READER GROUP MODE PRODUCER DIR FILES ROUNDS
//          READER async (FanotifyAsync, await get()) | sync (Fanotify, readEvents())
//          GROUP  fid | fd;  MODE drain | live
//        bun bench/fanotify.ts perm OPENER FILE N
//          answers FAN_ALLOW to each open of FILE by OPENER ("fanotify_perm open FILE N")
//          and prints the opener's ns per open
// Prints ns per event (read) or per open (perm). The first WARMUP_ROUNDS rounds are run
// and not counted, as in the C reader: the JIT needs about that many events (64,000 with
// a FID group) before the JS runs at its speed.
import { spawn, spawnSync } from "node:child_process";
import * as b from "../src/index.ts";

const [what] = process.argv.slice(2);
const WARMUP_ROUNDS = 4;

if (what === "perm") {
  const [, opener, file, n] = process.argv.slice(2);
  await using fan = new b.FanotifyAsync(b.FAN_CLASS_CONTENT);
  fan.mark(file!, b.FAN_OPEN_PERM);
  const child = Bun.spawn([opener!, "open", file!, n!], { stdout: "pipe" });
  for (let got = 0; got < Number(n); got++) (await fan.get()).allow();
  if ((await child.exited) !== 0) throw new Error("the opener failed");
  console.log((await new Response(child.stdout).text()).trim());
} else {
  const [, reader, group, mode, producer, dir, filesArg, roundsArg] = process.argv.slice(2);
  const fid = group === "fid";
  const files = Number(filesArg);
  const want = fid ? 2 * files : files;
  const rounds = Number(roundsArg);
  const flags = fid ? b.FAN_REPORT_DFID_NAME : 0;
  const mask = fid ? b.FAN_CREATE | b.FAN_DELETE | b.FAN_EVENT_ON_CHILD : b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD;
  const BOTH = b.FAN_CREATE | b.FAN_DELETE;
  // (a create and a delete of one name may come merged: the bits are counted, as in C)
  const count = (ev: b.FanotifyEvent) => (fid ? ((ev.mask & BOTH) === BOTH ? 2 : 1) : 1);
  // the same work as the C reader: the entry's name (fid), the fd's path (fd)
  const seen = (ev: b.FanotifyEvent) => (fid ? ev.name! : ev.path!).length;
  const produce = (): Promise<void> | undefined => {
    if (mode === "drain") {
      if (spawnSync(producer!, [dir!, filesArg!]).status !== 0) throw new Error("producer failed");
      return undefined;
    }
    const child = spawn(producer!, [dir!, filesArg!]);
    return new Promise((resolve, reject) => child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error("producer failed")))));
  };
  using fan = reader === "async" ? new b.FanotifyAsync(flags) : new b.Fanotify(flags);
  fan.mark(dir!, mask);
  let total = 0;
  let check = 0;
  for (let r = 1 - WARMUP_ROUNDS; r <= rounds; r++) {
    const t0 = Bun.nanoseconds();
    const exited = produce();
    const t1 = mode === "drain" ? Bun.nanoseconds() : t0;
    if (fan instanceof b.FanotifyAsync) {
      for (let got = 0; got < want; ) {
        const ev = await fan.get();
        check += seen(ev);
        got += count(ev);
      }
    } else {
      for (let got = 0; got < want; ) for (const ev of fan.readEvents()) (check += seen(ev)), (got += count(ev));
    }
    if (r > 0) total += Bun.nanoseconds() - t1;
    await exited;
  }
  if (fan.overflows > 0) throw new Error("queue overflowed: lower FILES");
  console.log((total / (want * rounds)).toFixed(1), check === -1 ? "" : "");
}
