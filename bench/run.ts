// butter's benchmarks, all measured in one run on this machine: medians of several runs,
// ratios against a C baseline and against peers. Usage: bun bench/run.ts [--quick|--smoke]
// (--smoke: every row once with tiny counts, for test/bench.test.ts; its times mean
// nothing). Prints a table and writes the same figures, with the date and the machine,
// to bench/build/results.json. Needs gcc (C baselines) and python3 (asyncio peer).
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const smoke = process.argv.includes("--smoke");
const quick = smoke || process.argv.includes("--quick");
const RUNS = smoke ? 1 : quick ? 3 : 7;
const N = smoke ? 2_000 : quick ? 50_000 : 200_000;
const NWAIT = smoke ? 200 : quick ? 5_000 : 20_000;

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout.trim();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function measure(cmd: string, args: string[]): number {
  return median(Array.from({ length: RUNS }, () => Number(sh(cmd, args))));
}

mkdirSync(here("build"), { recursive: true });
for (const c of ["eventfd_sync", "eventfd_epoll", "eventfd_threads", "inotify_produce", "inotify_read", "signal_read", "splice_copy", "tcp_sink", "fanotify_read", "fanotify_perm", "seccomp_notify"]) {
  sh("gcc", ["-O2", "-pthread", "-o", here(`build/${c}`), here(`c/${c}.c`)]);
}
const bun = process.execPath;
const js = (mode: string, n: number) => measure(bun, [here("eventfd.ts"), mode, String(n)]);

const rows: [string, number, string][] = [];
const row = (name: string, ns: number, base?: number) =>
  rows.push([name, ns, base === undefined ? "" : `${(ns / base).toFixed(2)}x`]);

const cSync = measure(here("build/eventfd_sync"), [String(N)]);
row("sync   C: write+read", cSync);
const raw = js("raw", N);
row("sync   bare bun:ffi: write+read", raw, cSync);
const sync = js("sync", N);
row("sync   butter Eventfd: write()+read()", sync, cSync);

const cEpoll = measure(here("build/eventfd_epoll"), [String(N)]);
row("async  C: write+epoll_wait+read", cEpoll);
const py = measure("python3", [here("eventfd_asyncio.py"), String(N)]);
row("async  Python asyncio add_reader", py, cEpoll);
const asy = js("async", N);
row("async  butter EventfdAsync: write()+await get()", asy, cEpoll);

// Thread-to-thread figures swing up to 10x with where the scheduler puts the threads:
// each is given unpinned and pinned to one CPU (taskset -c 0, both sides), and for both
// reactor backends (the default, AIO poll on the epoll set, one hop; the helper thread,
// two hops: BUTTER_REACTOR=thread).
const cThreads = measure(here("build/eventfd_threads"), [String(NWAIT)]);
row("wait   C: two threads ping-pong", cThreads);
const wait = js("wait", NWAIT);
row("wait   butter: await get() woken by a Worker", wait, cThreads);
const waitThread = measure("env", ["BUTTER_REACTOR=thread", bun, here("eventfd.ts"), "wait", String(NWAIT)]);
row("wait   butter, thread backend: the same", waitThread, cThreads);
// Bun's own least for the same round trip (the Worker's eventfd read by Bun's stream):
// the part of butter's figure that is a wake-up of Bun's loop
const floor = js("floor", NWAIT);
row("wait   Bun's floor: Bun.file(fd).stream() woken by a Worker", floor, cThreads);
const cThreadsPinned = measure("taskset", ["-c", "0", here("build/eventfd_threads"), String(NWAIT)]);
row("wait   C: two threads ping-pong, pinned to CPU 0", cThreadsPinned);
const waitPinned = measure("taskset", ["-c", "0", bun, here("eventfd.ts"), "wait", String(NWAIT)]);
row("wait   butter: await get() woken by a Worker, pinned", waitPinned, cThreadsPinned);
const waitThreadPinned = measure("taskset", ["-c", "0", "env", "BUTTER_REACTOR=thread", bun, here("eventfd.ts"), "wait", String(NWAIT)]);
row("wait   butter, thread backend: the same, pinned", waitThreadPinned, cThreadsPinned);
const floorPinned = measure("taskset", ["-c", "0", bun, here("eventfd.ts"), "floor", String(NWAIT)]);
row("wait   Bun's floor: the same, pinned", floorPinned, cThreadsPinned);

// Import cost. Bun's first import of any file costs far more than a bare `bun -e 1`
// (the module loader starts), so butter is compared with importing an empty module;
// first use of every family adds the compilation of the C helpers by bun:ffi's cc.
const timeCmd = (args: string[]) =>
  median(
    Array.from({ length: RUNS * 2 }, () => {
      const t0 = Bun.nanoseconds();
      sh(bun, args);
      return Bun.nanoseconds() - t0;
    }),
  );
