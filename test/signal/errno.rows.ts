// The errno rows of signals: the sigset calls, signalfd(2) and its reads, sigqueue/tgkill, and processSigmask.
// Each row is forced through the libfiu shim by test/errno-matrix.test.ts (format and
// rules: harness/errno-rows.ts).
import { rows, UNDOCUMENTED, type B, type Row, type Scenario } from "../../harness/errno-rows.ts";

export const scenarios: Record<string, Scenario> = {
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
];
