// The errno rows of seccomp: seccomp(2), prctl(2), the notification ioctls, and
// spawnFiltered's own calls. Each row is forced through the libfiu shim by
// test/errno-matrix.test.ts (format and rules: harness/errno-rows.ts). No filter is ever
// loaded into the test runner: seccomp(2) is made with GET_ACTION_AVAIL, which changes
// nothing, and the ioctl rows run in a fresh process each, whose JS thread alone gets a
// filter that notifies on a call nobody makes.
import { closeSync } from "node:fs";
import { rows, rowsByClass, UNDOCUMENTED, type Row, type Scenario } from "../../harness/errno-rows.ts";
import { loadPages } from "../../harness/errno-pages.ts";

const listed = (call: string) => loadPages().calls[call]!.listed;
const filter = { stdout: "ignore" as const, stderr: "ignore" as const };

export const scenarios: Record<string, Scenario> = {
  seccomp: {
    fn: "syscall",
    call: (b) => b.seccompGetActionAvail(b.SECCOMP_RET_ALLOW),
    returns: (_b, _c, r) => {
      if (r !== true) throw new Error("ALLOW not available");
    },
    usable: (b) => b.seccompGetActionAvail(b.SECCOMP_RET_LOG),
  },
  // EOPNOTSUPP from GET_ACTION_AVAIL means "not available": false, not an error
  "seccomp:unavailable": {
    fn: "syscall",
    call: (b) => b.seccompGetActionAvail(b.SECCOMP_RET_ALLOW),
    returns: (_b, _c, r) => {
      if (r !== false) throw new Error("EOPNOTSUPP did not say false");
    },
    usable: (b) => b.seccompGetActionAvail(b.SECCOMP_RET_LOG),
  },
  prctl: {
    fn: "prctl",
    call: (b) => b.prctlGetSeccomp(),
    usable: (b) => {
      if (b.prctlGetSeccomp() !== 0) throw new Error("the test runner is filtered");
    },
  },
  "seccomp/ioctl": {
    fn: "ioctl",
    setup: (b) => ({ fd: new b.SeccompFilter(b.Action.ALLOW).add(b.Action.USER_NOTIF, "acct").load({ threads: "this" })! }),
    call: (b, c) => b.seccompNotifIdValid(c.fd, 1n),
    returns: (_b, _c, r) => {
      if (r !== false) throw new Error("notification 1 is valid?");
    },
    usable: (b, c) => b.seccompNotifIdValid(c.fd, 1n),
  },
  pidfd_send_signal: {
    fn: "syscall",
    setup: (b) => ({ fd: b.pidfdOpen(process.pid) }),
    call: (b, c) => b.pidfdSendSignal(c.fd, 0),
    usable: (b, c) => b.pidfdSendSignal(c.fd, 0),
    teardown: (_b, c) => closeSync(c.fd),
  },
  // the listener's readiness, asked before every RECV: `empty()` polls once
  "seccomp/poll": {
    fn: "poll",
    setup: (b) => ({ q: new b.SeccompNotifyAsync(new b.SeccompFilter(b.Action.ALLOW).add(b.Action.USER_NOTIF, "acct").load({ threads: "this" })!) }),
    call: (_b, c) => c.q.empty(),
    returns: (_b, _c, r) => {
      if (r !== true) throw new Error("a notification is pending?");
    },
    usable: (_b, c) => c.q.empty(),
    teardown: (_b, c) => c.q.close(),
  },
  // a filter that notifies: the child's listener is taken with pidfd_getfd (the parent's
  // second syscall(), after clone)
  "seccomp-spawn:listener": {
    fn: "syscall",
    call: async (b) => {
      const p = b.spawnFiltered(["true"], { filter: new b.SeccompFilter(b.Action.ALLOW).add(b.Action.USER_NOTIF, "acct"), ...filter });
      p.notify!.close();
      return await p.exited;
    },
    usable: async (b) => {
      const p = b.spawnFiltered(["true"], { filter: new b.SeccompFilter(b.Action.ALLOW).add(b.Action.USER_NOTIF, "acct"), ...filter });
      p.notify!.close();
      if ((await p.exited) !== 0) throw new Error("true failed");
    },
  },
  // spawnFiltered in the parent: pipe2 (its status pipe, after the stdio's), clone, and the
  // wait: `true`, filtered by an allow-all filter
  "seccomp-spawn": {
    fn: "syscall",
    call: async (b) => await b.spawnFiltered(["true"], { filter: new b.SeccompFilter(b.Action.ALLOW), ...filter }).exited,
    returns: (_b, _c, code) => {
      if (code !== 0) throw new Error(`true exited with ${code}`);
    },
    usable: async (b) => {
      const code = await b.spawnFiltered(["true"], { filter: new b.SeccompFilter(b.Action.ALLOW), ...filter }).exited;
      if (code !== 0) throw new Error(`true exited with ${code}`);
    },
  },
};