// What a Bun process prints last, in ms (each start-up row below prints one figure):
// the median of RUNS * 2 runs, in ns like every row.
const printedMs = (args: string[]) => median(Array.from({ length: RUNS * 2 }, () => Number(sh(bun, args).split("\n").at(-1)) * 1e6));
const index = here("../src/index.ts");
const empty = here("build/empty.ts");
writeFileSync(empty, "export {};\n");
row("start  bun -e 1", timeCmd(["-e", "1"]));
const bare = timeCmd(["-e", `await import(${JSON.stringify(empty)})`]);
row("start  import an empty module", bare);
row("start  import butter", timeCmd(["-e", `await import(${JSON.stringify(index)})`]), bare);
row("start  import butter/inotify (one family's entry point)", timeCmd(["-e", `await import(${JSON.stringify(here("../src/inotify/index.ts"))})`]), bare);
row("start  import + first use of all 11 families", timeCmd(["-e", `await import(${JSON.stringify(here("first-use.ts"))})`]), bare);

// Where an import's time goes, inside the process (no start or exit of it): the import
// alone, timed after an empty module's (the loader's own start is not in it). The same
// code as one bundled file shows what the module count costs; that bundle parsed but
// not run, what parsing costs; its top-level statements, timed with a clock read before
// each module, what running butter's module code costs; bun:ffi alone, what every family
// pays first. What is left is JSC compiling the top-level code and linking the exports.
// Comments cost little: a copy of src/ stripped of them imported no faster.
const importCost = (path: string) =>
  printedMs(["-e", `await import(${JSON.stringify(empty)}); const t = performance.now(); await import(${JSON.stringify(path)}); console.log(performance.now() - t)`]);
const built = await Bun.build({ entrypoints: [index], target: "bun" });
if (!built.success) throw new Error(`bundling src/ failed: ${built.logs.join("\n")}`);
const bundle = await built.outputs[0]!.text();
writeFileSync(here("build/butter-bundle.js"), bundle);
// (Bun.build marks the start of each module with a `// path` line at the top level)
const clocked = bundle.replace(/^\/\/ (?:src|bunffi)\/.*$/gm, (m) => `${m}\nglobalThis.__butterClock.push(performance.now());`);
writeFileSync(here("build/butter-clocked.js"), `globalThis.__butterClock = [performance.now()];\n${clocked}\nglobalThis.__butterClock.push(performance.now());\n`);
// the bundle's code parsed and never run: its body (no imports, no exports) inside a
// function that nothing calls (JSC parses a function's body, and compiles it at its call)
const body = bundle.replace(/^import [^;]*;\n/gm, "");
// (marked `// @bun` as the bundle is: Bun then does not transpile it; unmarked, its first
// import would, and later ones would read Bun's cache of transpiled files over 50 KB)
writeFileSync(here("build/butter-parsed.js"), `// @bun\nexport function never() {\n${body.slice(body.indexOf("\n") + 1, body.lastIndexOf("\nexport {"))}\n}\n`);
const chain = here("build/chain");
mkdirSync(chain, { recursive: true });
for (let i = 0; i < 70; i++) writeFileSync(`${chain}/m${i}.ts`, `${i < 69 ? `import "./m${i + 1}.ts";\n` : ""}export const x${i}: number = ${i};\n`);
writeFileSync(here("build/ffi-only.ts"), `import { cc } from "bun:ffi";\nexport const x = cc;\n`);
writeFileSync(here("build/empty.c"), "int bt_empty(void) { return 0; }\n");
const kb = `${Math.round(bundle.length / 1024)} KB`;
row("start  in process: import butter", importCost(index));
row("start  in process: import butter/eventfd (core and one family)", importCost(here("../src/eventfd/index.ts")));
row("start  in process: import butter/inotify (core and one family)", importCost(here("../src/inotify/index.ts")));
// the two inotify peers of bench/inotify-busy.ts, imported the same way
row("start  in process: peer: import chokidar", importCost(Bun.resolveSync("chokidar", here("."))));
row("start  in process: peer: import @parcel/watcher", importCost(Bun.resolveSync("@parcel/watcher", here("."))));
row(`start  in process: import butter as one bundled file (${kb})`, importCost(here("build/butter-bundle.js")));
row(`start  in process: the bundle parsed, not run`, importCost(here("build/butter-parsed.js")));
row(
  "start  in process: the bundle's top-level statements running",
  printedMs(["-e", `await import(${JSON.stringify(empty)}); await import(${JSON.stringify(here("build/butter-clocked.js"))}); const c = globalThis.__butterClock; console.log(c.at(-1) - c[0])`]),
);
row("start  in process: Bun: import bun:ffi", importCost(here("build/ffi-only.ts")));
row("start  in process: Bun: import 70 one-line modules", importCost(`${chain}/m0.ts`));

