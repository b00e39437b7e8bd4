// Random (or sequential) reads of one file, `depth` requests in flight, for `seconds`;
// prints "ops elapsed-ns bytes". The ways:
//   butter      AioContext on an O_DIRECT fd, alignedBuffer() memory: each completion
//               sends the next request (the same pattern as fio --ioengine=libaio)
//   fs-promises node:fs/promises FileHandle.read on an O_DIRECT fd into the same aligned
//               memory, `depth` at once (Bun's thread pool does the preads)
//   bun-file    Bun.file(path).slice(off, off + bs).arrayBuffer(), `depth` at once: Bun
//               has no O_DIRECT, so these go through the page cache; bench/run.ts drops
//               the file from it before each run, and they read memory once a block was read.
// Usage: bun bench/aio.ts <mode> <file> <depth> <seconds> <rand|seq> [bs]
import { closeSync, constants, openSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { AioContext, alignedBuffer } from "../src/index.ts";

const [mode, path, depthArg, secondsArg, pattern, bsArg] = process.argv.slice(2) as string[];
const depth = Number(depthArg);
const bs = Number(bsArg ?? 4096);
const blocks = Math.floor(statSync(path!).size / bs);
let seq = 0;
const next = () => (pattern === "seq" ? seq++ % blocks : Math.floor(Math.random() * blocks)) * bs;
const until = Bun.nanoseconds() + Number(secondsArg) * 1e9;
let ops = 0;

/** `depth` workers, each issuing its next read when its last one completes. */
async function run(read: (slot: number, offset: number) => Promise<number>): Promise<void> {
  await Promise.all(
    Array.from({ length: depth }, async (_, slot) => {
      while (Bun.nanoseconds() < until) {
        if ((await read(slot, next())) !== bs) throw new Error("a short read");
        ops++;
      }
    }),
  );
}

const t0 = Bun.nanoseconds();
if (mode === "butter") {
  const fd = openSync(path!, constants.O_RDONLY | constants.O_DIRECT);
  await using ctx = new AioContext(Math.max(depth, 1));
  const bufs = Array.from({ length: depth }, () => alignedBuffer(bs));
  await run((slot, off) => ctx.read(fd, bufs[slot]!, off));
  closeSync(fd);
} else if (mode === "fs-promises") {
  const fh = await open(path!, constants.O_RDONLY | constants.O_DIRECT);
  const bufs = Array.from({ length: depth }, () => alignedBuffer(bs));
  await run(async (slot, off) => (await fh.read(bufs[slot]!, 0, bs, off)).bytesRead);
  await fh.close();
} else if (mode === "bun-file") {
  const f = Bun.file(path!);
  await run(async (_slot, off) => (await f.slice(off, off + bs).arrayBuffer()).byteLength);
} else throw new Error(`unknown mode ${mode}`);
console.log(`${ops} ${Bun.nanoseconds() - t0} ${ops * bs}`);
