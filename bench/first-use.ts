// Start-up: import butter and use each of its 11 families once, as a program's first
// use would (objects made and kept: the process's exit gives them back), the least that
// reaches each family's C helpers (their compile by bun:ffi's cc is most of a first
// use). Run by bench/run.ts and timed as a whole process; harmless without privileges.
import * as b from "../src/index.ts";

b.getpid(); // process identity
b.gethostname(); // hostname
new b.Timerfd().after(1000); // timerfd
const e = new b.EventfdAsync(); // eventfd, and the reactor's first wait
setTimeout(() => e.write(1), 1);
await e.get();
new b.Inotify().watch("/tmp", b.IN_CREATE); // inotify, and its drain
b.sigpending(); // signals
new b.Pipe(); // splice
new b.AioContext(1); // Linux AIO
try {
  new b.Fanotify(b.FAN_REPORT_DFID_NAME); // fanotify (EPERM without privilege, helpers compiled)
} catch {}
b.mountinfo(); // mounts: /proc/self/mountinfo, parsed
b.unshare(0); // namespaces: a real unshare(2) that changes nothing
b.seccompGetNotifSizes(); // seccomp
console.log(performance.now().toFixed(2)); // ms from the process's start to here
process.exit(0); // (a timerfd or a drain would not keep it alive, but nothing is waited for)