// The same, as the process itself sees it when it is ready (performance.now(): from its
// start), without the exit: the kernel's teardown of an AIO context or a fanotify group
// at exit (RCU grace periods) is a large part of the whole-process figure above. The
// first use of all 11 families is also split into its steps (bench/first-use.ts prints
// them): the import, the first call (one TinyCC compile of every loaded family's
// helpers), signal.c's once-per-process compile, and the other first uses.
const readyEmpty = printedMs(["-e", `await import(${JSON.stringify(empty)}); console.log(performance.now())`]);
row("start  ready at: an empty module imported", readyEmpty);
row("start  ready at: first use of one family (butter/inotify)", printedMs([here("first-use-one.ts")]), readyEmpty);
const steps = Array.from({ length: RUNS * 2 }, () => sh(bun, [here("first-use.ts")]).split("\n").map(Number));
const step = (i: number) => median(steps.map((s) => s[i]!)) * 1e6;
row("start  ready at: first use of all 11 families", step(4), readyEmpty);
row("start  of which: import butter", step(0));
row("start  of which: the first call (TinyCC compiles every family's helpers)", step(1));
row("start  of which: signal.c's compile, once per process", step(2));
row("start  of which: the other first uses", step(3));
row(
  "start  Bun: first cc() of an empty C file in a process",
  printedMs(["-e", `const { cc } = await import("bun:ffi"); const t = performance.now(); cc({ source: ${JSON.stringify(here("build/empty.c"))}, symbols: { bt_empty: { args: [], returns: "i32" } } }); console.log(performance.now() - t)`]),
);

// Signals: one signal sent to this process and received, one at a time.
const NSIG_OPS = smoke ? 200 : quick ? 5_000 : 20_000;
const sig = (mode: string, n = NSIG_OPS) => measure(bun, [here("signals.ts"), mode, String(n)]);
const cSig = measure(here("build/signal_read"), [String(NSIG_OPS)]);
row("signal C: sigqueue + signalfd read", cSig);
const sigSync = sig("sync");
row("signal butter Signalfd: sigqueue + readEvent()", sigSync, cSig);
// The held Signalfd's kernel path (a handler writes a pipe: Bun's threads do not block
// signals, so butter catches them), in C; and butter on C's own path (blocked, no hold)
const cSigHandler = measure(here("build/signal_read"), [String(NSIG_OPS), "handler"]);
row("signal C: sigqueue + handler writes a pipe + pipe read", cSigHandler);
row("signal butter Signalfd: the same, against that C", sigSync, cSigHandler);
const sigBare = sig("bare");
row("signal bare bun:ffi: the same (blocked, signalfd), no object", sigBare, cSig);
const sigNohold = sig("nohold");
row("signal butter Signalfd { hold: false }, blocked: sigqueue + readEvent()", sigNohold, cSig);
row("signal butter Signalfd { hold: false }, against bare bun:ffi", sigNohold, sigBare);
row("signal butter SignalfdAsync: sigqueue + await get()", sig("async"), cSig);
row("signal butter SignalfdAsync: kill, loop idles, await get()", sig("idle"), cSig);
row("signal Bun process.on: kill, await the listener", sig("processon"), cSig);
row("mask   processSigmask, per thread reached", sig("mask", smoke ? 5 : quick ? 50 : 200));

