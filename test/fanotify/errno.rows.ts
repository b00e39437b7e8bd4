// The errno rows of fanotify: fanotify_init(2), fanotify_mark(2), a group's read(2) and
// the readlink(2) that turns an event's fd into its path, a response's write(2),
// name_to_handle_at(2) and open_by_handle_at(2).
// Each row is forced through the libfiu shim by test/errno-matrix.test.ts (format and
// rules: harness/errno-rows.ts). The matrix runs as root (CAP_SYS_ADMIN), as CI does.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import type * as Butter from "../../src/index.ts";
import { rows, UNDOCUMENTED, type B, type Row, type Scenario } from "../../harness/errno-rows.ts";

/**
 * A directory of its own, and a group watching its children's close-after-write. The
 * group blocks: the call makes the access and reads, so that the group's read (by the
 * drain thread or by the JS thread, whichever comes first) happens inside the failure
 * window.
 */
function watched(b: B, async = false) {
  const dir = mkdtempSync(`${tmpdir()}/butter-fan-rows-`);
  const fan = async ? new b.FanotifyAsync() : new b.Fanotify();
  fan.mark(dir, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD);
  let n = 0;
  const touch = () => writeFileSync(`${dir}/f${n++}`, "x");
  // (processes that write into dir a moment later: stopped at teardown, so that none is
  // left to write into a directory already removed)
  const writers: ReturnType<typeof Bun.spawn>[] = [];
  const writeLater = (name: string) => writers.push(Bun.spawn(["sh", "-c", `sleep 0.05; echo x > ${dir}/${name}`]));
  return { dir, fan, touch, writers, writeLater };
}
type Watched = ReturnType<typeof watched>;

function unwatched(_b: B, c: { dir: string; fan: Butter.Fanotify; writers?: { kill(): void }[] }) {
  for (const w of c.writers ?? []) w.kill();
  c.fan.close();
  rmSync(c.dir, { recursive: true, force: true });
}

const eventFor = (c: Watched, ev: unknown, name = "f0") => {
  const e = ev as Butter.FanotifyEvent;
  if (e.mask !== 0x8) throw new Error(`got ${e.flags}, not FAN_CLOSE_WRITE`);
  return e.path === `${c.dir}/${name}`;
};

/** A content group and another process's open of `guarded`, blocked on it, read. */
function blockedOpen(b: B) {
  const dir = mkdtempSync(`${tmpdir()}/butter-fan-rows-`);
  writeFileSync(`${dir}/guarded`, "secret");
  const fan = new b.Fanotify(b.FAN_CLASS_CONTENT, { deadline: 60_000 });
  fan.mark(`${dir}/guarded`, b.FAN_OPEN_PERM);
  const child = Bun.spawn(["cat", `${dir}/guarded`], { stdout: "pipe", stderr: "ignore" });
  const ev = fan.readEvent(); // (blocking: returns when the child's open waits)
  return { dir, fan, child, ev };
}

async function answeredOnce(_b: B, c: ReturnType<typeof blockedOpen>) {
  // (after a forced ENOENT butter holds the event answered while the kernel still waits:
  // closing the group lets the open go on)
  if (!c.ev.answered) c.ev.allow();
  else c.fan.close();
  if ((await c.child.exited) !== 0) throw new Error("the blocked open was not let through");
}

/** A permission group with a 20 ms deadline, answered by the drain while spawnSync blocks the JS thread. */
function deadlineAnswer(fn: string): Scenario {
  return {
    fn,
    setup: (b) => {
      const dir = mkdtempSync(`${tmpdir()}/butter-fan-rows-`);
      writeFileSync(`${dir}/guarded`, "secret");
      const fan = new b.Fanotify(b.FAN_CLASS_CONTENT, { deadline: 20 });
      fan.mark(`${dir}/guarded`, b.FAN_OPEN_PERM);
      Bun.sleepSync(20); // (the thread is in its poll by then)
      return { dir, fan };
    },
    call: (_b, c) => Bun.spawnSync(["cat", `${c.dir}/guarded`]),
    returns: (_b, _c, r) => {
      const out = r as { exitCode: number; stdout: Buffer };
      if (out.exitCode !== 0 || out.stdout.toString() !== "secret") throw new Error(`cat: ${out.exitCode}`);
    },
    usable: (_b, c) => {
      if (Bun.spawnSync(["cat", `${c.dir}/guarded`]).exitCode !== 0) throw new Error("not allowed after the failure");
    },
    teardown: unwatched,
  };
}

