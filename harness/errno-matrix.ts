/**
 * The errno matrix: one row per (call, errno) pair in the ERRORS section of the man page
 * of every call butter wraps, plus the recoveries butter promises (EINTR retried, EAGAIN
 * turned into a wait, a short transfer reported). test/errno-matrix.test.ts forces each
 * row through the libfiu shim (harness/fiu/) and asserts the outcome; a test checks that
 * every documented pair in the code (defineCall) has its row here.
 *
 * Adding a family: a scenario per call (how the public API makes that call, and how to
 * show the object still works afterwards), and its rows.
 */
import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import type * as Butter from "../src/index.ts";

type B = typeof Butter;
// biome-ignore lint: scenario contexts are whatever their setup returns
type Ctx = any;

export interface Scenario {
  /** the libc function the call's failures come from */
  fn: string;
  /** made before the failure window: the object the call is made on */
  setup?(b: B): Ctx;
  /** the public API call; it runs with the failure planned */
  call(b: B, ctx: Ctx): unknown;
  /** after the failure: the object (or, for a constructor, the family) still works */
  usable(b: B, ctx: Ctx): unknown;
  teardown?(b: B, ctx: Ctx): void;
}

/**
 * - an error class name: the call throws (or its promise rejects with) that class, with
 *   `code` the row's errno (EIO for a short transfer) and `syscall` the call's name;
 * - "retried": the call succeeds, after the failure was retried inside butter;
 * - "passes": the call succeeds: the errno means something butter documents as no
 *   error (a thread that exited while processSigmask was reaching it);
 * - "waits": an async get() turned EAGAIN into a wait and got the next value.
 */
export type Expect = "OSError" | "PermissionError" | "UnknownError" | "InternalError" | "ClockChangedError" | "retried" | "passes" | "waits";

export interface Row {
  /** the call id, as defineCall registered it */
  call: string;
  /** the errno forced; absent for a short transfer */
  errno?: string;
  /** a short transfer of this many bytes instead of an errno */
  short?: number;
  /** the libc function to fail, when not the scenario's */
  fn?: string;
  /** the scenario, when not the call's own */
  scenario?: string;
  /** fail the nth call to the function instead of the first */
  nth?: number;
  expect: Expect;
  /** what the error message must say (a short transfer's default: "moved K of the 8 bytes") */
  message?: RegExp;
  /** why this row cannot be forced (the row is listed, and reported as not forced) */
  cannot?: string;
}

/** An errno no wrapped call documents: every call must report it as UnknownError. */
export const UNDOCUMENTED = "ENOTRECOVERABLE";

const counterUsable = (_b: B, e: Butter.Eventfd) => {
  e.write(2);
  if (typeof e.read() !== "bigint") throw new Error("read did not return a bigint");
};

