// The errno rows of eventfd: eventfd(2) and the counter's read(2)/write(2).
// Each row is forced through the libfiu shim by test/errno-matrix.test.ts (format and
// rules: harness/errno-rows.ts).
import type * as Butter from "../../src/index.ts";
import { rows, UNDOCUMENTED, type B, type Row, type Scenario } from "../../harness/errno-rows.ts";

const counterUsable = (_b: B, e: Butter.Eventfd) => {
  e.write(2);
  if (typeof e.read() !== "bigint") throw new Error("read did not return a bigint");
};

export const scenarios: Record<string, Scenario> = {
  eventfd: {
    fn: "eventfd",
    call: (b) => new b.Eventfd(),
    usable: (b) => new b.Eventfd().close(),
  },
  "eventfd/read": {
    fn: "read",
    setup: (b) => new b.Eventfd(5, b.EFD_NONBLOCK),
    call: (_b, e) => e.read(),
    returns: (_b, _e, v) => {
      if (v !== 5n) throw new Error(`read ${v}, not 5`);
    },
    usable: counterUsable,
    teardown: (_b, e) => e.close(),
  },
  "eventfd/read:get": {
    fn: "read",
    setup: (b) => new b.EventfdAsync(),
    call: async (_b, e) => {
      setTimeout(() => e.closed || e.write(9), 5); // (a late timer must not write to a closed object)
      return await e.get();
    },
    returns: (_b, _e, v) => {
      if (v !== 9n) throw new Error(`got ${v}, not 9`);
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
    // the retried write really added 1, once
    returns: (_b, e) => {
      if (e.read() !== 1n) throw new Error("the counter is not 1");
    },
    usable: counterUsable,
    teardown: (_b, e) => e.close(),
  },
};

export const matrix: Row[] = [
  ...rows("eventfd", "OSError", ["EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM"]),
  ...rows("eventfd", "UnknownError", [UNDOCUMENTED]),
  ...rows("eventfd/read", "OSError", ["EAGAIN", "EINVAL", "EBADF", "EIO", "EISDIR"]),
  ...rows("eventfd/read", "InternalError", ["EFAULT"]),
  ...rows("eventfd/read", "retried", ["EINTR"]),
  ...rows("eventfd/read", "waits", ["EAGAIN"], { scenario: "eventfd/read:get" }),
  ...rows("eventfd/read", "UnknownError", [UNDOCUMENTED]),
  { call: "eventfd/read", short: 3, expect: "OSError" },
  // the 1:1 write takes any fd: a pipe, a socket, a file may say these
  ...rows("eventfd/write", "OSError", ["EAGAIN", "EINVAL", "EBADF", "EIO", "EDESTADDRREQ", "EDQUOT", "EFBIG", "ENOSPC", "EPIPE"]),
  ...rows("eventfd/write", "PermissionError", ["EPERM"]),
  ...rows("eventfd/write", "InternalError", ["EFAULT"]),
  ...rows("eventfd/write", "retried", ["EINTR"]),
  ...rows("eventfd/write", "UnknownError", [UNDOCUMENTED]),
  { call: "eventfd/write", short: 5, expect: "OSError" },
];