export const scenarios: Record<string, Scenario> = {
  fanotify_init: {
    fn: "fanotify_init",
    call: (b) => new b.Fanotify(b.FAN_NONBLOCK),
    usable: (b) => new b.Fanotify(b.FAN_NONBLOCK).close(),
  },
  fanotify_mark: {
    fn: "fanotify_mark",
    setup: (b) => {
      const dir = mkdtempSync(`${tmpdir()}/butter-fan-rows-`);
      return { dir, fan: new b.Fanotify(b.FAN_NONBLOCK) };
    },
    call: (b, c) => c.fan.mark(c.dir, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD),
    usable: (b, c) => {
      c.fan.mark(c.dir, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD);
      writeFileSync(`${c.dir}/f`, "x");
      const [ev] = c.fan.readEvents();
      if (ev?.path !== `${c.dir}/f`) throw new Error(`got ${ev?.path}`);
    },
    teardown: unwatched,
  },
  "fanotify/read": {
    fn: "read",
    setup: (b) => watched(b),
    call: (_b, c) => {
      c.touch();
      return c.fan.readEvent();
    },
    returns: (_b, c, ev) => {
      if (!eventFor(c, ev)) throw new Error("not the event queued");
    },
    usable: (_b, c) => {
      c.touch();
      const ev = c.fan.readEvent(); // (the event of the failed read, if it was not lost, comes first)
      if (ev.mask !== 0x8) throw new Error(`got ${ev.flags} after the failure`);
    },
    teardown: unwatched,
  },
  // a read that ends inside an event (the kernel returns whole ones; the shim cuts the
  // first read to 10 bytes): EIO, and the group is read again after it. A FID group: the
  // fds of a fd group's events past the cut would be lost with their bytes.
  "fanotify/read:partial": {
    fn: "read",
    setup: (b) => {
      const dir = mkdtempSync(`${tmpdir()}/butter-fan-rows-`);
      const fan = new b.Fanotify(b.FAN_REPORT_DFID_NAME);
      fan.mark(dir, b.FAN_CREATE | b.FAN_EVENT_ON_CHILD);
      return { dir, fan };
    },
    call: (_b, c) => {
      writeFileSync(`${c.dir}/cut`, "");
      return c.fan.readEvent();
    },
    usable: (_b, c) => {
      writeFileSync(`${c.dir}/whole`, "");
      const ev = c.fan.readEvent();
      if (ev.name !== "whole") throw new Error(`read ${ev.name} after the cut, not "whole"`);
    },
    teardown: unwatched,
  },
  // the drain thread's read (the JS thread sleeps meanwhile): its error is kept, and the
  // program's next read reports it
  "fanotify/read:busy": {
    fn: "read",
    setup: (b) => watched(b),
    call: (_b, c) => {
      c.touch();
      Bun.sleepSync(50); // (the drain reads the group while the JS thread is busy)
      return c.fan.readEvent();
    },
    usable: (_b, c) => {
      c.touch();
      if (c.fan.readEvent().mask !== 0x8) throw new Error("not FAN_CLOSE_WRITE after the failure");
    },
    teardown: unwatched,
  },
  "fanotify/read:get": {
    fn: "read",
    setup: (b) => watched(b, true),
    call: async (_b, c) => {
      setTimeout(() => c.fan.closed || c.touch(), 5);
      return await (c.fan as Butter.FanotifyAsync).get();
    },
    returns: (_b, c, ev) => {
      if (!eventFor(c, ev)) throw new Error("not the event queued");
    },
    usable: async (_b, c) => {
      c.touch();
      await (c.fan as Butter.FanotifyAsync).get();
    },
    teardown: unwatched,
  },
  // the event still arrives; the path's error rides with it
  "fanotify/readlink": {
    fn: "readlink",
    setup: (b) => watched(b),
    call: (_b, c) => {
      c.touch();
      return c.fan.readEvent();
    },
    returns: (_b, _c, ev) => {
      const e = ev as Butter.FanotifyEvent;
      const err = e.pathError as Butter.OSError | undefined;
      if (e.path !== undefined || err?.syscall !== "readlink") throw new Error(`path ${e.path}, error ${err}`);
      if (e.fd !== -1) throw new Error("the event's fd was left open");
    },
    usable: (_b, c) => {
      c.touch();
      const ev = c.fan.readEvent();
      if (ev.path !== `${c.dir}/f1`) throw new Error(`path ${ev.path} after the failure`);
    },
    teardown: unwatched,
  },
  "fanotify/write": {
    fn: "write",
    setup: blockedOpen,
    call: (_b, c) => c.ev.allow(),
    returns: (_b, c) => {
      if (!c.ev.answered) throw new Error("the event is not answered");
    },
    // a failed answer leaves the event waiting, to be answered again
    usable: answeredOnce,
    teardown: (b, c) => {
      unwatched(b, c);
      c.child.kill();
    },
  },
  // the drain thread's start, in the constructor: the group's fd is closed again, and the
  // next object starts (Inotify's: test/inotify/errno.rows.ts)
  "drain:fanotify": {
    fn: "mmap",
    call: (b) => new b.Fanotify(b.FAN_NONBLOCK),
    usable: (b) => {
      using fan = new b.Fanotify(b.FAN_NONBLOCK);
      if (fan.readEvents().length !== 0) throw new Error("events from nowhere");
    },
  },
  // the key whose destructor closes a JS thread's drains when it ends: made once per
  // thread, on its first Fanotify, so in a fresh process
  "fanotify:own": {
    fn: "pthread_key_create",
    call: (b) => new b.Fanotify(b.FAN_NONBLOCK),
    usable: (b) => new b.Fanotify(b.FAN_NONBLOCK).close(),
  },
  // a blocking readEvent waiting (poll of the bell and the group): the event comes from
  // another process a moment later
  "fanotify/poll": {
    fn: "poll",
    setup: (b) => {
      const c = watched(b);
      Bun.sleepSync(20); // (the drain thread is in its own poll by then: the failure is for this one)
      return c;
    },
    call: (_b, c) => {
      c.writeLater("f0");
      return c.fan.readEvent();
    },
    returns: (_b, c, ev) => {
      if (!eventFor(c, ev)) throw new Error("not the event made");
    },
    usable: (_b, c) => {
      // the event the failed wait was for comes first, if the call did not get it
      c.writeLater("f1");
      const ev = c.fan.readEvent();
      if (ev.path !== `${c.dir}/f0` && ev.path !== `${c.dir}/f1`) throw new Error(`path ${ev.path} after the failure`);
    },
    teardown: unwatched,
  },
  // the drain's answer at the deadline, while the JS thread is blocked (spawnSync): a failed
  // write is tried again, and the access still gets its answer
  "drain/write": deadlineAnswer("write"),
  // the drain thread's own wait, likewise: after the access it polls the wake eventfd (its
  // grace), the group, then waits for the deadline, the third poll: a failure there is
  // waited out, and the access still gets its answer
  "drain/poll": deadlineAnswer("poll"),
  // the program's own access (a read of the guarded file by the JS thread itself): the
  // drain answers it at once; a failed answer leaves it to the deadline (50 ms), and the
  // read still returns
  "drain/write:self": {
    fn: "write",
    setup: (b) => {
      const dir = mkdtempSync(`${tmpdir()}/butter-fan-rows-`);
      writeFileSync(`${dir}/guarded`, "secret");
      const fan = new b.Fanotify(b.FAN_CLASS_CONTENT | b.FAN_NONBLOCK, { deadline: 50 });
      fan.mark(`${dir}/guarded`, b.FAN_OPEN_PERM);
      return { dir, fan };
    },
    call: (_b, c) => readFileSync(`${c.dir}/guarded`, "utf8"),
    returns: (_b, c, text) => {
      if (text !== "secret") throw new Error(`read ${text}`);
      const [ev] = c.fan.readEvents();
      if (ev?.answeredBy !== "deadline") throw new Error(`answered by ${ev?.answeredBy}, not the deadline`);
    },
    usable: (_b, c) => {
      if (readFileSync(`${c.dir}/guarded`, "utf8") !== "secret") throw new Error("not read after the failure");
      if (c.fan.readEvents()[0]?.answeredBy !== "self") throw new Error("not answered as the program's own");
    },
    teardown: unwatched,
  },
  // the drain's list of permission events waiting for an answer grows (realloc 1: the
  // first): without room, the event gets the deadline's answer at once
  "drain/malloc": deadlineAnswer("realloc"),
  name_to_handle_at: {
    fn: "name_to_handle_at",
    call: (b) => b.nameToHandleAt(b.AT_FDCWD, tmpdir()),
    usable: (b) => {
      if (b.nameToHandleAt(b.AT_FDCWD, tmpdir()).handle.bytes.length === 0) throw new Error("empty handle");
    },
  },
  open_by_handle_at: {
    fn: "open_by_handle_at",
    setup: (b) => {
      const dir = mkdtempSync(`${tmpdir()}/butter-fan-rows-`);
      writeFileSync(`${dir}/h`, "x");
      return { dir, mount: openSync(dir, "r"), handle: b.nameToHandleAt(b.AT_FDCWD, `${dir}/h`).handle };
    },
    call: (b, c) => closeSync(b.openByHandleAt(c.mount, c.handle, b.O_CLOEXEC)),
    usable: (b, c) => closeSync(b.openByHandleAt(c.mount, c.handle, b.O_CLOEXEC)),
    teardown: (_b, c) => {
      closeSync(c.mount);
      rmSync(c.dir, { recursive: true, force: true });
    },
  },
};

