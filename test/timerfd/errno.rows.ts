// The errno rows of timerfd: timerfd_create(2), timerfd_settime(2), timerfd_gettime(2), the expirations' read(2), clock_gettime(2).
// Each row is forced through the libfiu shim by test/errno-matrix.test.ts (format and
// rules: harness/errno-rows.ts).
import { rows, UNDOCUMENTED, type B, type Row, type Scenario } from "../../harness/errno-rows.ts";

export const scenarios: Record<string, Scenario> = {
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
    returns: (_b, _t, n) => {
      if (n !== 1n) throw new Error(`${n} expirations, not 1`);
    },
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
};

export const matrix: Row[] = [
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
  ...rows("timerfd/read", "OSError", ["EAGAIN", "EINVAL", "EBADF", "EIO", "EISDIR"]),
  ...rows("timerfd/read", "InternalError", ["EFAULT"]),
  ...rows("timerfd/read", "ClockChangedError", ["ECANCELED"]),
  ...rows("timerfd/read", "retried", ["EINTR"]),
  ...rows("timerfd/read", "UnknownError", [UNDOCUMENTED]),
  { call: "timerfd/read", short: 4, expect: "OSError" },
  // ENODEV, EOPNOTSUPP: a dynamic clock (a negative id made from a device fd) gone or unable
  ...rows("clock_gettime", "OSError", ["EINVAL", "ENODEV", "EOPNOTSUPP", "EOVERFLOW"]),
  ...rows("clock_gettime", "InternalError", ["EFAULT"]),
  ...rows("clock_gettime", "UnknownError", [UNDOCUMENTED]),
];