// inotify: events per second handed to the reader, same workload for every reader (a C
// producer creating and unlinking files: 2 events each). FILES stays under the kernel's
// max_queued_events so that a drain never overflows.
const maxQueued = Number(readFileSync("/proc/sys/fs/inotify/max_queued_events", "utf8"));
const FILES = smoke ? 200 : Math.min(8000, Math.floor((maxQueued - 64) / 2));
const ROUNDS = smoke ? 1 : quick ? 3 : 10;
const dir = mkdtempSync(`${tmpdir()}/butter-bench-`);
const workload = (mode: string) => [mode, here("build/inotify_produce"), dir, String(FILES), String(ROUNDS)];
const hasNode = spawnSync("node", ["--version"]).status === 0;
const fsWatch = (runtime: string, mode: string): [number, string] => {
  // prints "ns-per-event delivered expected"; the median run by time, and the least
  // delivered fraction of all runs
  const runs = Array.from({ length: RUNS }, () => sh(runtime, [here("inotify-fswatch.mjs"), ...workload(mode)]).split(" ").map(Number));
  const worst = Math.min(...runs.map(([, got, want]) => got! / want!));
  return [median(runs.map(([ns]) => ns!)), worst < 1 ? `only ${(worst * 100).toFixed(0)}% of the events delivered` : ""];
};
const irows: [string, number, number, string][] = [];
for (const mode of ["drain", "live"]) {
  const c = measure(here("build/inotify_read"), workload(mode));
  const add = (name: string, ns: number, note = "") => irows.push([`${mode.padEnd(5)}  ${name}`, ns, c, note]);
  add("C: read(2) 64 KiB + walk", c);
  add("butter InotifyAsync: await get()", measure(bun, [here("inotify.ts"), "async", ...workload(mode)]));
  add("butter Inotify: readEvents()", measure(bun, [here("inotify.ts"), "sync", ...workload(mode)]));
  add("butter Inotify, no drain: readEvents()", measure(bun, [here("inotify.ts"), "direct", ...workload(mode)]));
  add("inotifywait -m, lines via a pipe", measure(bun, [here("inotifywait.ts"), ...workload(mode)]));
  add("fs.watch in Bun", ...fsWatch(bun, mode));
  if (hasNode) add("fs.watch in Node", ...fsWatch("node", mode));
}
rmSync(dir, { recursive: true, force: true });

// inotify while the JS thread is busy: this process makes BUSY_FILES creations in a
// watched tree (writeFileSync, so JS reads nothing meanwhile), more than the kernel
// queues; how many each watcher reports, and how late its last event is (one run each:
// a count is not a time).
const BUSY_FILES = smoke ? 500 : 20_000;
const brows: { name: string; reported: number; lagMs: number }[] = [];
for (const [watcher, name] of [
  ["butter", "butter InotifyTree (the drain reads meanwhile)"],
  ["butter-nodrain", "butter InotifyTree, { drain: false }"],
  ["parcel", "@parcel/watcher (its own thread reads)"],
  ["chokidar", "chokidar (fs.watch)"],
] as const) {
  const bdir = mkdtempSync(`${tmpdir()}/butter-bench-busy-`);
  const [reported, lagMs] = sh(bun, [here("inotify-busy.ts"), watcher, bdir, String(BUSY_FILES)]).split(" ").map(Number);
  brows.push({ name, reported: reported!, lagMs: lagMs! });
  rmSync(bdir, { recursive: true, force: true });
}

// fanotify (needs root): events per second handed to the reader, against a C reader of
// the same group doing the same work (bench/c/fanotify_read.c), on the inotify
// benchmark's workload: a FID group with names (creations and deletions) and a group
// that reports fds (each one's path read and the fd closed); and the permission round
// trip: an open(2) blocked by FAN_OPEN_PERM until the responder allows it, the opener's
// time per open, against a C responder, unpinned and pinned to one CPU (both sides).
const frows: [string, number, number, string][] = [];
const isRoot = process.getuid?.() === 0;
if (isRoot) {
  const fdir = mkdtempSync(`${existsSync("/dev/shm") ? "/dev/shm" : tmpdir()}/butter-bench-fan-`);
  const fload = (group: string, mode: string) => [group, mode, here("build/inotify_produce"), fdir, String(FILES), String(ROUNDS)];
  for (const group of ["fid", "fd"]) {
    for (const mode of ["drain", "live"]) {
      const c = measure(here("build/fanotify_read"), fload(group, mode));
      const add = (name: string, ns: number) => frows.push([`${group.padEnd(3)} ${mode.padEnd(5)}  ${name}`, ns, c, ""]);
      add("C: read(2) + walk", c);
      add("butter Fanotify: readEvents()", measure(bun, [here("fanotify.ts"), "read", "sync", ...fload(group, mode)]));
      add("butter FanotifyAsync: await get()", measure(bun, [here("fanotify.ts"), "read", "async", ...fload(group, mode)]));
    }
  }
  const guarded = `${fdir}/guarded`;
  writeFileSync(guarded, "x");
  const NPERM = smoke ? 200 : quick ? 5_000 : 20_000;
  const perm = here("build/fanotify_perm");
  for (const pin of [[], ["taskset", "-c", "0"]]) {
    const run = (cmd: string[]) => measure(pin[0] ?? cmd[0]!, [...pin.slice(1), ...(pin.length ? cmd : cmd.slice(1))]);
    const how = pin.length ? "pinned" : "      ";
    const c = run([perm, "respond", guarded, String(NPERM)]);
    frows.push([`perm ${how}  C: read, FAN_ALLOW, close`, c, c, ""]);
    frows.push([`perm ${how}  butter FanotifyAsync: await get(), allow()`, run([bun, here("fanotify.ts"), "perm", perm, guarded, String(NPERM)]), c, ""]);
  }
  rmSync(fdir, { recursive: true, force: true });
}

