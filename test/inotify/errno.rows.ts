// The errno rows of inotify: inotify_init1(2), inotify_add_watch(2), inotify_rm_watch(2), the events' read(2), a blocking wait's poll(2), and the drain's start from an Inotify.
// Each row is forced through the libfiu shim by test/errno-matrix.test.ts (format and
// rules: harness/errno-rows.ts).
import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import type * as Butter from "../../src/index.ts";
import { rows, UNDOCUMENTED, type B, type Row, type Scenario } from "../../harness/errno-rows.ts";

export const scenarios: Record<string, Scenario> = {
  inotify_init1: {
    fn: "inotify_init1",
    call: (b) => new b.Inotify(),
    usable: (b) => new b.Inotify().close(),
  },
  inotify_add_watch: {
    fn: "inotify_add_watch",
    setup: (b) => new b.Inotify(b.IN_NONBLOCK),
    call: (_b, ino) => ino.watch("/tmp"),
    usable: (b, ino) => {
      const wd = ino.watch("/tmp", b.IN_ATTRIB);
      if (ino.pathOf(wd) !== "/tmp") throw new Error("watch not registered");
      // the failed watch left nothing behind in the registry
      if (ino.watches.size !== 1) throw new Error(`registry has ${ino.watches.size} watches`);
    },
    teardown: (_b, ino) => ino.close(),
  },
  inotify_rm_watch: {
    fn: "inotify_rm_watch",
    setup: (b) => {
      const ino = new b.Inotify(b.IN_NONBLOCK);
      return { ino, wd: ino.watch("/tmp", b.IN_ATTRIB) };
    },
    call: (_b, c) => c.ino.unwatch(c.wd),
    // the failed unwatch left the watch registered; a second one works
    usable: (_b, c) => {
      if (c.ino.pathOf(c.wd) !== "/tmp") throw new Error("watch lost");
      c.ino.unwatch(c.wd);
      const [ev] = c.ino.readEvents();
      if (ev?.flags.join() !== "IN_IGNORED" || ev.path !== "/tmp") throw new Error(`got ${ev?.flags}`);
    },
    teardown: (_b, c) => c.ino.close(),
  },
  // The event is made inside the call: whoever reads it first, the JS thread (in
  // readEvent) or the drain's (after its grace; under emulation JS can be that slow),
  // meets the failure, and readEvent reports it. An event queued before the call could be
  // in the drain's memory already, and no read would be made for the row.
  "inotify/read": {
    fn: "read",
    setup: (b) => inotifyWithEvent(b, b.IN_NONBLOCK, false, false),
    call: (_b, c) => {
      c.touch();
      return c.ino.readEvent(); // (readEvents() returns [] on EAGAIN, as documented)
    },
    returns: (_b, _c, ev) => {
      if (!((ev as Butter.InotifyEvent).mask & 0x4)) throw new Error(`got ${(ev as Butter.InotifyEvent).flags}, not IN_ATTRIB`);
    },
    usable: (_b, c) => {
      c.touch();
      if (c.ino.readEvents().length === 0) throw new Error("no event after the failure");
    },
    teardown: inotifyTeardown,
  },
  // a blocking readEvent waiting in the drain (poll of its bell and the instance): the
  // event comes from another process a moment later
  "inotify/poll": {
    fn: "poll",
    setup: (b) => {
      const c = inotifyWithEvent(b, 0, false, false);
      Bun.sleepSync(20); // (the drain thread is in its own poll by then: the failure is for this one)
      return c;
    },
    call: (_b, c) => {
      Bun.spawn(["sh", "-c", `sleep 0.05; touch -d @7 '${c.dir}'`]);
      return c.ino.readEvent();
    },
    returns: (_b, _c, ev) => {
      if (!((ev as Butter.InotifyEvent).mask & 0x4)) throw new Error(`got ${(ev as Butter.InotifyEvent).flags}, not IN_ATTRIB`);
    },
    usable: (_b, c) => {
      // the event the failed wait was for comes first, if the call did not get it
      Bun.spawn(["sh", "-c", `sleep 0.05; touch -d @8 '${c.dir}'`]);
      if (!(c.ino.readEvent().mask & 0x4)) throw new Error("not IN_ATTRIB after the failure");
    },
    teardown: inotifyTeardown,
  },
  // the drain's start, in the constructor: the instance's fd is closed again (the row's
  // fd check), and the next instance starts its own
  "drain:inotify": {
    fn: "mmap",
    call: (b) => new b.Inotify(b.IN_NONBLOCK),
    usable: (b) => {
      using ino = new b.Inotify(b.IN_NONBLOCK);
      ino.watch("/tmp", b.IN_ATTRIB);
      if (ino.readEvents().some((e) => e.wd !== 1)) throw new Error("events from nowhere");
    },
  },
  // an instance without the drain: JS reads the fd itself
  "inotify/read:direct": {
    fn: "read",
    setup: (b) => inotifyWithEvent(b, b.IN_NONBLOCK, false, true, false),
    call: (_b, c) => c.ino.readEvent(),
    usable: (_b, c) => {
      c.touch();
      if (c.ino.readEvents().length === 0) throw new Error("no event after the failure");
    },
    teardown: inotifyTeardown,
  },
  "inotify/read:get": {
    fn: "read",
    setup: (b) => inotifyWithEvent(b, 0, true),
    call: async (_b, c) => {
      setTimeout(() => c.ino.closed || c.touch(), 5);
      return await c.ino.get();
    },
    returns: (_b, _c, ev) => {
      if (!((ev as Butter.InotifyEvent).mask & 0x4)) throw new Error(`got ${(ev as Butter.InotifyEvent).flags}, not IN_ATTRIB`);
    },
    usable: async (_b, c) => {
      c.touch();
      await c.ino.get();
    },
    teardown: inotifyTeardown,
  },
};

