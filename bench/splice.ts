// Copies a file to another, one way per run, and prints "elapsed-ns cpu-ns bytes":
//   butter     spliceAll (file -> butter's pipe -> file)
//   bun-write  Bun.write(Bun.file(dst), Bun.file(src))
//   stream     Bun.file(src).stream() written with Bun.file(dst).writer()
// Usage: bun bench/splice.ts <mode> <src> <dst>
import { closeSync, openSync, rmSync } from "node:fs";
import { spliceAll } from "../src/index.ts";

const [mode, src, dst] = process.argv.slice(2) as [string, string, string];
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
// The first use compiles butter's helpers (a few ms, measured by the start-up rows):
// warm up on 64 KiB so that the figure is the copy's.
if (mode === "butter") {
  const z = openSync(src, "r");
  const y = openSync(`${dst}.warm`, "w");
  await spliceAll(z, y, { length: 65536 });
  closeSync(z);
  closeSync(y);
  rmSync(`${dst}.warm`);
}
const t0 = Bun.nanoseconds();
const c0 = cpu();
let bytes = 0;
if (mode === "butter") {
  const a = openSync(src, "r");
  const b = openSync(dst, "w");
  bytes = await spliceAll(a, b);
  closeSync(a);
  closeSync(b);
} else if (mode === "bun-write") {
  bytes = await Bun.write(Bun.file(dst), Bun.file(src));
} else if (mode === "stream") {
  const w = Bun.file(dst).writer();
  for await (const chunk of Bun.file(src).stream()) {
    w.write(chunk);
    bytes += chunk.byteLength;
  }
  await w.end();
} else throw new Error(`unknown mode ${mode}`);
console.log(`${Bun.nanoseconds() - t0} ${cpu() - c0} ${bytes}`);