export const scenarios: Record<string, Scenario> = {
  close: {
    fn: "close",
    setup: (b) => new b.Eventfd(),
    call: (_b, e) => e.close(),
    // Linux released the fd even though close reported an error: the object is closed,
    // and the fd-leak check of the row proves the fd is gone.
    usable: (_b, e) => {
      if (!e.closed) throw new Error("object not closed after a failed close");
    },
  },
  eventfd: {
    fn: "eventfd",
    call: (b) => new b.Eventfd(),
    usable: (b) => new b.Eventfd().close(),
  },
  "eventfd/read": {
    fn: "read",
    setup: (b) => new b.Eventfd(5, b.EFD_NONBLOCK),
    call: (_b, e) => e.read(),
    usable: counterUsable,
    teardown: (_b, e) => e.close(),
  },
  "eventfd/read:get": {
    fn: "read",
    setup: (b) => new b.EventfdAsync(),
    call: async (_b, e) => {
      setTimeout(() => e.closed || e.write(9), 5); // (a late timer must not write to a closed object)
      const v = await e.get();
      if (v !== 9n) throw new Error(`got ${v}`);
    },
    usable: async (_b, e) => {
      e.write(1);
      await e.get();
    },
    teardown: (_b, e) => e.close(),
  },
  "eventfd/write": {
    fn: "write",
    setup: (b) => new b.Eventfd(0, b.EFD_NONBLOCK),
    call: (_b, e) => e.write(1),
    usable: counterUsable,
    teardown: (_b, e) => e.close(),
  },
  timerfd_create: {
    fn: "timerfd_create",
    call: (b) => new b.Timerfd(),
    usable: (b) => new b.Timerfd().close(),
  },
  timerfd_settime: {
    fn: "timerfd_settime",
    setup: (b) => new b.Timerfd(),
    call: (_b, t) => t.after(1000),
    usable: (_b, t) => {
      if (t.after(1000).gettime().value === 0n) throw new Error("not armed");
    },
    teardown: (_b, t) => t.close(),
  },
  timerfd_gettime: {
    fn: "timerfd_gettime",
    setup: (b) => new b.Timerfd().after(1000),
    call: (_b, t) => t.gettime(),
    usable: (_b, t) => t.gettime(),
    teardown: (_b, t) => t.close(),
  },
  "timerfd/read": {
    fn: "read",
    setup: (b) => {
      const t = new b.Timerfd(b.CLOCK_MONOTONIC, b.TFD_NONBLOCK).after(0);
      Bun.sleepSync(1);
      return t;
    },
    call: (_b, t) => t.read(),
    usable: (_b, t) => {
      t.after(0);
      Bun.sleepSync(1);
      t.read();
    },
    teardown: (_b, t) => t.close(),
  },
  clock_gettime: {
    fn: "clock_gettime",
    call: (b) => b.clockGettime(),
    usable: (b) => b.clockGettime(),
  },
  getpid: { fn: "syscall", call: (b) => b.getpid(), usable: (b) => b.getpid() },
  getppid: { fn: "syscall", call: (b) => b.getppid(), usable: (b) => b.getppid() },
  gettid: { fn: "syscall", call: (b) => b.gettid(), usable: (b) => b.gettid() },
  gethostname: { fn: "gethostname", call: (b) => b.gethostname(), usable: (b) => b.gethostname() },
  getdomainname: { fn: "getdomainname", call: (b) => b.getdomainname(), usable: (b) => b.getdomainname() },
  // The setters run in the test thread's own UTS namespace (see the test): never the host's.
  sethostname: { fn: "sethostname", call: (b) => b.sethostname("butter-fiu"), usable: (b) => b.sethostname("butter-fiu") },
  setdomainname: { fn: "setdomainname", call: (b) => b.setdomainname("fiu.test"), usable: (b) => b.setdomainname("fiu.test") },
  // The reactor starts on a thread's first wait. Its start can fail at epoll_create1,
  // pipe2 or pthread_create; afterwards the queue still hands out what is ready.
  epoll_create1: {
    fn: "epoll_create1",
    setup: (b) => new b.EventfdAsync(),
    call: (_b, e) => e.get(),
    usable: (_b, e) => {
      e.write(3);
      if (e.getNowait() !== 3n) throw new Error("value lost");
    },
    teardown: (_b, e) => e.close(),
  },
  epoll_ctl: {
    fn: "epoll_ctl",
    setup: (b) => new b.EventfdAsync(),
    call: (_b, e) => e.get(),
    // the failed get() must not stay in line: the next get() receives the next value
    usable: async (_b, e) => {
      setTimeout(() => e.closed || e.write(4), 5);
      const v = await e.get();
      if (v !== 4n) throw new Error(`got ${v}`);
    },
    teardown: (_b, e) => e.close(),
  },
  inotify_init1: {
    fn: "inotify_init1",
    call: (b) => new b.Inotify(),
    usable: (b) => new b.Inotify().close(),
  },
  inotify_add_watch: {
    fn: "inotify_add_watch",
    setup: (b) => new b.Inotify(b.IN_NONBLOCK),
    call: (_b, ino) => ino.watch("/tmp"),
    usable: (b, ino) => {
      const wd = ino.watch("/tmp", b.IN_ATTRIB);
      if (ino.pathOf(wd) !== "/tmp") throw new Error("watch not registered");
      // the failed watch left nothing behind in the registry
      if (ino.watches.size !== 1) throw new Error(`registry has ${ino.watches.size} watches`);
    },
    teardown: (_b, ino) => ino.close(),
  },
  inotify_rm_watch: {
    fn: "inotify_rm_watch",
    setup: (b) => {
      const ino = new b.Inotify(b.IN_NONBLOCK);
      return { ino, wd: ino.watch("/tmp", b.IN_ATTRIB) };
    },
    call: (_b, c) => c.ino.unwatch(c.wd),
    // the failed unwatch left the watch registered; a second one works
    usable: (_b, c) => {
      if (c.ino.pathOf(c.wd) !== "/tmp") throw new Error("watch lost");
      c.ino.unwatch(c.wd);
      const [ev] = c.ino.readEvents();
      if (ev?.flags.join() !== "IN_IGNORED" || ev.path !== "/tmp") throw new Error(`got ${ev?.flags}`);
    },
    teardown: (_b, c) => c.ino.close(),
  },
  "inotify/read": {
    fn: "read",
    setup: (b) => inotifyWithEvent(b, b.IN_NONBLOCK),
    call: (_b, c) => c.ino.readEvent(), // (readEvents() returns [] on EAGAIN, as documented)
    usable: (_b, c) => {
      c.touch();
      if (c.ino.readEvents().length === 0) throw new Error("no event after the failure");
    },
    teardown: inotifyTeardown,
  },
  "inotify/read:get": {
    fn: "read",
    setup: (b) => inotifyWithEvent(b, 0, true),
    call: async (_b, c) => {
      setTimeout(() => c.ino.closed || c.touch(), 5);
      const ev = await c.ino.get();
      if (!(ev.mask & 0x4)) throw new Error(`got ${ev.flags}`);
    },
    usable: async (_b, c) => {
      c.touch();
      await c.ino.get();
    },
    teardown: inotifyTeardown,
  },
  // Signals. These rows run in the test runner itself, so they use SIGURG, whose default
  // action is to ignore it: even a signal that escaped a hold could do no harm. A held
  // Signalfd changes every thread's mask and SIGURG's disposition; each `usable` checks
  // that a failed call left neither behind.
  pthread_sigmask: {
    fn: "pthread_sigmask",
    call: (b) => b.pthreadSigmask(b.SIG_BLOCK, null),
    usable: (b) => b.pthreadSigmask(b.SIG_BLOCK, null),
  },
  sigpending: { fn: "sigpending", call: (b) => b.sigpending(), usable: (b) => b.sigpending() },
  tgkill: {
    fn: "tgkill",
    call: (b) => b.tgkill(b.getpid(), b.gettid(), "SIGURG"),
    usable: (b) => b.tgkill(b.getpid(), b.gettid(), "SIGURG"),
  },
  sigqueue: {
    fn: "sigqueue",
    call: (b) => b.sigqueue(b.getpid(), "SIGURG", 1),
    usable: (b) => b.sigqueue(b.getpid(), "SIGURG", 1),
  },
  signalfd: {
    fn: "signalfd",
    call: (b) => new b.Signalfd(["SIGURG"]),
    usable: signalsUsable,
  },
  // processSigmask: installing its handler (sigaction, pipe2), then reaching each thread
  sigaction: {
    fn: "sigaction",
    call: (b) => b.processSigmask(b.SIG_BLOCK, ["SIGURG"]),
    usable: (b) => {
      notHeld(b);
      b.processSigmask(b.SIG_BLOCK, ["SIGURG"]);
      b.processSigmask(b.SIG_UNBLOCK, ["SIGURG"]);
      notHeld(b);
    },
  },
  // a Signalfd catching its signal (butter's handler), after its masks changed
  "sigaction:Signalfd": {
    fn: "sigaction",
    call: (b) => new b.Signalfd(["SIGURG"]),
    usable: signalsUsable,
  },
  "processSigmask/tgkill": {
    fn: "tgkill",
    call: (b) => b.processSigmask(b.SIG_BLOCK, ["SIGURG"]),
    usable: (b) => {
      b.processSigmask(b.SIG_UNBLOCK, ["SIGURG"]); // after a row that passed
      notHeld(b);
      b.processSigmask(b.SIG_BLOCK, ["SIGURG"]);
      b.processSigmask(b.SIG_UNBLOCK, ["SIGURG"]);
    },
  },
  "signalfd/read": {
    fn: "read",
    setup: (b) => signalfdWithSignal(b),
    call: (_b, sfd) => sfd.readEvent(), // read 1: the pipe of caught signals; 2: the signalfd
    // (a second SIGURG merges with one still pending: exactly one is read either way)
    usable: (b, sfd) => {
      b.tgkill(b.getpid(), b.gettid(), "SIGURG");
      if (sfd.readEvent().signo !== 23) throw new Error("SIGURG lost");
    },
    teardown: (b, sfd) => {
      sfd.close();
      notHeld(b);
    },
  },
  "signalfd/read:get": {
    fn: "read",
    setup: (b) => new b.SignalfdAsync(["SIGURG"]),
    call: async (b, sfd) => {
      setTimeout(() => sfd.closed || b.tgkill(b.getpid(), b.gettid(), "SIGURG"), 5);
      if ((await sfd.get()).signo !== 23) throw new Error("not SIGURG");
    },
    usable: async (b, sfd) => {
      b.tgkill(b.getpid(), b.gettid(), "SIGURG");
      await sfd.get();
    },
    teardown: (b, sfd) => {
      sfd.close();
      notHeld(b);
    },
  },
  // a blocking read with nothing there waits in poll(2) on the pipe and the signalfd
  "signalfd/poll": {
    fn: "poll",
    setup: (b) => ({ sfd: new b.Signalfd(["SIGURG"]), killer: undefined }),
    call: (b, c) => {
      // (another process sends it: an EINTR'd wait must go on waiting, and then end)
      c.killer = Bun.spawn(["sh", "-c", `sleep 0.05; kill -URG ${b.getpid()}`]);
      return c.sfd.readEvent();
    },
    usable: (b, c) => {
      b.tgkill(b.getpid(), b.gettid(), "SIGURG");
      if (c.sfd.readEvent().signo !== 23) throw new Error("not SIGURG");
    },
    // The sender must not outlive the row: its late signal would be read by the next
    // row's Signalfd before that row's wait (kill(2) is done when it returns, so after
    // SIGKILL nothing more can come).
    teardown: (b, c) => {
      c.killer.kill("SIGKILL");
      c.sfd.close();
      notHeld(b);
    },
  },
};

