// The errno rows of process identity: getpid(2), getppid(2), gettid(2).
// Each row is forced through the libfiu shim by test/errno-matrix.test.ts (format and
// rules: harness/errno-rows.ts).
import { rows, rowsByClass, UNDOCUMENTED, type B, type Row, type Scenario } from "../../harness/errno-rows.ts";
import { loadPages } from "../../harness/errno-pages.ts";

export const scenarios: Record<string, Scenario> = {
  getpid: { fn: "syscall", call: (b) => b.getpid(), usable: (b) => b.getpid() },
  getppid: { fn: "syscall", call: (b) => b.getppid(), usable: (b) => b.getppid() },
  gettid: { fn: "syscall", call: (b) => b.gettid(), usable: (b) => b.gettid() },
  pidfd_open: {
    fn: "syscall",
    call: (b) => b.pidfdOpen(process.pid),
    returns: (_b, _c, fd) => require("node:fs").closeSync(fd as number),
    usable: (b) => require("node:fs").closeSync(b.pidfdOpen(process.pid)),
  },
  // a path that does not exist: were the failure not forced, the kernel refuses it too,
  // and the test process is never replaced
  execve: {
    fn: "execve",
    call: (b) => b.execve("/nonexistent/butter-exec", ["x"], []),
    usable: (b) => {
      try {
        b.execve("/nonexistent/butter-exec", ["x"], []);
      } catch (e) {
        if ((e as { code?: string }).code === "ENOENT") return;
        throw e;
      }
    },
  },
};

export const matrix: Row[] = [
  // "These functions are always successful": any errno at all is undocumented.
  ...rows("getpid", "UnknownError", [UNDOCUMENTED]),
  ...rows("getppid", "UnknownError", [UNDOCUMENTED]),
  ...rows("gettid", "UnknownError", [UNDOCUMENTED]),
  ...rowsByClass("execve", loadPages().calls.execve!.listed),
  ...rowsByClass("pidfd_open", [...loadPages().calls.pidfd_open!.listed, "ENOSYS"]),
];
