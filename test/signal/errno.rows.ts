// The errno rows of signals: the sigset calls, signalfd(2) and its reads, sigqueue/tgkill, and processSigmask.
// Each row is forced through the libfiu shim by test/errno-matrix.test.ts (format and
// rules: harness/errno-rows.ts).
import { rows, rowsByClass, UNDOCUMENTED, type B, type Row, type Scenario } from "../../harness/errno-rows.ts";
import { loadPages } from "../../harness/errno-pages.ts";
import { libcFlags } from "../../bunffi/load.ts"; // (how butter finds the C library)

// processSetns moves every thread of the process: its rows run in a fresh process each
// (once: "process"), where every thread enters the mount namespace it is already in.
// Each step's failure is forced in the calling thread, which goes first: nothing moved.
const setnsScenario = (fn: string): Scenario => ({
  fn,
  setup: (b) => ({ fd: b.nsOpen("mnt", "self") }),
  call: (b, c) => b.processSetns(c.fd, b.CLONE_NEWNS, { cwd: "/" }),
  returns: (_b, _c, r) => {
    if ((r as { moved: number }).moved < 2) throw new Error("fewer than two threads moved");
  },
  usable: (b, c) => {
    const r = b.processSetns(c.fd, b.CLONE_NEWNS, { cwd: "/" });
    if (r.moved < 2) throw new Error("fewer than two threads moved");
  },
  teardown: (_b, c) => require("node:fs").closeSync(c.fd),
});