// A failed call must leave SIGURG neither held nor blocked in this thread.
function notHeld(b: B): void {
  if (b.heldSignals().size !== 0) throw new Error(`signals still held: ${[...b.heldSignals().keys()]}`);
  if (b.pthreadSigmask(b.SIG_BLOCK, null).has(23)) throw new Error("SIGURG still blocked in this thread");
}

function signalsUsable(b: B): void {
  notHeld(b);
  const sfd = new b.Signalfd(["SIGURG"], { flags: b.SFD_NONBLOCK });
  try {
    b.tgkill(b.getpid(), b.gettid(), "SIGURG");
    if (sfd.readEvent().signo !== 23) throw new Error("not SIGURG");
  } finally {
    sfd.close();
  }
  notHeld(b);
}

// A held non-blocking Signalfd with one SIGURG pending for this thread (in the kernel:
// this thread runs JS, so the signal waits for the signalfd instead of being caught).
function signalfdWithSignal(b: B) {
  const sfd = new b.Signalfd(["SIGURG"], { flags: b.SFD_NONBLOCK });
  b.tgkill(b.getpid(), b.gettid(), "SIGURG");
  return sfd;
}

// An inotify watching a directory of its own, with one IN_ATTRIB queued (none for the
// async one); `touch()` queues another.
function inotifyWithEvent(b: B, flags: number, async = false) {
  const dir = mkdtempSync("/tmp/butter-fiu-");
  const ino = async ? new b.InotifyAsync(flags) : new b.Inotify(flags);
  ino.watch(dir, b.IN_ATTRIB);
  let t = 1;
  const touch = () => utimesSync(dir, t, t++);
  if (!async) touch();
  return { ino, touch, dir };
}