// the child's steps between clone and exec: every errno their pages list is accounted for
// in harness/errno-pages.json (the child is a copy of this process, whose plans and counts
// are its own); each step's failure is made for real in test/seccomp/spawn.test.ts
const CHILD = "in the child between clone and exec, a copy of this process: the shim's count stays in the copy; an errno no page lists is UnknownError there as everywhere";

export const matrix: Row[] = [
  ...rowsByClass("seccomp", listed("seccomp").filter((e) => e !== "EOPNOTSUPP")),
  { call: "seccomp", errno: "EOPNOTSUPP", expect: "passes", scenario: "seccomp:unavailable" },
  ...rowsByClass("prctl", listed("prctl")),
  // (ENOENT from ID_VALID means "no longer valid": false, which id 1 is anyway)
  ...rowsByClass("seccomp/ioctl", listed("seccomp/ioctl").filter((e) => e !== "ENOENT"), { once: "process" }),
  { call: "seccomp/ioctl", errno: "ENOENT", expect: "passes", once: "process" },
  ...rowsByClass("pidfd_send_signal", [...listed("pidfd_send_signal"), "ENOSYS"]),
  ...rowsByClass("seccomp-spawn/clone", listed("seccomp-spawn/clone"), { scenario: "seccomp-spawn" }),
  ...rowsByClass("seccomp-spawn/pipe2", listed("seccomp-spawn/pipe2"), { scenario: "seccomp-spawn", fn: "pipe2" }),
  // the first wait, at once (WNOHANG): EINTR is tried again, EAGAIN waits for the pidfd
  ...rowsByClass("seccomp-spawn/waitid", listed("seccomp-spawn/waitid").filter((e) => e !== "EINTR" && e !== "EAGAIN"), { scenario: "seccomp-spawn", nth: 2 }),
  { call: "seccomp-spawn/waitid", errno: "EINTR", expect: "retried", scenario: "seccomp-spawn", nth: 2 },
  { call: "seccomp-spawn/waitid", errno: "EAGAIN", expect: "retried", scenario: "seccomp-spawn", nth: 2 },
  ...rowsByClass("seccomp-spawn/pidfd_getfd", listed("seccomp-spawn/pidfd_getfd"), { scenario: "seccomp-spawn:listener", nth: 2 }),
  // with a listener: the handshake's pipe (the second), and a clone that fails with both open
  ...rows("seccomp-spawn/pipe2", "OSError", ["EMFILE"], { scenario: "seccomp-spawn:listener", fn: "pipe2", nth: 2 }),
  ...rows("seccomp-spawn/clone", "OSError", ["EAGAIN"], { scenario: "seccomp-spawn:listener" }),
  ...rowsByClass("seccomp/poll", listed("seccomp/poll").filter((e) => e !== "EINTR"), { once: "process" }),
  { call: "seccomp/poll", errno: "EINTR", expect: "retried", once: "process" },
  ...["dup2", "chdir", "prctl", "seccomp", "execve"].map((step): Row => ({ call: `seccomp-child/${step}`, errno: UNDOCUMENTED, expect: "UnknownError", cannot: CHILD })),
];