export const scenarios: Record<string, Scenario> = {
  "processSetns/unshare": setnsScenario("unshare"),
  "processSetns/setns": setnsScenario("setns"),
  "processSetns/chdir": setnsScenario("chdir"),
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
  // processSigmask. Its handler (sigaction) and pipes (pipe2) are made once per process:
  // those rows run in a fresh process (once: "process"). Then it changes this thread's
  // mask (pthread_sigmask), lists the threads (opendir), reads each one's mask (open of
  // its status file), and reaches it (tgkill, then poll for the answer).
  sigaction: { fn: "sigaction", call: (b) => b.processSigmask(b.SIG_BLOCK, ["SIGURG"]), usable: maskUsable },
  "pipe2:processSigmask": { fn: "pipe2", call: (b) => b.processSigmask(b.SIG_BLOCK, ["SIGURG"]), usable: maskUsable },
  "pthread_sigmask:processSigmask": { fn: "pthread_sigmask", call: (b) => b.processSigmask(b.SIG_BLOCK, ["SIGURG"]), usable: maskUsable },
  "opendir:processSigmask": { fn: "opendir", call: (b) => b.processSigmask(b.SIG_BLOCK, ["SIGURG"]), usable: maskUsable },
  "open:processSigmask": { fn: "open", call: (b) => b.processSigmask(b.SIG_BLOCK, ["SIGURG"]), returns: blockedNow, usable: maskUsable },
  "read:processSigmask": { fn: "read", call: (b) => b.processSigmask(b.SIG_BLOCK, ["SIGURG"]), returns: blockedNow, usable: maskUsable },
  "tgkill:processSigmask": { fn: "tgkill", call: (b) => b.processSigmask(b.SIG_BLOCK, ["SIGURG"]), returns: blockedNow, usable: maskUsable },
  // a thread that blocks SIGRTMAX (and SIGURG: it needs nothing) is one processSigmask
  // cannot reach: its list of those is a second allocation (realloc 2)
  // processSetns beside a thread it cannot reach: that thread is listed as skipped, the
  // third list made (realloc 3: after the calling thread's entry and the unreached one's)
  "realloc:skipped": {
    fn: "realloc",
    setup: (b) => ({ t: unreachableThread(), fd: b.nsOpen("mnt", "self") }),
    call: (b, c) => b.processSetns(c.fd, b.CLONE_NEWNS, { cwd: "/" }),
    usable: (b, c) => {
      const r = b.processSetns(c.fd, b.CLONE_NEWNS, { cwd: "/" });
      if (r.skipped.length < 1) throw new Error("the blocking thread was not reported skipped");
    },
    teardown: (_b, c) => {
      c.t.stop();
      require("node:fs").closeSync(c.fd);
    },
  },
  "realloc:unreached": {
    fn: "realloc",
    setup: () => unreachableThread(),
    call: (b) => b.processSigmask(b.SIG_BLOCK, ["SIGURG"]),
    usable: maskUsable,
    teardown: (_b, t) => t.stop(),
  },
  // a Signalfd catching its signal (butter's handler) before its masks change; the pipe
  // of caught signals, made after the signalfd (which must not leak); the key whose
  // destructor releases a Worker's holds when it ends (made once per process)
  "sigaction:Signalfd": { fn: "sigaction", call: (b) => new b.Signalfd(["SIGURG"]), usable: signalsUsable },
  "pipe2:Signalfd": { fn: "pipe2", call: (b) => new b.Signalfd(["SIGURG"]), usable: signalsUsable },
  // the record of every thread's old mask, allocated before any mask changes
  "malloc:Signalfd": { fn: "malloc", call: (b) => new b.Signalfd(["SIGURG"]), usable: signalsUsable },
  "pthread_key_create:Signalfd": { fn: "pthread_key_create", call: (b) => new b.Signalfd(["SIGURG"]), usable: signalsUsable },
  // Signalfd.close() releasing its hold: every thread's mask back (this one's with
  // pthread_sigmask, the others' through tgkill), then the disposition (sigaction). All
  // or nothing: when a step fails, close() throws and the object is still open and
  // holding; a second close() then releases everything.
  "sigaction:close": closeScenario("sigaction"),
  "tgkill:close": closeScenario("tgkill"),
  "realloc:close": closeScenario("realloc"),
  "pthread_sigmask:close": closeScenario("pthread_sigmask"),
  "signalfd/read": {
    fn: "read",
    setup: (b) => signalfdWithSignal(b),
    call: (_b, sfd) => sfd.readEvent(), // read 1: the pipe of caught signals; 2: the signalfd
    returns: isUrg,
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
      return await sfd.get();
    },
    returns: isUrg,
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
    returns: isUrg,
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

// What a retried read returned: SIGURG's record.
function isUrg(_b: B, _ctx: unknown, si: unknown): void {
  if ((si as { signo?: number }).signo !== 23) throw new Error(`read ${JSON.stringify(si)}, not SIGURG's record`);
}

// A processSigmask that passed: it returned the old mask (without SIGURG) and SIGURG is
// blocked here now.
function blockedNow(b: B, _ctx: unknown, old: unknown): void {
  if (!(old instanceof Set) || old.has(23)) throw new Error("the old mask was not returned");
  if (!b.pthreadSigmask(b.SIG_BLOCK, null).has(23)) throw new Error("SIGURG is not blocked after a call that passed");
}

function closeScenario(fn: string): Scenario {
  return {
    fn,
    setup: (b) => new b.Signalfd(["SIGURG"], { flags: b.SFD_NONBLOCK }),
    call: (_b, sfd) => sfd.close(),
    usable: (b, sfd) => {
      if (sfd.closed) throw new Error("a failed close() closed the object");
      if (b.heldSignals().get(23) !== 1) throw new Error("a failed close() released the hold");
      if (!b.pthreadSigmask(b.SIG_BLOCK, null).has(23)) throw new Error("a failed close() unblocked SIGURG here");
      b.tgkill(b.getpid(), b.gettid(), "SIGURG");
      if (sfd.readEvent().signo !== 23) throw new Error("the hold no longer works");
      sfd.close();
      notHeld(b);
    },
    teardown: (_b, sfd) => sfd.closed || sfd.close(),
  };
}

// processSigmask after a failed one: nothing was left blocked, and it works.
/** A thread (test/signal/stuck-thread.c) that blocks SIGRTMAX and SIGURG until stopped. */
function unreachableThread(): { stop: () => void } {
  const { cc } = require("bun:ffi");
  const { symbols: t } = cc({
    source: new URL("./stuck-thread.c", import.meta.url).pathname,
    flags: libcFlags(),
    symbols: { blocker_start: { args: ["u64"], returns: "i32" }, blocker_stop: { args: [], returns: "void" } },
  });
  if (t.blocker_start((1n << 63n) | (1n << 22n)) <= 0) throw new Error("no blocking thread"); // SIGRTMAX, SIGURG
  return { stop: () => t.blocker_stop() };
}

function maskUsable(b: B): void {
  b.processSigmask(b.SIG_UNBLOCK, ["SIGURG"]); // after a row that passed
  notHeld(b);
  b.processSigmask(b.SIG_BLOCK, ["SIGURG"]);
  b.processSigmask(b.SIG_UNBLOCK, ["SIGURG"]);
  notHeld(b);
}

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

const once = { once: "process" } as const;

export const matrix: Row[] = [
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
  ...rows("signalfd", "UnknownError", [UNDOCUMENTED]),
  // processSigmask's machinery, made once per process: sigaction reads, then sets, the
  // SIGRTMAX handler; pipe2 makes the answer pipe, then the claim pipe
  ...rows("sigaction", "OSError", ["EINVAL"], once),
  ...rows("sigaction", "OSError", ["EINVAL"], { ...once, nth: 2 }),
  ...rows("sigaction", "InternalError", ["EFAULT"], once),
  ...rows("sigaction", "UnknownError", [UNDOCUMENTED], once),
  ...rows("pipe2", "OSError", ["EMFILE", "ENFILE"], { ...once, scenario: "pipe2:processSigmask" }),
  ...rows("pipe2", "OSError", ["EMFILE"], { ...once, scenario: "pipe2:processSigmask", nth: 2 }),
  ...rows("pthread_key_create", "OSError", ["EAGAIN", "ENOMEM"], { ...once, scenario: "pthread_key_create:Signalfd" }),
  // each call
  ...rows("pthread_sigmask", "OSError", ["EINVAL"], { scenario: "pthread_sigmask:processSigmask" }),
  ...rows("processSigmask/opendir", "OSError", ["EMFILE", "ENFILE", "ENOENT", "ENOMEM", "ENOTDIR"], { scenario: "opendir:processSigmask" }),
  ...rows("processSigmask/opendir", "PermissionError", ["EACCES"], { scenario: "opendir:processSigmask" }),
  ...rows("processSigmask/opendir", "UnknownError", [UNDOCUMENTED], { scenario: "opendir:processSigmask" }),
  ...rows("processSigmask/open", "OSError", ["EMFILE", "ENFILE", "ENOMEM"], { scenario: "open:processSigmask" }),
  ...rows("processSigmask/open", "PermissionError", ["EACCES"], { scenario: "open:processSigmask" }),
  // the status file of a thread that ended meanwhile is gone: that thread needs nothing
  ...rows("processSigmask/open", "passes", ["ENOENT", "ESRCH"], { scenario: "open:processSigmask" }),
  // the status file's read: ESRCH or nothing at all when the thread ended meanwhile
  ...rows("processSigmask/read", "passes", ["ESRCH"], { scenario: "read:processSigmask" }),
  { call: "processSigmask/read", short: 0, expect: "passes", scenario: "read:processSigmask" },
  ...rows("processSigmask/open", "UnknownError", [UNDOCUMENTED], { scenario: "open:processSigmask" }),
  ...rows("tgkill", "OSError", ["EAGAIN", "EINVAL"], { scenario: "tgkill:processSigmask" }),
  ...rows("tgkill", "PermissionError", ["EPERM"], { scenario: "tgkill:processSigmask" }),
  // the second thread fails: the first one, already changed, is put back (all or nothing)
  ...rows("tgkill", "OSError", ["EAGAIN"], { scenario: "tgkill:processSigmask", nth: 2 }),
  // a thread that ended meanwhile needs nothing
  ...rows("tgkill", "passes", ["ESRCH"], { scenario: "tgkill:processSigmask" }),
  ...rows("tgkill", "UnknownError", [UNDOCUMENTED], { scenario: "tgkill:processSigmask" }),
  // waiting for the thread's answer
  ...rows("processSigmask/poll", "OSError", ["EINVAL", "ENOMEM"], { scenario: "tgkill:processSigmask", fn: "poll" }),
  ...rows("processSigmask/poll", "InternalError", ["EFAULT"], { scenario: "tgkill:processSigmask", fn: "poll" }),
  ...rows("processSigmask/poll", "retried", ["EINTR"], { scenario: "tgkill:processSigmask", fn: "poll" }),
  ...rows("processSigmask/poll", "UnknownError", [UNDOCUMENTED], { scenario: "tgkill:processSigmask", fn: "poll" }),
  // butter's own conditions, not a libc failure the shim can force
  { call: "processSigmask", errno: "EBUSY", expect: "OSError", cannot: "a thread blocks SIGRTMAX and would have to block more: made for real in test/signal/calls.test.ts" },
  { call: "processSigmask", errno: "ETIMEDOUT", expect: "OSError", cannot: "a thread that does not run its handler for 2 s: no libc call to fail; made for real in test/signal/stuck.test.ts (a thread in vfork)" },
  { call: "processSigmask", errno: "EAGAIN", expect: "OSError", cannot: "threads born faster than 1,000 listings of /proc/self/task can reach them: no libc call to fail" },
  // no memory for the list of threads (realloc 1: the calling thread's entry); nothing changed
  ...rows("processSigmask", "OSError", ["ENOMEM"], { scenario: "tgkill:processSigmask", fn: "realloc" }),
  ...rows("processSigmask", "OSError", ["ENOMEM"], { scenario: "realloc:unreached", nth: 2 }),
  { call: "processSigmask", errno: UNDOCUMENTED, expect: "UnknownError", cannot: "processSigmask's own errnos are butter's, never an unknown one" },
  // processSetns: its three steps, in a fresh process each
  ...["processSetns/unshare", "processSetns/setns", "processSetns/chdir"].flatMap((call) =>
    rowsByClass(call, loadPages().calls[call]!.listed, { once: "process" }),
  ),
  // a failure after the calling thread moved (listing the threads, reaching one): every
  // thread moved goes back (the undo), in a fresh process each
  ...rows("processSigmask/opendir", "OSError", ["EMFILE"], { scenario: "processSetns/setns", fn: "opendir", once: "process" }),
  // the second listing, after every other thread moved: each goes back (reached again)
  ...rows("processSigmask/opendir", "OSError", ["EMFILE"], { scenario: "processSetns/setns", fn: "opendir", nth: 2, once: "process" }),
  ...rows("tgkill", "OSError", ["EAGAIN"], { scenario: "processSetns/setns", fn: "tgkill", once: "process" }),
  { call: "processSetns", errno: "EBUSY", expect: "OSError", cannot: "SIGRTMAX has a handler that is not butter's: made for real for processSigmask in test/signal/calls.test.ts, the same machinery" },
  { call: "processSetns", errno: "ETIMEDOUT", expect: "OSError", cannot: "a thread that does not run for 2 s (stopped, or in uninterruptible sleep): no libc call to fail" },
  { call: "processSetns", errno: "EAGAIN", expect: "OSError", cannot: "threads born faster than 1,000 listings of /proc/self/task can reach them: no libc call to fail" },
  // no memory for the list of threads moved (realloc 1, after the calling thread moved): it goes back
  ...rows("processSetns", "OSError", ["ENOMEM"], { scenario: "processSetns/setns", fn: "realloc", once: "process" }),
  ...rows("processSetns", "OSError", ["ENOMEM"], { scenario: "realloc:skipped", nth: 3, once: "process" }),
  { call: "processSetns", errno: UNDOCUMENTED, expect: "UnknownError", cannot: "processSetns's own errnos are butter's, never an unknown one" },
  // a Signalfd's hold
  ...rows("sigaction", "OSError", ["EINVAL"], { scenario: "sigaction:Signalfd" }),
  ...rows("sigaction", "UnknownError", [UNDOCUMENTED], { scenario: "sigaction:Signalfd" }),
  ...rows("pipe2", "OSError", ["EMFILE", "ENFILE"], { scenario: "pipe2:Signalfd" }),
  // no memory to record the threads' old masks (malloc): nothing changed, nothing held
  ...rows("processSigmask", "OSError", ["ENOMEM"], { scenario: "malloc:Signalfd" }),
  // releasing it, all or nothing
  ...rows("sigaction", "OSError", ["EINVAL"], { scenario: "sigaction:close" }),
  ...rows("tgkill", "OSError", ["EAGAIN"], { scenario: "tgkill:close" }),
  // no memory for the list of each thread's old bits (realloc 1): the hold stays, whole
  ...rows("processSigmask", "OSError", ["ENOMEM"], { scenario: "realloc:close" }),
  ...rows("pthread_sigmask", "OSError", ["EINVAL"], { scenario: "pthread_sigmask:close" }),
  ...rows("signalfd/read", "OSError", ["EBADF", "EINVAL", "EIO", "EISDIR"]),
  ...rows("signalfd/read", "InternalError", ["EFAULT"]),
  ...rows("signalfd/read", "OSError", ["EBADF", "EIO"], { nth: 2 }),
  // EAGAIN from the pipe means "nothing caught": the signalfd is read next
  ...rows("signalfd/read", "retried", ["EAGAIN", "EINTR"]),
  ...rows("signalfd/read", "OSError", ["EAGAIN"], { nth: 2 }),
  ...rows("signalfd/read", "retried", ["EINTR"], { nth: 2 }),
  ...rows("signalfd/read", "waits", ["EAGAIN"], { scenario: "signalfd/read:get" }),
  ...rows("signalfd/read", "UnknownError", [UNDOCUMENTED]),
  { call: "signalfd/read", short: 100, nth: 2, expect: "OSError", message: /fd \d+ gave 100 of the 128 bytes of a signalfd_siginfo/ },
  ...rows("signalfd/poll", "OSError", ["EINVAL", "ENOMEM"]),
  ...rows("signalfd/poll", "InternalError", ["EFAULT"]),
  ...rows("signalfd/poll", "retried", ["EINTR"]),
  ...rows("signalfd/poll", "UnknownError", [UNDOCUMENTED]),
];