function inotifyTeardown(_b: B, c: ReturnType<typeof inotifyWithEvent>) {
  c.ino.close();
  rmSync(c.dir, { recursive: true, force: true });
}

const rows = (call: string, expect: Expect, errnos: string[], extra: Partial<Row> = {}): Row[] =>
  errnos.map((errno) => ({ call, errno, expect, ...extra }));

export const matrix: Row[] = [
  // The reactor's start first: once a thread's reactor runs, it is never started again.
  ...rows("epoll_create1", "OSError", ["EINVAL", "EMFILE", "ENFILE", "ENOMEM"]),
  ...rows("epoll_create1", "OSError", ["EMFILE", "ENFILE"], { fn: "pipe2" }),
  ...rows("epoll_create1", "OSError", ["EAGAIN"], { fn: "pthread_create" }),
  ...rows("epoll_create1", "UnknownError", [UNDOCUMENTED]),
  ...rows("epoll_ctl", "OSError", ["EBADF", "EEXIST", "EINVAL", "ELOOP", "ENOMEM", "ENOSPC", "EPERM"]),
  // butter arms with EPOLL_CTL_MOD and reads its ENOENT as "not registered yet", then
  // ADDs: ENOENT is an error only from the ADD, the second call.
  ...rows("epoll_ctl", "OSError", ["ENOENT"], { nth: 2 }),
  ...rows("epoll_ctl", "UnknownError", [UNDOCUMENTED]),

  ...rows("close", "OSError", ["EBADF", "EINTR", "EIO", "ENOSPC", "EDQUOT"]),
  ...rows("close", "UnknownError", [UNDOCUMENTED]),

  ...rows("eventfd", "OSError", ["EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM"]),
  ...rows("eventfd", "UnknownError", [UNDOCUMENTED]),
  ...rows("eventfd/read", "OSError", ["EAGAIN", "EINVAL", "EBADF", "EIO"]),
  ...rows("eventfd/read", "retried", ["EINTR"]),
  ...rows("eventfd/read", "waits", ["EAGAIN"], { scenario: "eventfd/read:get" }),
  ...rows("eventfd/read", "UnknownError", [UNDOCUMENTED]),
  { call: "eventfd/read", short: 3, expect: "InternalError" },
  ...rows("eventfd/write", "OSError", ["EAGAIN", "EINVAL", "EBADF", "EIO"]),
  ...rows("eventfd/write", "retried", ["EINTR"]),
  ...rows("eventfd/write", "UnknownError", [UNDOCUMENTED]),
  { call: "eventfd/write", short: 5, expect: "InternalError" },

  ...rows("timerfd_create", "OSError", ["EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM"]),
  ...rows("timerfd_create", "PermissionError", ["EPERM"]),
  ...rows("timerfd_create", "UnknownError", [UNDOCUMENTED]),
  ...rows("timerfd_settime", "OSError", ["EBADF", "EINVAL"]),
  ...rows("timerfd_settime", "InternalError", ["EFAULT"]),
  ...rows("timerfd_settime", "ClockChangedError", ["ECANCELED"]),
  ...rows("timerfd_settime", "UnknownError", [UNDOCUMENTED]),
  ...rows("timerfd_gettime", "OSError", ["EBADF", "EINVAL"]),
  ...rows("timerfd_gettime", "InternalError", ["EFAULT"]),
  ...rows("timerfd_gettime", "UnknownError", [UNDOCUMENTED]),
  ...rows("timerfd/read", "OSError", ["EAGAIN", "EINVAL", "EBADF", "EIO"]),
  ...rows("timerfd/read", "ClockChangedError", ["ECANCELED"]),
  ...rows("timerfd/read", "retried", ["EINTR"]),
  ...rows("timerfd/read", "UnknownError", [UNDOCUMENTED]),
  { call: "timerfd/read", short: 4, expect: "InternalError" },
  ...rows("clock_gettime", "OSError", ["EINVAL", "EOVERFLOW"]),
  ...rows("clock_gettime", "InternalError", ["EFAULT"]),
  ...rows("clock_gettime", "UnknownError", [UNDOCUMENTED]),

  // "These functions are always successful": any errno at all is undocumented.
  ...rows("getpid", "UnknownError", [UNDOCUMENTED]),
  ...rows("getppid", "UnknownError", [UNDOCUMENTED]),
  ...rows("gettid", "UnknownError", [UNDOCUMENTED]),

  ...rows("inotify_init1", "OSError", ["EINVAL", "EMFILE", "ENFILE", "ENOMEM"]),
  ...rows("inotify_init1", "UnknownError", [UNDOCUMENTED]),
  ...rows("inotify_add_watch", "OSError", ["EBADF", "EEXIST", "EINVAL", "ENAMETOOLONG", "ENOENT", "ENOMEM", "ENOSPC", "ENOTDIR"]),
  ...rows("inotify_add_watch", "PermissionError", ["EACCES"]),
  ...rows("inotify_add_watch", "InternalError", ["EFAULT"]),
  ...rows("inotify_add_watch", "UnknownError", [UNDOCUMENTED]),
  ...rows("inotify_rm_watch", "OSError", ["EBADF", "EINVAL"]),
  ...rows("inotify_rm_watch", "UnknownError", [UNDOCUMENTED]),
  ...rows("inotify/read", "OSError", ["EAGAIN", "EBADF", "EINVAL", "EIO"]),
  ...rows("inotify/read", "retried", ["EINTR"]),
  ...rows("inotify/read", "waits", ["EAGAIN"], { scenario: "inotify/read:get" }),
  ...rows("inotify/read", "UnknownError", [UNDOCUMENTED]),
  // the kernel consumed whole events but only part of one is reported
  { call: "inotify/read", short: 10, expect: "InternalError", message: /partial inotify event: 10 of 16 bytes/ },

  ...rows("pthread_sigmask", "OSError", ["EINVAL"]),
  ...rows("pthread_sigmask", "InternalError", ["EFAULT"]),
  ...rows("pthread_sigmask", "UnknownError", [UNDOCUMENTED]),
  ...rows("sigpending", "InternalError", ["EFAULT"]),
  ...rows("sigpending", "UnknownError", [UNDOCUMENTED]),
  ...rows("tgkill", "OSError", ["EAGAIN", "EINVAL", "ESRCH"]),
  ...rows("tgkill", "PermissionError", ["EPERM"]),
  ...rows("tgkill", "UnknownError", [UNDOCUMENTED]),
  ...rows("sigqueue", "OSError", ["EAGAIN", "EINVAL", "ESRCH"]),
  ...rows("sigqueue", "PermissionError", ["EPERM"]),
  ...rows("sigqueue", "UnknownError", [UNDOCUMENTED]),
  ...rows("signalfd", "OSError", ["EBADF", "EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM"]),
  // the pipe of caught signals, made after the signalfd (which must not leak)
  ...rows("signalfd", "OSError", ["EMFILE", "ENFILE"], { fn: "pipe2" }),
  ...rows("signalfd", "UnknownError", [UNDOCUMENTED]),
  ...rows("sigaction", "OSError", ["EINVAL", "EBUSY"]),
  ...rows("sigaction", "InternalError", ["EFAULT"]),
  ...rows("sigaction", "OSError", ["EMFILE", "ENFILE"], { fn: "pipe2" }),
  ...rows("sigaction", "OSError", ["EINVAL"], { scenario: "sigaction:Signalfd" }),
  ...rows("sigaction", "UnknownError", [UNDOCUMENTED]),
  ...rows("sigaction", "UnknownError", [UNDOCUMENTED], { scenario: "sigaction:Signalfd" }),
  ...rows("processSigmask/tgkill", "OSError", ["EAGAIN", "EINVAL"]),
  ...rows("processSigmask/tgkill", "PermissionError", ["EPERM"]),
  // the second thread fails: the first one, already changed, is put back (all or nothing)
  ...rows("processSigmask/tgkill", "OSError", ["EAGAIN"], { nth: 2 }),
  ...rows("processSigmask/tgkill", "passes", ["ESRCH"]),
  ...rows("processSigmask/tgkill", "UnknownError", [UNDOCUMENTED]),
  // waiting for the thread's answer
  ...rows("processSigmask/tgkill", "OSError", ["EINVAL", "ENOMEM", "ETIMEDOUT"], { fn: "poll" }),
  ...rows("processSigmask/tgkill", "InternalError", ["EFAULT"], { fn: "poll" }),
  ...rows("processSigmask/tgkill", "retried", ["EINTR"], { fn: "poll" }),
  ...rows("signalfd/read", "OSError", ["EBADF", "EINVAL", "EIO"]),
  ...rows("signalfd/read", "OSError", ["EBADF", "EIO"], { nth: 2 }),
  // EAGAIN from the pipe means "nothing caught": the signalfd is read next
  ...rows("signalfd/read", "retried", ["EAGAIN", "EINTR"]),
  ...rows("signalfd/read", "OSError", ["EAGAIN"], { nth: 2 }),
  ...rows("signalfd/read", "retried", ["EINTR"], { nth: 2 }),
  ...rows("signalfd/read", "waits", ["EAGAIN"], { scenario: "signalfd/read:get" }),
  ...rows("signalfd/read", "UnknownError", [UNDOCUMENTED]),
  { call: "signalfd/read", short: 100, nth: 2, expect: "InternalError", message: /partial signalfd_siginfo: 100 of 128 bytes/ },
  ...rows("signalfd/poll", "OSError", ["EINVAL", "ENOMEM"]),
  ...rows("signalfd/poll", "InternalError", ["EFAULT"]),
  ...rows("signalfd/poll", "retried", ["EINTR"]),
  ...rows("signalfd/poll", "UnknownError", [UNDOCUMENTED]),

  ...rows("gethostname", "OSError", ["EINVAL", "ENAMETOOLONG"]),
  ...rows("gethostname", "InternalError", ["EFAULT"]),
  ...rows("gethostname", "UnknownError", [UNDOCUMENTED]),
  ...rows("getdomainname", "OSError", ["EINVAL", "ENAMETOOLONG"]),
  ...rows("getdomainname", "InternalError", ["EFAULT"]),
  ...rows("getdomainname", "UnknownError", [UNDOCUMENTED]),
  ...rows("sethostname", "OSError", ["EINVAL"]),
  ...rows("sethostname", "PermissionError", ["EPERM"]),
  ...rows("sethostname", "InternalError", ["EFAULT"]),
  ...rows("sethostname", "UnknownError", [UNDOCUMENTED]),
  ...rows("setdomainname", "OSError", ["EINVAL"]),
  ...rows("setdomainname", "PermissionError", ["EPERM"]),
  ...rows("setdomainname", "InternalError", ["EFAULT"]),
  ...rows("setdomainname", "UnknownError", [UNDOCUMENTED]),
];

/** A row's label, as the tests and the table print it. */
export function label(r: Row): string {
  const what = (r.short !== undefined ? `short ${r.fn ?? ""}${r.short} bytes` : r.errno) + (r.nth ? ` (call ${r.nth})` : "");
  const via = r.fn ? ` (${r.fn})` : r.scenario ? ` (${r.scenario.split(":")[1]}())` : "";
  return `${r.call} ${what}${via} -> ${r.expect}`;
}
