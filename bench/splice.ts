// Copies a file to a file or to a TCP socket, one way per run, and prints
// "elapsed-ns cpu-ns bytes". The destination is a path, or tcp:PORT for the sink on
// 127.0.0.1 (bench/c/tcp_sink.c), where the copy ends when the sink has read everything
// and closed, as in bench/c/splice_copy.c.
//   butter     spliceAll (file -> butter's pipe -> file or socket; the socket is Bun's)
//   bun-write  Bun.write(Bun.file(dst), Bun.file(src))                      (files only)
//   stream     Bun.file(src).stream() into Bun.file(dst).writer(), or into a Bun.connect
//              socket's write(), waiting for drain when it takes less
//   node-pipe  fs.createReadStream(src).pipe(net.connect(...))              (sockets only)
// Usage: bun bench/splice.ts <mode> <src> <dst>
import { closeSync, createReadStream, openSync, rmSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { type FdLike, spliceAll } from "../src/index.ts";

const [mode, src, dst] = process.argv.slice(2) as [string, string, string];
const port = dst.startsWith("tcp:") ? Number(dst.slice(4)) : 0;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
// The first use compiles butter's helpers (a few ms, measured by the start-up rows):
// warm up on 64 KiB of a file copy so that the figure is the copy's.
if (mode === "butter") {
  const z = openSync(src, "r");
  const y = openSync(`${src}.warm`, "w");
  await spliceAll(z, y, { length: 65536 });
  closeSync(z);
  closeSync(y);
  rmSync(`${src}.warm`);
}

/** A Bun socket to the sink; `closed` resolves when the sink has closed it. */
async function bunSocket(onDrain?: () => void) {
  let closed!: () => void;
  const done = new Promise<void>((r) => (closed = r));
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: { data() {}, drain: () => onDrain?.(), close: () => closed(), end: () => closed() },
  });
  return { socket, done };
}

let t0 = 0;
let c0 = 0;
const start = () => {
  t0 = Bun.nanoseconds();
  c0 = cpu();
};
let bytes = 0;
if (mode === "butter" && port) {
  const { socket, done } = await bunSocket();
  const a = openSync(src, "r");
  start();
  bytes = await spliceAll(a, socket as unknown as FdLike); // (Bun's types do not declare socket.fd)
  socket.end();
  await done;
  closeSync(a);
} else if (mode === "butter") {
  const a = openSync(src, "r");
  const b = openSync(dst, "w");
  start();
  bytes = await spliceAll(a, b);
  closeSync(a);
  closeSync(b);
} else if (mode === "bun-write" && !port) {
  start();
  bytes = await Bun.write(Bun.file(dst), Bun.file(src));
} else if (mode === "stream" && port) {
  let wake = () => {};
  const { socket, done } = await bunSocket(() => wake());
  start();
  for await (const chunk of Bun.file(src).stream()) {
    for (let off = 0; off < chunk.byteLength; ) {
      const n = socket.write(chunk.subarray(off));
      off += Math.max(n, 0);
      if (off < chunk.byteLength) await new Promise<void>((r) => (wake = r));
    }
    bytes += chunk.byteLength;
  }
  socket.end();
  await done;
} else if (mode === "stream") {
  start();
  const w = Bun.file(dst).writer();
  for await (const chunk of Bun.file(src).stream()) {
    w.write(chunk);
    bytes += chunk.byteLength;
  }
  await w.end();
} else if (mode === "node-pipe" && port) {
  const socket = netConnect({ host: "127.0.0.1", port });
  await new Promise((r) => socket.once("connect", r));
  start();
  const input = createReadStream(src);
  input.on("data", (c) => (bytes += c.length));
  input.pipe(socket);
  socket.resume(); // read the sink's EOF
  await new Promise((r) => socket.once("close", r));
} else throw new Error(`unknown mode ${mode} for ${dst}`);
console.log(`${Bun.nanoseconds() - t0} ${cpu() - c0} ${bytes}`);
