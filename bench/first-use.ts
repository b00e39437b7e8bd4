// Start-up: import butter and use each of its 11 families once, as a program's first
// use would (objects made and kept: the process's exit gives them back), the least that
// reaches each family's C helpers (their compile by bun:ffi's cc is most of a first
// use). Run by bench/run.ts and timed as a whole process; harmless without privileges.
// Prints, in ms, one a line: the import, the first call (one TinyCC compile of every
// loaded family's helpers), signal.c's once-per-process compile, the other first uses,
// and last the time from the process's start to the end.
const t0 = performance.now();
const b = await import("../src/index.ts");
const t1 = performance.now();
b.getpid(); // process identity; the first call compiles every family's helpers
const t2 = performance.now();
b.sigpending(); // signals: signal.c, compiled once per process
const t3 = performance.now();
b.gethostname(); // hostname
new b.Timerfd().after(1000); // timerfd
const e = new b.EventfdAsync(); // eventfd, and the reactor's first wait
setTimeout(() => e.write(1), 1);
await e.get();
new b.Inotify().watch("/tmp", b.IN_CREATE); // inotify, and its drain
new b.Pipe(); // splice
new b.AioContext(1); // Linux AIO
try {
  new b.Fanotify(b.FAN_REPORT_DFID_NAME); // fanotify (EPERM without privilege, helpers compiled)
} catch {}
b.mountinfo(); // mounts: /proc/self/mountinfo, parsed
b.unshare(0); // namespaces: a real unshare(2) that changes nothing
b.seccompGetNotifSizes(); // seccomp
const t4 = performance.now();
console.log([t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4].map((t) => t.toFixed(2)).join("\n"));
process.exit(0); // (a timerfd or a drain would not keep it alive, but nothing is waited for)
export {}; // (a module: it awaits at its top level)