// An inotify watching a directory of its own, with one IN_ATTRIB queued (none for the
// async one); `touch()` queues another.
function inotifyWithEvent(b: B, flags: number, async = false, queued = !async, drain = true) {
  const dir = mkdtempSync("/tmp/butter-fiu-");
  const ino = async ? new b.InotifyAsync(flags, { drain }) : new b.Inotify(flags, { drain });
  ino.watch(dir, b.IN_ATTRIB);
  let t = 1;
  const touch = () => utimesSync(dir, t, t++);
  if (queued) touch();
  return { ino, touch, dir };
}

function inotifyTeardown(_b: B, c: ReturnType<typeof inotifyWithEvent>) {
  c.ino.close();
  rmSync(c.dir, { recursive: true, force: true });
}

export const matrix: Row[] = [
  ...rows("inotify_init1", "OSError", ["EINVAL", "EMFILE", "ENFILE", "ENOMEM"]),
  ...rows("inotify_init1", "UnknownError", [UNDOCUMENTED]),
  ...rows("inotify_add_watch", "OSError", ["EBADF", "EEXIST", "EINVAL", "ENAMETOOLONG", "ENOENT", "ENOMEM", "ENOSPC", "ENOTDIR"]),
  ...rows("inotify_add_watch", "PermissionError", ["EACCES"]),
  ...rows("inotify_add_watch", "InternalError", ["EFAULT"]),
  ...rows("inotify_add_watch", "UnknownError", [UNDOCUMENTED]),
  ...rows("inotify_rm_watch", "OSError", ["EBADF", "EINVAL"]),
  ...rows("inotify_rm_watch", "UnknownError", [UNDOCUMENTED]),
  ...rows("inotify/read", "OSError", ["EBADF", "EINVAL", "EIO", "EISDIR"]),
  // EAGAIN is "nothing ready" for whoever reads: only JS's own read makes it readEvent's
  // (the drain's would leave the event to the next read, a moment later)
  ...rows("inotify/read", "OSError", ["EAGAIN"], { scenario: "inotify/read:direct" }),
  ...rows("inotify/read", "InternalError", ["EFAULT"]),
  ...rows("inotify/read", "retried", ["EINTR"]),
  ...rows("inotify/read", "waits", ["EAGAIN"], { scenario: "inotify/read:get" }),
  ...rows("inotify/read", "UnknownError", [UNDOCUMENTED]),
  // the kernel consumed whole events but only part of one is reported: the drain keeps
  // EIO for JS, drops what it cannot trust, and reads the instance again
  { call: "inotify/read", short: 10, expect: "OSError", message: /EIO/ },
  // without the drain, JS's own read says which fd and how much
  { call: "inotify/read", short: 10, expect: "OSError", scenario: "inotify/read:direct", message: /fd \d+ gave 10 of the 16 bytes of an inotify event/ },
  ...rows("inotify/poll", "OSError", ["EINVAL", "ENOMEM"]),
  ...rows("inotify/poll", "InternalError", ["EFAULT"]),
  ...rows("inotify/poll", "retried", ["EINTR"]),
  ...rows("inotify/poll", "UnknownError", [UNDOCUMENTED]),
  ...rows("drain/mmap", "OSError", ["ENOMEM"], { scenario: "drain:inotify" }),
  ...rows("drain/eventfd", "OSError", ["EMFILE"], { scenario: "drain:inotify", fn: "eventfd", nth: 2 }),
  ...rows("drain/pthread_create", "OSError", ["EAGAIN"], { scenario: "drain:inotify", fn: "pthread_create" }),
];