// splice: one file copied to another (file -> pipe -> file), on tmpfs where there is one
// so that the disk is not what is measured, and the same file sent to a TCP socket on
// 127.0.0.1 whose reader is one C sink for every row (bench/c/tcp_sink.c). MiB/s of the
// median run, and the sender's CPU time (for Bun, every thread of the process).
const SPLICE_BYTES = smoke ? 1 << 20 : quick ? 64 << 20 : 256 << 20;
const sdir = mkdtempSync(`${existsSync("/dev/shm") ? "/dev/shm" : tmpdir()}/butter-bench-`);
const ssrc = `${sdir}/src`;
const sfd = openSync(ssrc, "w");
spawnSync("head", ["-c", String(SPLICE_BYTES), "/dev/urandom"], { stdio: ["ignore", sfd, "inherit"] });
closeSync(sfd);
/** One copy: to a file, or to a fresh sink, whose own count must be the whole file too. */
async function copyOnce(cmd: string, args: string[], to: "file" | "tcp"): Promise<number[]> {
  if (to === "file") return sh(cmd, [...args, ssrc, `${sdir}/dst`]).split(" ").map(Number);
  const sink = Bun.spawn([here("build/tcp_sink")], { stdout: "pipe" });
  const out = sink.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) text += new TextDecoder().decode((await out.read()).value);
  const r = sh(cmd, [...args, ssrc, `tcp:${Number.parseInt(text)}`]).split(" ").map(Number);
  for (let c = await out.read(); !c.done; c = await out.read()) text += new TextDecoder().decode(c.value);
  const got = Number(text.trim().split("\n")[1]);
  if ((await sink.exited) !== 0 || got !== SPLICE_BYTES) throw new Error(`the sink read ${got} of ${SPLICE_BYTES} bytes from ${args.join(" ")}`);
  return r;
}
async function copy(cmd: string, args: string[], to: "file" | "tcp"): Promise<[number, number]> {
  const runs: number[][] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await copyOnce(cmd, args, to));
  const mid = [...runs].sort((a, b) => a[0]! - b[0]!)[Math.floor(runs.length / 2)]!;
  if (mid[2] !== SPLICE_BYTES) throw new Error(`${cmd} ${args.join(" ")} copied ${mid[2]} of ${SPLICE_BYTES} bytes`);
  return [mid[0]!, mid[1]!];
}
const srows: [string, number, number][] = [];
const trows: [string, number, number][] = [];
const cCopy = here("build/splice_copy");
for (const [table, to] of [[srows, "file"], [trows, "tcp"]] as const) {
  table.push(["C: splice loop (1 MiB pipe)", ...(await copy(cCopy, ["splice"], to))]);
  table.push(["C: sendfile loop", ...(await copy(cCopy, ["sendfile"], to))]);
  table.push(["C: read/write loop (1 MiB buffer)", ...(await copy(cCopy, ["rw"], to))]);
  table.push(["butter spliceAll", ...(await copy(bun, [here("splice.ts"), "butter"], to))]);
}
srows.push(["Bun.write(Bun.file(dst), Bun.file(src))", ...(await copy(bun, [here("splice.ts"), "bun-write"], "file"))]);
srows.push(["Bun.file().stream() into a FileSink", ...(await copy(bun, [here("splice.ts"), "stream"], "file"))]);
trows.push(["Bun.file().stream() into a Bun.connect socket", ...(await copy(bun, [here("splice.ts"), "stream"], "tcp"))]);
trows.push(["fs.createReadStream().pipe(net socket)", ...(await copy(bun, [here("splice.ts"), "node-pipe"], "tcp"))]);
rmSync(sdir, { recursive: true, force: true });