export const matrix: Row[] = [
  ...rows("fanotify_init", "OSError", ["EINVAL", "EMFILE", "ENFILE", "ENOMEM", "ENOSYS"]),
  ...rows("fanotify_init", "PermissionError", ["EPERM"]),
  ...rows("fanotify_init", "UnknownError", [UNDOCUMENTED]),
  ...rows("fanotify_mark", "OSError", [
    "EBADF", "EEXIST", "EINVAL", "EISDIR", "ENODEV", "ENOENT", "ENOMEM", "ENOSPC", "ENOSYS", "ENOTDIR", "EOPNOTSUPP", "EXDEV",
  ]),
  ...rows("fanotify_mark", "PermissionError", ["EPERM"]),
  ...rows("fanotify_mark", "UnknownError", [UNDOCUMENTED]),
  ...rows("fanotify/read", "OSError", ["EBADF", "EINVAL", "EIO", "EISDIR", "EMFILE", "ENFILE", "ETXTBSY"]),
  ...rows("fanotify/read", "InternalError", ["EFAULT"]),
  ...rows("fanotify/read", "OSError", ["EIO"], { scenario: "fanotify/read:busy" }),
  { call: "fanotify/read", short: 10, expect: "OSError", scenario: "fanotify/read:partial", message: /EIO/ },
  // the drain reads a group that never blocks: EAGAIN is "nothing yet", read again
  ...rows("fanotify/read", "retried", ["EINTR", "EAGAIN"]),
  ...rows("fanotify/read", "waits", ["EAGAIN"], { scenario: "fanotify/read:get" }),
  ...rows("fanotify/read", "UnknownError", [UNDOCUMENTED]),
  ...rows("fanotify/readlink", "passes", [
    "EACCES", "EBADF", "EFAULT", "EINVAL", "EIO", "ELOOP", "ENAMETOOLONG", "ENOENT", "ENOMEM", "ENOTDIR", UNDOCUMENTED,
  ]),
  ...rows("fanotify/write", "OSError", ["EAGAIN", "EBADF", "EDQUOT", "EFBIG", "EINVAL", "EIO", "ENOSPC", "EPIPE", "EDESTADDRREQ"]),
  ...rows("fanotify/write", "PermissionError", ["EPERM"]),
  ...rows("fanotify/write", "InternalError", ["EFAULT"]),
  ...rows("fanotify/write", "retried", ["EINTR"]),
  // ENOENT: the kernel no longer waits on the event (answered already): it is settled
  ...rows("fanotify/write", "passes", ["ENOENT"]),
  ...rows("fanotify/write", "UnknownError", [UNDOCUMENTED]),
  ...rows("fanotify/poll", "OSError", ["EINVAL", "ENOMEM"]),
  ...rows("fanotify/poll", "InternalError", ["EFAULT"]),
  ...rows("fanotify/poll", "retried", ["EINTR"]),
  ...rows("fanotify/poll", "UnknownError", [UNDOCUMENTED]),
  ...rows("drain/write", "passes", [
    "EAGAIN", "EBADF", "EDESTADDRREQ", "EDQUOT", "EFAULT", "EFBIG", "EINTR", "EINVAL", "EIO", "ENOSPC", "EPERM", "EPIPE", UNDOCUMENTED,
  ]),
  ...rows("drain/poll", "passes", ["EFAULT", "EINTR", "EINVAL", "ENOMEM", UNDOCUMENTED], { nth: 3 }),
  ...rows("drain/poll", "passes", ["EINTR", "ENOMEM"], { nth: 4 }),
  ...rows("drain/poll", "passes", ["EINTR", "ENOMEM"], { nth: 5 }),
  ...rows("drain/malloc", "passes", ["ENOMEM", UNDOCUMENTED]),
  ...rows("drain/write", "passes", ["EIO"], { scenario: "drain/write:self" }),
  ...rows("drain/mmap", "OSError", ["EAGAIN", "ENOMEM"], { scenario: "drain:fanotify" }),
  ...rows("drain/mmap", "PermissionError", ["EPERM"], { scenario: "drain:fanotify" }),
  ...rows("drain/mmap", "UnknownError", [UNDOCUMENTED], { scenario: "drain:fanotify" }),
  // the bell (first) and the wake eventfd (second)
  ...rows("drain/eventfd", "OSError", ["EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM"], { scenario: "drain:fanotify", fn: "eventfd" }),
  ...rows("drain/eventfd", "OSError", ["EMFILE"], { scenario: "drain:fanotify", fn: "eventfd", nth: 2 }),
  ...rows("drain/eventfd", "UnknownError", [UNDOCUMENTED], { scenario: "drain:fanotify", fn: "eventfd" }),
  ...rows("drain/pthread_create", "OSError", ["EAGAIN", "EINVAL"], { scenario: "drain:fanotify", fn: "pthread_create" }),
  ...rows("drain/pthread_create", "PermissionError", ["EPERM"], { scenario: "drain:fanotify", fn: "pthread_create" }),
  ...rows("drain/pthread_create", "UnknownError", [UNDOCUMENTED], { scenario: "drain:fanotify", fn: "pthread_create" }),
  ...rows("pthread_key_create", "OSError", ["EAGAIN", "ENOMEM"], { scenario: "fanotify:own", once: "process" }),
  ...rows("name_to_handle_at", "OSError", ["EBADF", "EINVAL", "ELOOP", "ENOENT", "ENOTDIR", "EOPNOTSUPP", "EOVERFLOW", "ESTALE"]),
  ...rows("name_to_handle_at", "PermissionError", ["EPERM"]),
  ...rows("name_to_handle_at", "InternalError", ["EFAULT"]),
  ...rows("name_to_handle_at", "UnknownError", [UNDOCUMENTED]),
  ...rows("open_by_handle_at", "OSError", ["EBADF", "EINVAL", "ELOOP", "ENOENT", "ENOTDIR", "EOPNOTSUPP", "EOVERFLOW", "ESTALE"]),
  ...rows("open_by_handle_at", "PermissionError", ["EPERM"]),
  ...rows("open_by_handle_at", "InternalError", ["EFAULT"]),
  ...rows("open_by_handle_at", "UnknownError", [UNDOCUMENTED]),
];
