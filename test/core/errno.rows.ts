// The errno rows of the shared pieces: close(2) of every object, and the reactor's start (epoll_create1, pipe2, eventfd, epoll_ctl, pthread_key_create, pthread_create) and registration (epoll_ctl).
// Each row is forced through the libfiu shim by test/errno-matrix.test.ts (format and
// rules: harness/errno-rows.ts).
import { rows, UNDOCUMENTED, type B, type Row, type Scenario } from "../../harness/errno-rows.ts";
import { reactorBackend } from "../../src/core/reactor.ts";

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
  // The reactor starts on a thread's first wait. Its start can fail at each call it
  // makes (epoll_create1, pipe2, eventfd, epoll_ctl, pthread_key_create,
  // pthread_create), and names that call; afterwards the queue still hands out what is
  // ready, and the next wait starts it again.
  reactor: {
    fn: "epoll_create1",
    setup: (b) => new b.EventfdAsync(),
    call: (_b, e) => e.get(),
    usable: (_b, e) => {
      e.write(3);
      if (e.getNowait() !== 3n) throw new Error("value lost");
    },
    teardown: (_b, e) => e.close(),
  },
  // io_setup refused: this thread's reactor is the helper-thread one, and waits work
  "reactor:fallback": {
    fn: "syscall",
    setup: (b) => new b.EventfdAsync(),
    call: async (_b, e) => {
      setTimeout(() => e.closed || e.write(5), 5);
      return await e.get();
    },
    returns: (_b, _e, v) => {
      if (v !== 5n) throw new Error(`got ${v}, not 5`);
      if (reactorBackend() !== "thread") throw new Error(`the backend is ${reactorBackend()}, not the thread fallback`);
    },
    usable: async (_b, e) => {
      e.write(1);
      await e.get();
    },
    teardown: (_b, e) => e.close(),
  },
  // A JS thread's first object makes the key whose destructor closes its objects' fds
  // when the thread ends (bunffi/owned.c): once per thread, so forced in a fresh process.
  "pthread_key_create:object": {
    fn: "pthread_key_create",
    call: (b) => new b.Eventfd(),
    usable: (b) => new b.Eventfd().close(),
  },
  // The record of the fds a JS thread's objects own (bunffi/owned.c) grows on its first
  // object (and past fd 63): once per thread, so forced in a fresh process. The fd is
  // closed again, and the next object works.
  "owned:fd": {
    fn: "realloc",
    call: (b) => new b.Eventfd(),
    usable: (b) => new b.Eventfd().close(),
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
};

// The reactor starts once per JS thread: these rows run first in theirs (once: "thread").
// The default backend (AIO poll on an epoll set): io_setup, epoll_create1, the doorbell
// (eventfd), the first io_submit, the key that ends it with its thread. io_setup's
// failure chooses the thread backend instead, for good: those rows, and the thread
// backend's own start, run in fresh processes.
const start = { scenario: "reactor", once: "thread" } as const;
const fallback = { scenario: "reactor:fallback", once: "process", fn: "syscall" } as const;
const thread = { scenario: "reactor:thread", once: "process", env: { BUTTER_REACTOR: "thread" } } as const;