// aio: random 4 KiB reads of a file on the disk (not tmpfs: O_DIRECT goes to the device)
// at queue depths 1, 32 and 128, in IOPS, against fio --ioengine=libaio with the same
// pattern (the physical limit) and Bun's own reads; and 1 MiB sequential reads at depth 4.
// Bun.file has no O_DIRECT: its reads go through the page cache, from which the file is
// dropped before each run (dd iflag=nocache); they read memory once a block was read.
const AIO_BYTES = smoke ? 8 << 20 : quick ? 128 << 20 : 512 << 20;
const AIO_SECONDS = smoke ? 0.2 : quick ? 1 : 3;
const adir = mkdtempSync(`${existsSync("/var/tmp") ? "/var/tmp" : tmpdir()}/butter-bench-aio-`);
const afile = `${adir}/data`;
const afd = openSync(afile, "w");
spawnSync("head", ["-c", String(AIO_BYTES), "/dev/urandom"], { stdio: ["ignore", afd, "inherit"] });
closeSync(afd);
const hasFio = spawnSync("fio", ["--version"]).status === 0;
const uncache = () => spawnSync("dd", [`if=${afile}`, "iflag=nocache", "count=0", "status=none"]);
const arows: { name: string; depth: number; pattern: string; iops: number; mibPerSecond: number }[] = [];
// The ways are measured in turn, one run of each per round (fio, butter, ...), so that a
// drift of the disk's own rate (20% between runs here) falls on all of them alike.
type Way = [name: string, measureOnce: () => number];
function aioRows(depth: number, pattern: "rand" | "seq", bs: number, ways: Way[]): void {
  const got = ways.map(() => [] as number[]);
  for (let r = 0; r < RUNS; r++) ways.forEach(([, once], i) => (uncache(), got[i]!.push(once())));
  ways.forEach(([name], i) => {
    const iops = median(got[i]!);
    arows.push({ name, depth, pattern, iops, mibPerSecond: (iops * bs) / (1 << 20) });
  });
}
const fio = (depth: number, pattern: "rand" | "seq", bs: number) => () => {
  const out = sh("fio", ["--name=r", `--filename=${afile}`, `--rw=${pattern === "rand" ? "randread" : "read"}`, `--bs=${bs}`, "--direct=1", "--ioengine=libaio", `--iodepth=${depth}`, `--runtime=${AIO_SECONDS}`, "--time_based", "--output-format=json"]);
  return JSON.parse(out).jobs[0].read.iops as number;
};
const bunAio = (mode: string, depth: number, pattern: "rand" | "seq", bs: number) => () => {
  const [ops, ns] = sh(bun, [here("aio.ts"), mode, afile, String(depth), String(AIO_SECONDS), pattern, String(bs)]).split(" ").map(Number);
  return ops! / (ns! / 1e9);
};
for (const depth of [1, 32, 128]) {
  aioRows(depth, "rand", 4096, [
    ...(hasFio ? [["fio --ioengine=libaio --direct=1", fio(depth, "rand", 4096)] as Way] : []),
    ["butter AioContext, O_DIRECT", bunAio("butter", depth, "rand", 4096)],
    ["node:fs/promises FileHandle.read, O_DIRECT", bunAio("fs-promises", depth, "rand", 4096)],
    ["Bun.file().slice().arrayBuffer() (page cache)", bunAio("bun-file", depth, "rand", 4096)],
  ]);
}
aioRows(4, "seq", 1 << 20, [
  ...(hasFio ? [["fio --ioengine=libaio --direct=1", fio(4, "seq", 1 << 20)] as Way] : []),
  ["butter AioContext, O_DIRECT", bunAio("butter", 4, "seq", 1 << 20)],
  ["node:fs/promises FileHandle.read, O_DIRECT", bunAio("fs-promises", 4, "seq", 1 << 20)],
]);
rmSync(adir, { recursive: true, force: true });

const w = Math.max(...rows.map((r) => r[0].length));
// seccomp: compiling a 300-name allow-list (butter, and libseccomp through its Python
// bindings), the instructions a call runs through each program (butter's binary search,
// libseccomp's linear chain), and the notification round trip against a C supervisor,
// unpinned and pinned to one CPU (taskset -c 0, both sides).
const NNOTIF = smoke ? 200 : quick ? 5_000 : 20_000;
const sfilter = JSON.parse(sh(bun, [here("seccomp.ts"), "filter", String(smoke ? 2 : 20)])) as {
  butterMs: number; libseccompMs: number | null; butterInsns: number; libseccompInsns: number | null;
  executed: Record<string, { butter: number; libseccomp: number | null }>;
};
const notifRows: [string, number, number][] = [];
for (const pin of [false, true]) {
  const pre = pin ? ["taskset", "-c", "0"] : [];
  const run = (argv: string[]) => measure(pre[0] ?? argv[0]!, [...pre.slice(1), ...(pre.length ? argv : argv.slice(1))]);
  const tag = pin ? "pinned" : "";
  const plain = run([here("build/seccomp_notify"), String(NNOTIF)]);
  const c = run([here("build/seccomp_notify"), String(NNOTIF), "syncwake"]);
  notifRows.push([`notify ${tag} C supervisor (RECV, SEND), SYNC_WAKE_UP`, c, c]);
  notifRows.push([`notify ${tag} C supervisor (RECV, SEND), plain wake-up`, plain, c]);
  for (const mode of ["sync", "async"]) {
    const label = mode === "sync" ? "butter SeccompNotify: readEvent(), value()" : "butter SeccompNotifyAsync: await get(), value()";
    notifRows.push([`notify ${tag} ${label}`, run([bun, here("seccomp.ts"), "notify", here("build/seccomp_notify"), String(NNOTIF), mode]), c]);
  }
}

