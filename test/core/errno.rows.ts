// The errno rows of the shared pieces: close(2) of every object, and the reactor's start (epoll_create1, pipe2, eventfd, epoll_ctl, pthread_key_create, pthread_create) and registration (epoll_ctl).
// Each row is forced through the libfiu shim by test/errno-matrix.test.ts (format and
// rules: harness/errno-rows.ts).
import { rows, UNDOCUMENTED, type B, type Row, type Scenario } from "../../harness/errno-rows.ts";

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
  // A JS thread's first object makes the key whose destructor closes its objects' fds
  // when the thread ends (bunffi/owned.c): once per thread, so forced in a fresh process.
  "pthread_key_create:object": {
    fn: "pthread_key_create",
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
const start = { scenario: "reactor", once: "thread" } as const;

export const matrix: Row[] = [
  ...rows("epoll_create1", "OSError", ["EINVAL", "EMFILE", "ENFILE", "ENOMEM"], start),
  ...rows("epoll_create1", "UnknownError", [UNDOCUMENTED], start),
  ...rows("pipe2", "OSError", ["EINVAL", "EMFILE", "ENFILE"], { ...start, fn: "pipe2" }),
  ...rows("pipe2", "InternalError", ["EFAULT"], { ...start, fn: "pipe2" }),
  ...rows("pipe2", "UnknownError", [UNDOCUMENTED], { ...start, fn: "pipe2" }),
  ...rows("reactor/eventfd", "OSError", ["EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM"], { ...start, fn: "eventfd" }),
  ...rows("reactor/eventfd", "UnknownError", [UNDOCUMENTED], { ...start, fn: "eventfd" }),
  // the stop eventfd joins the epoll set
  ...rows("epoll_ctl", "OSError", ["ENOMEM", "ENOSPC"], { ...start, fn: "epoll_ctl" }),
  ...rows("pthread_key_create", "OSError", ["EAGAIN", "ENOMEM"], { ...start, fn: "pthread_key_create" }),
  ...rows("pthread_key_create", "UnknownError", [UNDOCUMENTED], { ...start, fn: "pthread_key_create" }),
  ...rows("pthread_key_create", "OSError", ["EAGAIN", "ENOMEM"], { scenario: "pthread_key_create:object", once: "process" }),
  ...rows("pthread_create", "OSError", ["EAGAIN", "EINVAL"], { ...start, fn: "pthread_create" }),
  ...rows("pthread_create", "PermissionError", ["EPERM"], { ...start, fn: "pthread_create" }),
  ...rows("pthread_create", "UnknownError", [UNDOCUMENTED], { ...start, fn: "pthread_create" }),
  ...rows("epoll_ctl", "OSError", ["EBADF", "EEXIST", "EINVAL", "ELOOP", "ENOMEM", "ENOSPC", "EPERM"]),
  // butter arms with EPOLL_CTL_MOD and reads its ENOENT as "not registered yet", then
  // ADDs: ENOENT is an error only from the ADD, the second call.
  ...rows("epoll_ctl", "OSError", ["ENOENT"], { nth: 2 }),
  ...rows("epoll_ctl", "UnknownError", [UNDOCUMENTED]),

  ...rows("close", "OSError", ["EBADF", "EINTR", "EIO", "ENOSPC", "EDQUOT"]),
  ...rows("close", "UnknownError", [UNDOCUMENTED]),
];
