// The errno rows of inotify: inotify_init1(2), inotify_add_watch(2), inotify_rm_watch(2) and the events' read(2).
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
  "inotify/read": {
    fn: "read",
    setup: (b) => inotifyWithEvent(b, b.IN_NONBLOCK),
    call: (_b, c) => c.ino.readEvent(), // (readEvents() returns [] on EAGAIN, as documented)
    returns: (_b, _c, ev) => {
      if (!((ev as Butter.InotifyEvent).mask & 0x4)) throw new Error(`got ${(ev as Butter.InotifyEvent).flags}, not IN_ATTRIB`);
    },
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
function inotifyWithEvent(b: B, flags: number, async = false) {
  const dir = mkdtempSync("/tmp/butter-fiu-");
  const ino = async ? new b.InotifyAsync(flags) : new b.Inotify(flags);
  ino.watch(dir, b.IN_ATTRIB);
  let t = 1;
  const touch = () => utimesSync(dir, t, t++);
  if (!async) touch();
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
  ...rows("inotify/read", "OSError", ["EAGAIN", "EBADF", "EINVAL", "EIO", "EISDIR"]),
  ...rows("inotify/read", "InternalError", ["EFAULT"]),
  ...rows("inotify/read", "retried", ["EINTR"]),
  ...rows("inotify/read", "waits", ["EAGAIN"], { scenario: "inotify/read:get" }),
  ...rows("inotify/read", "UnknownError", [UNDOCUMENTED]),
  // the kernel consumed whole events but only part of one is reported
  { call: "inotify/read", short: 10, expect: "OSError", message: /fd \d+ gave 10 of the 16 bytes of an inotify event/ },
];
