// The errno rows of process identity: getpid(2), getppid(2), gettid(2).
// Each row is forced through the libfiu shim by test/errno-matrix.test.ts (format and
// rules: harness/errno-rows.ts).
import { rows, UNDOCUMENTED, type B, type Row, type Scenario } from "../../harness/errno-rows.ts";

export const scenarios: Record<string, Scenario> = {
  getpid: { fn: "syscall", call: (b) => b.getpid(), usable: (b) => b.getpid() },
  getppid: { fn: "syscall", call: (b) => b.getppid(), usable: (b) => b.getppid() },
  gettid: { fn: "syscall", call: (b) => b.gettid(), usable: (b) => b.gettid() },
};

export const matrix: Row[] = [
  // "These functions are always successful": any errno at all is undocumented.
  ...rows("getpid", "UnknownError", [UNDOCUMENTED]),
  ...rows("getppid", "UnknownError", [UNDOCUMENTED]),
  ...rows("gettid", "UnknownError", [UNDOCUMENTED]),
];