console.log(`butter benchmarks: median of ${RUNS} runs, ${N} ops (wait: ${NWAIT}), ${new Date().toISOString()}`);
const fmt = (ns: number) => (ns < 1e5 ? `${ns.toFixed(0)} ns` : `${(ns / 1e6).toFixed(1)} ms`);
console.log(`${"".padEnd(w)}  ${"time/op".padStart(11)}  vs the group's baseline`);
for (const [name, ns, ratio] of rows) console.log(`${name.padEnd(w)}  ${fmt(ns).padStart(11)}  ${ratio}`);
console.log(`butter's own cost over bare bun:ffi (sync): ${(sync / raw).toFixed(2)}x`);

const iw = Math.max(...irows.map((r) => r[0].length));
console.log(`\ninotify: ${2 * FILES} events a round, ${ROUNDS} rounds a run, median of ${RUNS} runs (drain: read a full queue; live: the producer runs beside)`);
console.log(`${"".padEnd(iw)}  ${"events/s".padStart(10)}  ${"ns/event".padStart(8)}  vs C (events/s)`);
for (const [name, ns, c, note] of irows) {
  const ratio = ns === c ? "" : `${(c / ns).toFixed(2)}x`;
  console.log(`${name.padEnd(iw)}  ${(1e9 / ns / 1e6).toFixed(2).padStart(7)} M  ${ns.toFixed(0).padStart(8)}  ${ratio}${note ? `  (${note})` : ""}`);
}
console.log(`\ninotify: ${BUSY_FILES} creations by the JS thread itself (busy meanwhile), max_queued_events ${maxQueued}`);
const bw = Math.max(...brows.map((r) => r.name.length));
console.log(`${"".padEnd(bw)}  ${"reported".padStart(8)}  last event after the last write`);
for (const r of brows) console.log(`${r.name.padEnd(bw)}  ${String(r.reported).padStart(8)}  ${`${r.lagMs} ms`.padStart(8)}`);

if (frows.length > 0) {
  const fw = Math.max(...frows.map((r) => r[0].length));
  console.log(`\nfanotify: the inotify workload (${FILES} files a round, ${ROUNDS} rounds), median of ${RUNS} runs; the permission round trip per open`);
  console.log(`${"".padEnd(fw)}  ${"events/s".padStart(10)}  ${"ns/event".padStart(8)}  vs C (events/s)`);
  for (const [name, ns, c] of frows) {
    console.log(`${name.padEnd(fw)}  ${(1e9 / ns / 1e6).toFixed(2).padStart(7)} M  ${ns.toFixed(0).padStart(8)}  ${ns === c ? "" : `${(c / ns).toFixed(2)}x`}`);
  }
} else console.log("\nfanotify: not measured (needs root)");

const mibs = (ns: number) => SPLICE_BYTES / (1 << 20) / (ns / 1e9);
for (const [table, what] of [[srows, "copied to another file"], [trows, "sent to a TCP socket on 127.0.0.1"]] as const) {
  const sw = Math.max(...table.map((r) => r[0].length));
  console.log(`\nsplice: a ${SPLICE_BYTES >> 20} MiB file ${what}, median of ${RUNS} runs`);
  console.log(`${"".padEnd(sw)}  ${"MiB/s".padStart(7)}  ${"CPU ms".padStart(7)}  vs the C splice loop`);
  for (const [name, ns, cpuNs] of table) {
    console.log(`${name.padEnd(sw)}  ${mibs(ns).toFixed(0).padStart(7)}  ${(cpuNs / 1e6).toFixed(1).padStart(7)}  ${(mibs(ns) / mibs(table[0]![1])).toFixed(2)}x`);
  }
}

