// The public surface: what `import ... from "butter"` offers, family by family, and what
// it must not offer (the exact list of names and signatures is docs/api/butter.api.md,
// checked by test/api.test.ts).
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import * as butter from "../src/index.ts";

const families: Record<string, string[]> = {
  errors: ["OSError", "PermissionError", "UnknownError", "InternalError", "ClockChangedError", "ERRNO", "ERRNO_NAMES"],
  shared: ["FdObject", "EventSource", "QueueEmpty", "QueueClosed", "fsdecode", "fsencode"],
  features: ["NAMESPACE_TYPES", "kernelRelease", "kernelVersion", "namespaces"],
  eventfd: ["eventfd", "eventfdRead", "eventfdWrite", "EFD_CLOEXEC", "EFD_NONBLOCK", "EFD_SEMAPHORE", "EVENTFD_MAX", "Eventfd", "EventfdAsync"],
  timerfd: [
    "timerfdCreate", "timerfdSettime", "timerfdGettime", "clockGettime", "CLOCK_MONOTONIC", "CLOCK_REALTIME", "CLOCK_BOOTTIME",
    "CLOCK_REALTIME_ALARM", "CLOCK_BOOTTIME_ALARM", "TFD_CLOEXEC", "TFD_NONBLOCK", "TFD_TIMER_ABSTIME", "TFD_TIMER_CANCEL_ON_SET",
    "Timerfd", "TimerfdAsync",
  ],
  process: ["getpid", "getppid", "gettid"],
  hostname: ["gethostname", "sethostname", "getdomainname", "setdomainname", "HOST_NAME_MAX"],
  inotify: [
    "inotifyInit1", "inotifyAddWatch", "inotifyRmWatch", "inotifyRead", "inotifyLimits",
    "IN_ACCESS", "IN_MODIFY", "IN_ATTRIB", "IN_CLOSE_WRITE", "IN_CLOSE_NOWRITE", "IN_OPEN", "IN_MOVED_FROM", "IN_MOVED_TO",
    "IN_CREATE", "IN_DELETE", "IN_DELETE_SELF", "IN_MOVE_SELF", "IN_UNMOUNT", "IN_Q_OVERFLOW", "IN_IGNORED", "IN_ISDIR",
    "IN_CLOSE", "IN_MOVE", "IN_ALL_EVENTS", "IN_ONLYDIR", "IN_DONT_FOLLOW", "IN_EXCL_UNLINK", "IN_MASK_CREATE", "IN_MASK_ADD",
    "IN_ONESHOT", "IN_CLOEXEC", "IN_NONBLOCK",
    "Inotify", "InotifyAsync", "InotifyEvent", "InotifyMove", "MovePairer", "pairMoves", "DEFAULT_MOVE_TIMEOUT", "InotifyTree",
  ],
  signals: [
    "SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK", "SFD_CLOEXEC", "SFD_NONBLOCK",
    "sigrtmin", "sigrtmax", "signum", "signame", "sigset", "maskOf", "setOf",
    "pthreadSigmask", "sigpending", "tgkill", "sigqueue", "signalfd", "signalfdRead", "processSigmask",
    "Signalfd", "SignalfdAsync", "heldSignals",
  ],
};

test.each(Object.entries(families))("%s: every 1:1 call, class and constant is exported and defined", (_family, names) => {
  for (const name of names) expect((butter as Record<string, unknown>)[name], name).toBeDefined();
});

test("the surface is exactly the families' names: nothing exported that no family lists", () => {
  const listed = new Set(Object.values(families).flat());
  expect(Object.keys(butter).filter((n) => !listed.has(n))).toEqual([]);
});

test("internals are not exported", () => {
  // call descriptors, raw C symbols, decoders and low-level machinery: editProcessMask
  // could block glibc's own signals, and the descriptors' names sit beside constants
  for (const name of [
    "calls", "classFor", "defineCall", "CLOCK_GETTIME", "TIMERFD_CREATE", "EVENTFD_READ", "INOTIFY_READ", "SIGNALFD",
    "lib", "readInotify", "INOTIFY_MIN_BUFFER", "decodeInotifyEvents", "decodeSiginfos", "editProcessMask",
    "THREAD_TIMEOUT_MS", "Queued", "CounterSource", "toNanoseconds", "lostSignals", "sigbit", "word",
  ]) {
    expect(butter, name).not.toHaveProperty(name);
  }
});

test("src/index.ts lists every name by hand (no export *)", () => {
  const text = readFileSync(new URL("../src/index.ts", import.meta.url), "utf8");
  expect(text).not.toMatch(/^\s*export\s*\*/m);
});

test("objects of every family share the fd base", () => {
  using e = new butter.EventfdAsync();
  using t = new butter.Timerfd();
  using i = new butter.Inotify();
  for (const o of [e, t, i]) {
    expect(o).toBeInstanceOf(butter.FdObject);
    expect(o).toBeInstanceOf(butter.EventSource);
  }
});