export const matrix: Row[] = [
  ...rows("epoll_create1", "OSError", ["EINVAL", "EMFILE", "ENFILE", "ENOMEM"], start),
  ...rows("epoll_create1", "UnknownError", [UNDOCUMENTED], start),
  ...rows("reactor-aio/eventfd", "OSError", ["EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM"], { ...start, fn: "eventfd" }),
  ...rows("reactor-aio/eventfd", "UnknownError", [UNDOCUMENTED], { ...start, fn: "eventfd" }),
  // syscall(2) call 1 is io_setup, call 2 the first io_submit
  ...rows("io_submit", "OSError", ["EAGAIN", "EBADF", "EINVAL", "ENOSYS"], { ...start, fn: "syscall", nth: 2 }),
  ...rows("io_submit", "PermissionError", ["EPERM"], { ...start, fn: "syscall", nth: 2 }),
  ...rows("io_submit", "InternalError", ["EFAULT"], { ...start, fn: "syscall", nth: 2 }),
  ...rows("io_submit", "UnknownError", [UNDOCUMENTED], { ...start, fn: "syscall", nth: 2 }),
  ...rows("pthread_key_create", "OSError", ["EAGAIN", "ENOMEM"], { ...start, fn: "pthread_key_create" }),
  ...rows("pthread_key_create", "UnknownError", [UNDOCUMENTED], { ...start, fn: "pthread_key_create" }),
  // io_setup refused (a seccomp profile, aio-max-nr used up): the thread backend, and the wait works
  ...rows("io_setup", "passes", ["EAGAIN", "EFAULT", "EINVAL", "ENOMEM", "ENOSYS", "EPERM"], fallback),
  // the thread backend's start: epoll_create1, pipe2, its stop eventfd joining the set,
  // the key, the thread
  ...rows("epoll_create1", "OSError", ["EMFILE"], { ...thread, fn: "epoll_create1" }),
  ...rows("pipe2", "OSError", ["EINVAL", "EMFILE", "ENFILE"], { ...thread, fn: "pipe2" }),
  ...rows("pipe2", "InternalError", ["EFAULT"], { ...thread, fn: "pipe2" }),
  ...rows("pipe2", "UnknownError", [UNDOCUMENTED], { ...thread, fn: "pipe2" }),
  ...rows("reactor/eventfd", "OSError", ["EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM"], { ...thread, fn: "eventfd" }),
  ...rows("reactor/eventfd", "UnknownError", [UNDOCUMENTED], { ...thread, fn: "eventfd" }),
  ...rows("epoll_ctl", "OSError", ["ENOMEM", "ENOSPC"], { ...thread, fn: "epoll_ctl" }),
  ...rows("pthread_key_create", "OSError", ["EAGAIN"], { ...thread, fn: "pthread_key_create" }),
  ...rows("pthread_create", "OSError", ["EAGAIN", "EINVAL"], { ...thread, fn: "pthread_create" }),
  ...rows("pthread_create", "PermissionError", ["EPERM"], { ...thread, fn: "pthread_create" }),
  ...rows("pthread_create", "UnknownError", [UNDOCUMENTED], { ...thread, fn: "pthread_create" }),
  // after each doorbell, outside any call of the program's: a failure wakes every waiter,
  // and each one's next wait reports it (src/core/reactor.ts)
  { call: "io_getevents", errno: UNDOCUMENTED, expect: "UnknownError", cannot: "reaped after a doorbell, outside any call of the program's: a failure wakes every waiter, whose next wait reports its own error" },
  { call: "epoll_wait", errno: UNDOCUMENTED, expect: "UnknownError", cannot: "listed after a doorbell, outside any call of the program's: a failure wakes every waiter, whose next wait reports its own error" },
  ...rows("epoll_ctl", "OSError", ["EBADF", "EEXIST", "EINVAL", "ELOOP", "ENOMEM", "ENOSPC", "EPERM"]),
  // butter arms with EPOLL_CTL_MOD and reads its ENOENT as "not registered yet", then
  // ADDs: ENOENT is an error only from the ADD, the second call.
  ...rows("epoll_ctl", "OSError", ["ENOENT"], { nth: 2 }),
  ...rows("epoll_ctl", "UnknownError", [UNDOCUMENTED]),

  ...rows("owned/malloc", "OSError", ["ENOMEM"], { scenario: "owned:fd", once: "process" }),
  ...rows("pthread_key_create", "OSError", ["EAGAIN", "ENOMEM"], { scenario: "pthread_key_create:object", once: "process" }),
  { call: "owned/malloc", errno: UNDOCUMENTED, expect: "UnknownError", cannot: "a record reports ENOMEM for a NULL from malloc or realloc whatever errno says: malloc(3) documents nothing else" },

  ...rows("close", "OSError", ["EBADF", "EINTR", "EIO", "ENOSPC", "EDQUOT"]),
  ...rows("close", "UnknownError", [UNDOCUMENTED]),
];

// the thread backend's start fails as the default's does (its rows run with BUTTER_REACTOR=thread)
scenarios["reactor:thread"] = scenarios.reactor!;
