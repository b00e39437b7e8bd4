// Events made while the JS thread is busy: this process creates FILES files in a watched
// directory with writeFileSync (so JS reads nothing meanwhile), then waits for the
// watcher's events. Usage: bun bench/inotify-busy.ts WATCHER DIR FILES
//   WATCHER  butter          InotifyTree (the drain reads the kernel's queue meanwhile)
//            butter-nodrain  InotifyTree with { drain: false } (the kernel's queue alone)
//            parcel          @parcel/watcher (its own thread reads the queue)
//            chokidar        chokidar (fs.watch underneath)
// Prints "reported lagMs": the events for distinct created files, and the ms from the
// last write to the last of them (the wait ends 2 s after the last event).
import { writeFileSync } from "node:fs";

const [watcher, dir, filesArg] = process.argv.slice(2) as [string, string, string];
const files = Number(filesArg);
const seen = new Set<string>();
let last = 0;
const saw = (path: string) => {
  if (path.startsWith(`${dir}/f`) && !seen.has(path)) {
    seen.add(path);
    last = performance.now();
  }
};

let stop: () => Promise<void>;
if (watcher === "butter" || watcher === "butter-nodrain") {
  const { InotifyTree, IN_CREATE } = await import("../src/index.ts");
  const tree = new InotifyTree(dir, IN_CREATE, { drain: watcher === "butter" });
  const loop = (async () => {
    for await (const ev of tree) saw(ev.path);
  })();
  stop = async () => {
    await tree.close();
    await loop;
  };
} else if (watcher === "parcel") {
  const parcel = await import("@parcel/watcher");
  const sub = await parcel.subscribe(dir, (err, events) => {
    if (err) throw err;
    for (const e of events) if (e.type === "create") saw(e.path);
  });
  stop = () => sub.unsubscribe();
} else if (watcher === "chokidar") {
  const { watch } = await import("chokidar");
  const w = watch(dir, { ignoreInitial: true });
  await new Promise<void>((r) => w.on("ready", () => r()));
  w.on("add", saw);
  stop = () => w.close();
} else {
  throw new Error(`unknown watcher ${watcher}`);
}

const t0 = performance.now();
for (let i = 0; i < files; i++) writeFileSync(`${dir}/f${i}`, "");
const wrote = performance.now();
last = Math.max(last, t0);
for (;;) {
  await Bun.sleep(100);
  if (seen.size === files || performance.now() - Math.max(last, wrote) > 2000) break;
}
await stop();
console.log(`${seen.size} ${Math.max(0, last - wrote).toFixed(0)}`);