{
  const names = [...new Set(arows.filter((r) => r.pattern === "rand").map((r) => r.name))];
  const aw = Math.max(...names.map((n) => n.length));
  const at = (name: string, depth: number, pattern = "rand") => arows.find((r) => r.name === name && r.depth === depth && r.pattern === pattern);
  const fioName = "fio --ioengine=libaio --direct=1";
  const vs = (r: { name: string; iops: number; depth: number; pattern: string } | undefined) => {
    const f = r && at(fioName, r.depth, r.pattern);
    return r && f && r.name !== fioName ? ` ${(r.iops / f.iops).toFixed(2)}x` : "";
  };
  console.log(`\naio: random 4 KiB reads of a ${AIO_BYTES >> 20} MiB file on the disk, ${AIO_SECONDS} s a run, median of ${RUNS}; IOPS (vs fio)${hasFio ? "" : " (fio is not installed: no fio rows)"}`);
  console.log(`${"".padEnd(aw)}  ${"depth 1".padStart(14)}  ${"depth 32".padStart(14)}  ${"depth 128".padStart(14)}`);
  for (const n of names) {
    const cells = [1, 32, 128].map((d) => {
      const r = at(n, d);
      return `${r ? Math.round(r.iops) : "-"}${vs(r)}`.padStart(14);
    });
    console.log(`${n.padEnd(aw)}  ${cells.join("  ")}`);
  }
  console.log("sequential 1 MiB reads, depth 4, MiB/s:");
  for (const r of arows.filter((x) => x.pattern === "seq")) console.log(`  ${r.name.padEnd(aw)}  ${r.mibPerSecond.toFixed(0).padStart(7)}${vs(r)}`);
}

{
  console.log(`\nseccomp: a 300-name allow-list (default KILL_PROCESS), median of ${smoke ? 2 : 20} builds`);
  console.log(`  build: butter ${sfilter.butterMs.toFixed(2)} ms, libseccomp ${sfilter.libseccompMs === null ? "(no python3-seccomp)" : `${sfilter.libseccompMs.toFixed(2)} ms`}`);
  console.log(`  program: butter ${sfilter.butterInsns} instructions, libseccomp ${sfilter.libseccompInsns ?? "-"}`);
  console.log(`  instructions run per call (butter / libseccomp): ${Object.entries(sfilter.executed).map(([k, x]) => `${k} ${x.butter}/${x.libseccomp ?? "-"}`).join(", ")}`);
  console.log(`seccomp: the notification round trip, ${NNOTIF} calls, median of ${RUNS} runs (the filtered task's time per call)`);
  const nw = Math.max(...notifRows.map((r) => r[0].length));
  for (const [name, ns, c] of notifRows) console.log(`${name.padEnd(nw)}  ${(ns / 1000).toFixed(1).padStart(7)} us  ${ns === c ? "" : `${(ns / c).toFixed(2)}x C`}`);
}

// The same figures as JSON, with when and where they were measured.
const cpus = (await import("node:os")).cpus();
const results = {
  date: new Date().toISOString(),
  mode: smoke ? "smoke" : quick ? "quick" : "full",
  machine: {
    cpus: cpus.length,
    model: cpus[0]?.model ?? "",
    kernel: (await import("node:os")).release(),
    arch: process.arch,
    bun: Bun.version,
  },
  runs: RUNS,
  rows: rows.map(([name, ns, ratio]) => ({ name: name.replace(/\s+/g, " "), ns, ratio: ratio === "" ? null : Number(ratio.replace("x", "")) })),
  splice: [srows, trows].flatMap((table, i) =>
    table.map(([name, ns, cpuNs]) => ({ name, to: i ? "tcp" : "file", bytes: SPLICE_BYTES, mibPerSecond: mibs(ns), cpuMs: cpuNs / 1e6, vsCSplice: mibs(ns) / mibs(table[0]![1]) })),
  ),
  aio: arows.map((r) => ({ ...r, bytes: AIO_BYTES, vsFio: (() => {
    const f = arows.find((x) => x.name.startsWith("fio") && x.depth === r.depth && x.pattern === r.pattern);
    return f && !r.name.startsWith("fio") ? r.iops / f.iops : null;
  })() })),
  seccomp: { filter: sfilter, notify: notifRows.map(([name, ns, c]) => ({ name: name.replace(/\s+/g, " "), nsPerCall: ns, vsC: ns === c ? null : ns / c })) },
  fanotify: frows.map(([name, ns, c]) => ({ name: name.replace(/\s+/g, " "), nsPerEvent: ns, vsC: ns === c ? null : c / ns })),
  inotifyBusy: brows.map((r) => ({ ...r, files: BUSY_FILES, maxQueuedEvents: maxQueued })),
  inotify: irows.map(([name, ns, c, note]) => ({
    name: name.replace(/\s+/g, " "),
    eventsPerSecond: 1e9 / ns,
    nsPerEvent: ns,
    vsC: ns === c ? null : c / ns,
    note: note || null,
  })),
};
writeFileSync(here("build/results.json"), `${JSON.stringify(results, null, 1)}\n`);
console.log(`\nfigures as JSON: bench/build/results.json`);
