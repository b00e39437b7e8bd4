// @privileged: IN_UNMOUNT in a mount namespace, limits in a user namespace
import { describe, expect, test } from "vitest";
import * as fs from "node:fs";
import { spawnSync } from "node:child_process";
import { Inotify, InotifyAsync, type InotifyEvent } from "../../src/inotify/inotify.ts";
import * as s from "../../src/inotify/calls.ts";
import { OSError } from "../../src/core/errors.ts";
import { QueueClosed } from "../../src/core/queue.ts";
import { canUnshare, runChild } from "../../harness/child.ts";
import { fdFlags, highFd, tempDirs, thrown, withFd, worker } from "../helpers.ts";
import { close } from "../../src/core/io.ts";

const tmp = tempDirs("inotify");

const brief = (evs: InotifyEvent[]) => evs.map((e) => `${e.flags.join("|")} ${e.path}`);

describe("1:1 calls", () => {
  test("inotifyInit1: close-on-exec by default; flags are checked", () => {
    withFd(() => s.inotifyInit1(), (fd) => expect(fdFlags(fd) & s.IN_CLOEXEC).toBe(s.IN_CLOEXEC), close);
    withFd(() => s.inotifyInit1(s.IN_NONBLOCK), (fd) => expect(fdFlags(fd) & (s.IN_NONBLOCK | s.IN_CLOEXEC)).toBe(s.IN_NONBLOCK), close);
    expect(() => s.inotifyInit1(1)).toThrow(RangeError);
    expect(() => s.inotifyInit1("0" as never)).toThrow(TypeError);
  });

  test("inotifyAddWatch / inotifyRead / inotifyRmWatch", () => {
    withFd(() => s.inotifyInit1(s.IN_NONBLOCK | s.IN_CLOEXEC), (fd) => {
      const wd = s.inotifyAddWatch(fd, tmp.inotify, s.IN_CREATE);
      expect(wd).toBeGreaterThan(0);
      expect(s.inotifyRead(fd)).toEqual([]);
      fs.writeFileSync(`${tmp.inotify}/a`, "");
      expect(s.inotifyRead(fd)).toEqual([{ wd, mask: s.IN_CREATE, cookie: 0, name: "a" }]);
      s.inotifyRmWatch(fd, wd);
      expect(s.inotifyRead(fd)).toEqual([{ wd, mask: s.IN_IGNORED, cookie: 0, name: "" }]);
      expect(thrown(() => s.inotifyRmWatch(fd, wd))).toMatchObject({ code: "EINVAL", syscall: "inotify_rm_watch" });
    }, close);
  });

  test("bad arguments: NUL in a path, unknown mask bits, wrong types, a closed fd", () => {
    withFd(() => s.inotifyInit1(), (fd) => {
      expect(() => s.inotifyAddWatch(fd, "/tmp\0/x", s.IN_CREATE)).toThrow(/must not contain NUL/);
      expect(() => s.inotifyAddWatch(fd, tmp.inotify, s.IN_Q_OVERFLOW)).toThrow(/bits a watch cannot ask for: 0x4000/);
      expect(() => s.inotifyAddWatch(fd, tmp.inotify, 2 ** 32)).toThrow(RangeError);
      expect(() => s.inotifyAddWatch(fd, 5 as never, s.IN_CREATE)).toThrow(TypeError);
      expect(() => s.inotifyRmWatch(fd, -1)).toThrow(RangeError);
      // both IN_MASK_ADD and IN_MASK_CREATE: the kernel's EINVAL
      expect(thrown(() => s.inotifyAddWatch(fd, tmp.inotify, s.IN_CREATE | s.IN_MASK_ADD | s.IN_MASK_CREATE))).toMatchObject({ code: "EINVAL" });
    }, close);
    const fd = highFd(s.inotifyInit1());
    close(fd);
    expect(thrown(() => s.inotifyAddWatch(fd, tmp.inotify, s.IN_CREATE))).toBeInstanceOf(OSError);
  });

  test("a mask built with | (negative once IN_ONESHOT is in it) means the same bits", () => {
    using ino = new Inotify(s.IN_NONBLOCK);
    const mask = s.IN_CREATE | s.IN_ONESHOT;
    expect(mask).toBeLessThan(0);
    ino.watch(tmp.inotify, mask);
    fs.writeFileSync(`${tmp.inotify}/a`, "");
    fs.writeFileSync(`${tmp.inotify}/b`, "");
    expect(brief(ino.readEvents())).toEqual([`IN_CREATE ${tmp.inotify}/a`, `IN_IGNORED ${tmp.inotify}`]);
  });

  test("the kernel's errors carry the path and the class", () => {
    using ino = new Inotify();
    expect(thrown(() => ino.watch(`${tmp.inotify}/none`))).toMatchObject({ code: "ENOENT", syscall: "inotify_add_watch", path: `${tmp.inotify}/none` });
    fs.writeFileSync(`${tmp.inotify}/f`, "");
    expect(thrown(() => ino.watch(`${tmp.inotify}/f`, s.IN_CREATE | s.IN_ONLYDIR))).toMatchObject({ code: "ENOTDIR" });
    ino.watch(tmp.inotify, s.IN_CREATE);
    expect(thrown(() => ino.watch(tmp.inotify, s.IN_CREATE | s.IN_MASK_CREATE))).toMatchObject({ code: "EEXIST" });
    expect(thrown(() => ino.watch(Buffer.from(`${tmp.inotify}/\xff`, "latin1")))).toMatchObject({ code: "ENOENT", path: `${tmp.inotify}/\udcff` });
  });

  test("inotifyLimits reads /proc/sys", () => {
    const l = s.inotifyLimits();
    expect(l.maxQueuedEvents).toBe(Number(fs.readFileSync("/proc/sys/fs/inotify/max_queued_events", "utf8")));
    expect(l.maxUserWatches).toBe(Number(fs.readFileSync("/proc/sys/fs/inotify/max_user_watches", "utf8")));
    expect(l.maxUserInstances).toBeGreaterThan(0);
  });

  test.skipIf(!canUnshare(["--mount"]))("a limit that cannot be read is undefined, not a guess (a mount namespace hiding /proc/sys/user)", () => {
    const r = runChild(`report(b.inotifyLimits());`, {
      unshare: ["--mount", "--propagation", "private"],
      setup: "mount -t tmpfs none /proc/sys/user",
    });
    expect(r.reports[0]).toMatchObject({ maxQueuedEvents: expect.any(Number) });
    expect(r.reports[0]).not.toHaveProperty("namespaceMaxWatches", expect.anything());
  });

  test("the decoder refuses a truncated event instead of dropping it", () => {
    const buf = new Uint8Array(40);
    new DataView(buf.buffer).setUint32(12, 16, true); // len 16, but only 24 of 32 bytes
    expect(() => s.decodeInotifyEvents(buf, 24, () => 0, 9)).toThrow(/fd 9 gave 24 of the 32 bytes of an inotify event/);
    expect(() => s.decodeInotifyEvents(buf, 8, () => 0)).toThrow(/8 of the 16 bytes/);
    expect(() => s.decodeInotifyEvents(buf, 0, () => 0, 9)).toThrow(/fd 9 gave end of file/);
  });

  test("the decoder reads events from a buffer at any offset, names ASCII, UTF-8 or not", () => {
    const names = [new Uint8Array([0x61]), new TextEncoder().encode("é日"), new Uint8Array([0x66, 0xff])];
    const bytes = new Uint8Array(1 + names.length * 32);
    const events = bytes.subarray(1); // byteOffset 1: not 4-byte aligned
    const view = new DataView(bytes.buffer, 1);
    names.forEach((n, i) => {
      view.setInt32(i * 32, i + 1, true);
      view.setUint32(i * 32 + 4, s.IN_CREATE, true);
      view.setUint32(i * 32 + 12, 16, true);
      events.set(n, i * 32 + 16);
    });
    const got = s.decodeInotifyEvents(events, events.length, (wd, mask, _c, name) => ({ wd, mask, name }));
    expect(got).toEqual([
      { wd: 1, mask: s.IN_CREATE, name: "a" },
      { wd: 2, mask: s.IN_CREATE, name: "é日" },
      { wd: 3, mask: s.IN_CREATE, name: "f\udcff" },
    ]);
  });
});

describe("every event bit the kernel reports", () => {
  test("on files and directories, with isDir and flag names", () => {
    using ino = new Inotify(s.IN_NONBLOCK);
    const wd = ino.watch(tmp.inotify, s.IN_ALL_EVENTS);
    const f = `${tmp.inotify}/f`;
    fs.writeFileSync(f, "x"); // CREATE OPEN MODIFY CLOSE_WRITE
    fs.readFileSync(f); // OPEN ACCESS CLOSE_NOWRITE
    fs.chmodSync(f, 0o600); // ATTRIB
    fs.renameSync(f, `${tmp.inotify}/g`); // MOVED_FROM MOVED_TO
    fs.unlinkSync(`${tmp.inotify}/g`); // DELETE
    fs.mkdirSync(`${tmp.inotify}/d`); // CREATE|ISDIR
    const dwd = ino.watch(`${tmp.inotify}/d`, s.IN_ALL_EVENTS);
    fs.renameSync(`${tmp.inotify}/d`, `${tmp.inotify}/e`); // MOVED_FROM|ISDIR MOVED_TO|ISDIR, MOVE_SELF on d
    fs.rmdirSync(`${tmp.inotify}/e`); // DELETE_SELF IGNORED on d; DELETE|ISDIR
    const evs = ino.readEvents();
    expect(brief(evs).slice(0, 15)).toEqual([
      `IN_CREATE ${tmp.inotify}/f`, `IN_OPEN ${tmp.inotify}/f`, `IN_MODIFY ${tmp.inotify}/f`, `IN_CLOSE_WRITE ${tmp.inotify}/f`,
      `IN_OPEN ${tmp.inotify}/f`, `IN_ACCESS ${tmp.inotify}/f`, `IN_CLOSE_NOWRITE ${tmp.inotify}/f`,
      `IN_ATTRIB ${tmp.inotify}/f`,
      `IN_MOVED_FROM ${tmp.inotify}/f`, `IN_MOVED_TO ${tmp.inotify}/g`,
      `IN_DELETE ${tmp.inotify}/g`,
      `IN_CREATE|IN_ISDIR ${tmp.inotify}/d`,
      `IN_MOVED_FROM|IN_ISDIR ${tmp.inotify}/d`, `IN_MOVED_TO|IN_ISDIR ${tmp.inotify}/e`, `IN_MOVE_SELF ${tmp.inotify}/e`,
    ]);
    // The rmdir: the parent's DELETE, and the directory's own DELETE_SELF then IGNORED.
    // The kernel sends the directory's two when its last dentry reference goes: in the
    // rmdir itself, unless something else held the dentry for a moment, and then after
    // the parent's. (Only the order between the two watches may vary.)
    const last = brief(evs.slice(15));
    expect([...last].sort()).toEqual([`IN_DELETE_SELF ${tmp.inotify}/e`, `IN_DELETE|IN_ISDIR ${tmp.inotify}/e`, `IN_IGNORED ${tmp.inotify}/e`]);
    expect(last.indexOf(`IN_DELETE_SELF ${tmp.inotify}/e`)).toBeLessThan(last.indexOf(`IN_IGNORED ${tmp.inotify}/e`));
    const [from, to] = evs.filter((e) => e.mask & s.IN_MOVE);
    expect(from!.cookie).not.toBe(0);
    expect(to!.cookie).toBe(from!.cookie);
    expect(evs.find((e) => e.flags.includes("IN_ISDIR"))!.isDir).toBe(true);
    expect(evs[0]!.isDir).toBe(false);
    expect(evs.filter((e) => e.wd === dwd).map((e) => e.flags[0])).toEqual(["IN_MOVE_SELF", "IN_DELETE_SELF", "IN_IGNORED"]);
    expect(ino.watches).toEqual(new Map([[wd, tmp.inotify]]));
  });

  test("deleting the watched directory itself", () => {
    using ino = new Inotify(s.IN_NONBLOCK);
    const sub = `${tmp.inotify}/w`;
    fs.mkdirSync(sub);
    ino.watch(sub);
    fs.rmdirSync(sub);
    expect(brief(ino.readEvents())).toEqual([`IN_DELETE_SELF ${sub}`, `IN_IGNORED ${sub}`]);
    expect(ino.watches.size).toBe(0);
  });

  test.skipIf(!canUnshare(["--mount"]))("IN_UNMOUNT, when the watched file's filesystem goes away (in a mount namespace)", () => {
    const r = runChild(
      `const ino = new b.Inotify(b.IN_NONBLOCK);
       ino.watch(process.argv[2] ?? "/mnt/butter/f", b.IN_ATTRIB);
       Bun.spawnSync(["umount", "-l", "/mnt/butter"]);
       report(ino.readEvents().map((e) => e.flags.join("|") + " " + e.path));`,
      { unshare: ["--mount", "--propagation", "private"], setup: "mkdir -p /mnt/butter && mount -t tmpfs none /mnt/butter && touch /mnt/butter/f" },
    );
    expect(r.stderr).toBe("");
    expect(r.reports[0]).toEqual(["IN_UNMOUNT /mnt/butter/f", "IN_IGNORED /mnt/butter/f"]);
  });
});

describe("names are bytes", () => {
  test("a name that is not UTF-8 is escaped, not mangled, and leads back to the file", () => {
    using ino = new Inotify(s.IN_NONBLOCK);
    ino.watch(tmp.inotify, s.IN_CREATE);
    const raw = Buffer.concat([Buffer.from(`${tmp.inotify}/`), Buffer.from([0x66, 0xff, 0xfe, 0x41])]);
    fs.writeFileSync(raw, "odd");
    const [ev] = ino.readEvents();
    expect(ev!.name).toBe("f\udcff\udcfeA");
    // a Buffer path is registered under its lossless string
    const wd = ino.watch(Buffer.from(tmp.inotify), s.IN_CREATE);
    expect(ino.pathOf(wd)).toBe(tmp.inotify);
    expect([...ev!.nameBytes]).toEqual([0x66, 0xff, 0xfe, 0x41]);
    expect(fs.readFileSync(ev!.pathBytes, "utf8")).toBe("odd");
    // the escaped string is accepted by butter itself
    expect(ino.watch(ev!.path, s.IN_ATTRIB)).toBeGreaterThan(0);
    fs.chmodSync(raw, 0o600);
    expect(ino.readEvents().map((e) => e.path)).toEqual([ev!.path]);
  });

  test("UTF-8 names and the longest name (255 bytes) decode in one read", () => {
    using ino = new Inotify(s.IN_NONBLOCK);
    ino.watch(tmp.inotify, s.IN_CREATE);
    const long = "é".repeat(127) + "x"; // 255 bytes
    fs.writeFileSync(`${tmp.inotify}/${long}`, "");
    fs.writeFileSync(`${tmp.inotify}/日本`, "");
    expect(ino.readEvents().map((e) => e.name)).toEqual([long, "日本"]);
  });
});

describe("the registry against the kernel", () => {
  test("unwatch: IN_IGNORED still carries the path; the watch is then gone", () => {
    using ino = new Inotify(s.IN_NONBLOCK);
    const wd = ino.watch(tmp.inotify, s.IN_CREATE);
    fs.writeFileSync(`${tmp.inotify}/before`, "");
    ino.unwatch(wd);
    expect(ino.pathOf(wd)).toBe(tmp.inotify); // until its IN_IGNORED is read
    expect(brief(ino.readEvents())).toEqual([`IN_CREATE ${tmp.inotify}/before`, `IN_IGNORED ${tmp.inotify}`]);
    expect(ino.pathOf(wd)).toBeUndefined();
    expect(thrown(() => ino.unwatch(wd))).toMatchObject({ code: "EINVAL" });
  });

  test("a directory deleted and made again at the same path gets a new wd; paths stay right", () => {
    using ino = new Inotify(s.IN_NONBLOCK);
    const p = `${tmp.inotify}/again`;
    fs.mkdirSync(p);
    const wd1 = ino.watch(p, s.IN_CREATE | s.IN_DELETE_SELF);
    fs.writeFileSync(`${p}/one`, "");
    fs.rmSync(p, { recursive: true });
    fs.mkdirSync(p);
    const wd2 = ino.watch(p, s.IN_CREATE);
    fs.writeFileSync(`${p}/two`, "");
    expect(wd2).not.toBe(wd1);
    const evs = ino.readEvents();
    expect(evs.map((e) => `${e.wd === wd1 ? 1 : 2} ${e.flags[0]} ${e.path}`)).toEqual([
      `1 IN_CREATE ${p}/one`, `1 IN_DELETE_SELF ${p}`, `1 IN_IGNORED ${p}`, `2 IN_CREATE ${p}/two`,
    ]);
    expect(ino.watches).toEqual(new Map([[wd2, p]]));
  });

  test("a hard link to a watched file: the same wd, under the newest path", () => {
    using ino = new Inotify(s.IN_NONBLOCK);
    fs.writeFileSync(`${tmp.inotify}/a`, "");
    fs.linkSync(`${tmp.inotify}/a`, `${tmp.inotify}/b`);
    const wd = ino.watch(`${tmp.inotify}/a`, s.IN_ATTRIB);
    expect(ino.watch(`${tmp.inotify}/b`, s.IN_ATTRIB)).toBe(wd);
    fs.chmodSync(`${tmp.inotify}/a`, 0o600);
    expect(brief(ino.readEvents())).toEqual([`IN_ATTRIB ${tmp.inotify}/b`]);
  });

  test("a watched directory renamed between watched directories reports under its new path", () => {
    using ino = new Inotify(s.IN_NONBLOCK);
    fs.mkdirSync(`${tmp.inotify}/a/deep`, { recursive: true });
    ino.watch(tmp.inotify, s.IN_MOVE);
    const deep = ino.watch(`${tmp.inotify}/a/deep`, s.IN_CREATE);
    fs.renameSync(`${tmp.inotify}/a`, `${tmp.inotify}/b`);
    fs.writeFileSync(`${tmp.inotify}/b/deep/f`, "");
    expect(brief(ino.readEvents()).slice(-1)).toEqual([`IN_CREATE ${tmp.inotify}/b/deep/f`]);
    expect(ino.pathOf(deep)).toBe(`${tmp.inotify}/b/deep`);
  });

  test("IN_ONESHOT: one event, then IN_IGNORED, then nothing", () => {
    using ino = new Inotify(s.IN_NONBLOCK);
    const wd = ino.watch(tmp.inotify, s.IN_CREATE | s.IN_ONESHOT);
    fs.writeFileSync(`${tmp.inotify}/1`, "");
    fs.writeFileSync(`${tmp.inotify}/2`, "");
    expect(brief(ino.readEvents())).toEqual([`IN_CREATE ${tmp.inotify}/1`, `IN_IGNORED ${tmp.inotify}`]);
    expect(ino.pathOf(wd)).toBeUndefined();
  });

  test("IN_MASK_ADD adds to a watch's mask; without it the mask is replaced", () => {
    using ino = new Inotify(s.IN_NONBLOCK);
    ino.watch(tmp.inotify, s.IN_CREATE);
    ino.watch(tmp.inotify, s.IN_DELETE | s.IN_MASK_ADD);
    fs.writeFileSync(`${tmp.inotify}/x`, "");
    fs.unlinkSync(`${tmp.inotify}/x`);
    expect(ino.readEvents().map((e) => e.flags[0])).toEqual(["IN_CREATE", "IN_DELETE"]);
    ino.watch(tmp.inotify, s.IN_DELETE);
    fs.writeFileSync(`${tmp.inotify}/y`, "");
    fs.unlinkSync(`${tmp.inotify}/y`);
    expect(ino.readEvents().map((e) => e.flags[0])).toEqual(["IN_DELETE"]);
  });

  test("IN_EXCL_UNLINK: no events from an unlinked file still open", () => {
    for (const [extra, want] of [[0, 1], [s.IN_EXCL_UNLINK, 0]] as const) {
      using ino = new Inotify(s.IN_NONBLOCK);
      const fd = fs.openSync(`${tmp.inotify}/u`, "w");
      ino.watch(tmp.inotify, s.IN_MODIFY | extra);
      fs.unlinkSync(`${tmp.inotify}/u`);
      fs.writeSync(fd, "x");
      fs.closeSync(fd);
      expect(ino.readEvents().length).toBe(want);
    }
  });

  test("IN_DONT_FOLLOW watches the symlink itself", () => {
    using ino = new Inotify(s.IN_NONBLOCK);
    fs.writeFileSync(`${tmp.inotify}/t`, "");
    fs.symlinkSync(`${tmp.inotify}/t`, `${tmp.inotify}/l`);
    ino.watch(`${tmp.inotify}/l`, s.IN_ATTRIB | s.IN_DONT_FOLLOW);
    fs.chmodSync(`${tmp.inotify}/t`, 0o600); // the target: not watched
    expect(ino.readEvents()).toEqual([]);
    spawnSync("touch", ["-h", `${tmp.inotify}/l`]); // the link itself
    expect(brief(ino.readEvents())).toEqual([`IN_ATTRIB ${tmp.inotify}/l`]);
  });
});

describe("nothing is dropped", () => {
  test("IN_Q_OVERFLOW arrives as an event and is counted (no drain: the kernel's queue alone)", () => {
    const limit = s.inotifyLimits().maxQueuedEvents!;
    using ino = new Inotify(s.IN_NONBLOCK, { drain: false });
    ino.watch(tmp.inotify, s.IN_CREATE);
    const r = spawnSync("sh", ["-c", `cd '${tmp.inotify}' && seq 1 ${limit + 50} | xargs touch`]);
    expect(r.status).toBe(0);
    const evs: InotifyEvent[] = [];
    for (let batch = ino.readEvents(); batch.length > 0; batch = ino.readEvents()) evs.push(...batch);
    expect(evs.length).toBe(limit + 1);
    const last = evs.at(-1)!;
    expect(last.flags).toEqual(["IN_Q_OVERFLOW"]);
    expect([last.wd, last.path]).toEqual([-1, ""]);
    expect(ino.overflows).toBe(1);
  });

  test("100,000 file operations in bursts: every event, once, in order, between readEvents() calls", () => {
    using ino = new Inotify(s.IN_NONBLOCK);
    ino.watch(tmp.inotify, s.IN_CREATE | s.IN_DELETE);
    const seen: string[] = [];
    const BURST = 5000; // each burst makes 2 events per file: under max_queued_events
    for (let i = 0; i < 100_000; i += BURST) {
      for (let j = i; j < i + BURST; j += 2) {
        fs.closeSync(fs.openSync(`${tmp.inotify}/${j}`, "w"));
        fs.unlinkSync(`${tmp.inotify}/${j}`);
      }
      for (let batch = ino.readEvents(); batch.length > 0; batch = ino.readEvents()) {
        for (const e of batch) seen.push(`${e.mask & s.IN_CREATE ? "c" : "d"}${e.name}`);
      }
    }
    expect(ino.overflows).toBe(0);
    expect(seen.length).toBe(100_000);
    const want: string[] = [];
    for (let j = 0; j < 100_000; j += 2) want.push(`c${j}`, `d${j}`);
    expect(seen).toEqual(want);
  }, 120_000); // (36 s in the aarch64 guest under emulation on a slow host)
});

describe("the drain: events read while the JS thread is busy", () => {
  // creations made by this thread (busy the whole time), more than the kernel queues
  const burst = (dir: string, n: number) => {
    for (let i = 0; i < n; i++) fs.writeFileSync(`${dir}/${i}`, "");
  };
  const readAll = (ino: Inotify) => {
    const evs: InotifyEvent[] = [];
    for (let batch = ino.readEvents(); batch.length > 0; batch = ino.readEvents()) evs.push(...batch);
    return evs;
  };
  // (a drain thread names itself as it starts: a count right after a start may lag)
  const drainThreadsAtLeast = async (n: number) => {
    for (let i = 0; i < 100 && drainThreads() < n; i++) await Bun.sleep(10);
    return drainThreads();
  };
  const drainThreads = () =>
    fs.readdirSync("/proc/self/task").filter((t) => {
      try {
        return fs.readFileSync(`/proc/self/task/${t}/comm`, "utf8") === "butter-drain\n";
      } catch {
        return false; // (a thread that ended meanwhile)
      }
    }).length;

  test("more creations than max_queued_events from the JS thread itself: every one, in order, no overflow", () => {
    const n = s.inotifyLimits().maxQueuedEvents! + 4000;
    using ino = new Inotify(s.IN_NONBLOCK);
    ino.watch(tmp.inotify, s.IN_CREATE);
    burst(tmp.inotify, n);
    const evs = readAll(ino);
    expect(ino.overflows).toBe(0);
    expect(evs.length).toBe(n);
    expect(evs.every((e, i) => e.name === String(i) && e.path === `${tmp.inotify}/${i}`)).toBe(true);
  });

  test("the same burst without the drain overflows the kernel's queue (what the drain is for)", () => {
    const limit = s.inotifyLimits().maxQueuedEvents!;
    using ino = new Inotify(s.IN_NONBLOCK, { drain: false });
    ino.watch(tmp.inotify, s.IN_CREATE);
    burst(tmp.inotify, limit + 4000);
    const evs = readAll(ino);
    expect(ino.overflows).toBe(1);
    expect(evs.length).toBe(limit + 1);
  });

  test("past the drain's bound the kernel's queue overflows, into an event after the ones kept, in order", () => {
    const limit = s.inotifyLimits().maxQueuedEvents!;
    using ino = new Inotify(s.IN_NONBLOCK, { bufferSize: 64 * 1024 });
    ino.watch(tmp.inotify, s.IN_CREATE);
    // (the JS thread waits in spawnSync: the drain reads until its buffer is full)
    const r = spawnSync("sh", ["-c", `cd '${tmp.inotify}' && seq 0 ${limit + 8000} | xargs touch`]);
    expect(r.status).toBe(0);
    const evs = readAll(ino);
    const last = evs.at(-1)!;
    expect(last.flags).toEqual(["IN_Q_OVERFLOW"]);
    expect(ino.overflows).toBe(1);
    // more than the kernel alone keeps, fewer than were made; the names a prefix, in order
    expect(evs.length).toBeGreaterThan(limit + 1);
    expect(evs.length).toBeLessThan(limit + 8002);
    expect(evs.slice(0, -1).every((e, i) => e.name === String(i + 1) || e.name === String(i))).toBe(true);
  });

  test("a blocking Inotify waits in the drain for an event that comes later", () => {
    using ino = new Inotify();
    ino.watch(tmp.inotify, s.IN_CREATE);
    const child = Bun.spawn(["sh", "-c", `sleep 0.1; touch '${tmp.inotify}/late'`]);
    const ev = ino.readEvent();
    expect(ev.path).toBe(`${tmp.inotify}/late`);
    void child.exited;
  });

  test("options are checked: drain a boolean, bufferSize 64 KiB to 1 GiB", () => {
    expect(() => new Inotify(0, { drain: 1 as never })).toThrow(TypeError);
    expect(() => new Inotify(0, { bufferSize: 1024 })).toThrow(RangeError);
    expect(() => new Inotify(0, { bufferSize: 2 ** 31 })).toThrow(RangeError);
    expect(() => new Inotify(0, null as never)).toThrow(TypeError);
  });

  test("a Worker's instance reads while the main thread reads its own, with process.on listeners; its end stops its drain", async () => {
    const listener = () => {};
    process.on("SIGWINCH", listener);
    process.on("exit", listener);
    const before = drainThreads();
    try {
      const w = worker(`const ino = new b.InotifyAsync();
        ino.watch(${JSON.stringify(tmp.inotify)}, b.IN_CREATE);
        postMessage("watching");
        const names = new Set(); for await (const ev of ino) { names.add(ev.name); if (names.size === 50) break; }
        postMessage(names.size);`);
      expect(await w.message).toBe("watching");
      expect(await drainThreadsAtLeast(before + 1)).toBe(before + 1);
      await using here = new InotifyAsync();
      here.watch(tmp.inotify, s.IN_CREATE);
      const mine = (async () => {
        const names = new Set<string>();
        for await (const ev of here) if (names.add(ev.name).size === 50) break;
        return names.size;
      })();
      for (let i = 0; i < 50; i++) fs.writeFileSync(`${tmp.inotify}/w${i}`, "");
      expect(await mine).toBe(50);
      expect(await w.next()).toBe(50);
      await w.end(); // (the Worker's instance is not closed: its thread's end stops the drain)
      for (let i = 0; i < 100 && drainThreads() > before + 1; i++) await Bun.sleep(10);
      expect(drainThreads()).toBe(before + 1); // here's
    } finally {
      process.off("SIGWINCH", listener);
      process.off("exit", listener);
    }
  });

  test("instances dropped to the collector stop their drains and close their fds", async () => {
    const instances = () => fs.readdirSync("/proc/self/fd").filter((f) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${f}`) === "anon_inode:inotify";
      } catch {
        return false;
      }
    }).length;
    const fds = instances();
    const threads = drainThreads();
    // made in a timer's callback: no stale reference on this function's stack keeps one alive
    await new Promise<void>((r) =>
      setTimeout(() => {
        for (let i = 0; i < 5; i++) new Inotify(s.IN_NONBLOCK).watch(tmp.inotify, s.IN_CREATE);
        r();
      }, 0),
    );
    expect([instances(), await drainThreadsAtLeast(threads + 5)]).toEqual([fds + 5, threads + 5]);
    for (let i = 0; i < 200 && (instances() > fds || drainThreads() > threads); i++) {
      Bun.gc(true);
      await Bun.sleep(10);
    }
    expect([instances(), drainThreads()]).toEqual([fds, threads]);
  });

  test("close() stops the drain at once, with events held", () => {
    const threads = drainThreads();
    const ino = new Inotify(s.IN_NONBLOCK);
    ino.watch(tmp.inotify, s.IN_CREATE);
    burst(tmp.inotify, 100);
    Bun.sleepSync(20); // (the drain holds them by now)
    ino.close();
    expect(drainThreads()).toBe(threads);
    expect(thrown(() => ino.readEvents())).toMatchObject({ code: "EBADF" });
  });
});

describe("InotifyAsync", () => {
  test("for await, in order; close ends the loop after buffered events", async () => {
    const ino = new InotifyAsync();
    ino.watch(tmp.inotify, s.IN_CREATE);
    setTimeout(() => {
      for (const n of ["a", "b", "c"]) fs.writeFileSync(`${tmp.inotify}/${n}`, "");
    }, 5);
    const names: string[] = [];
    for await (const ev of ino) {
      names.push(ev.name);
      if (names.length === 1) ino.close(); // b and c were read with a (one read)
    }
    expect(names).toEqual(["a", "b", "c"]);
    await expect(ino.get()).rejects.toBeInstanceOf(QueueClosed);
  });

  test("get() with an AbortSignal consumes nothing", async () => {
    await using ino = new InotifyAsync();
    ino.watch(tmp.inotify, s.IN_CREATE);
    const ac = new AbortController();
    const p = ino.get({ signal: ac.signal });
    ac.abort(new Error("stop"));
    await expect(p).rejects.toThrow("stop");
    fs.writeFileSync(`${tmp.inotify}/z`, "");
    expect((await ino.get()).name).toBe("z");
  });

  test("non-blocking and close-on-exec", () => {
    using ino = new InotifyAsync();
    expect(fdFlags(ino.fd) & (s.IN_NONBLOCK | s.IN_CLOEXEC)).toBe(s.IN_NONBLOCK | s.IN_CLOEXEC);
    expect(() => new InotifyAsync(1)).toThrow(RangeError);
  });
});

describe("limits named in the error", () => {
  test.skipIf(!canUnshare(["--user", "--map-root-user"]))(
    "ENOSPC from inotify_add_watch names the watch limit (a user namespace with a limit of 2)",
    () => {
      const r = runChild(
        `const ino = new b.Inotify();
         ino.watch("/tmp"); ino.watch("/proc");
         try { ino.watch("/"); report("no error"); } catch (e) { report({ name: e.constructor.name, code: e.code, message: e.message }); }`,
        { unshare: ["--user", "--map-root-user"], setup: "echo 2 > /proc/sys/user/max_inotify_watches" },
      );
      expect(r.stderr).toBe("");
      expect(r.reports[0]).toMatchObject({ name: "OSError", code: "ENOSPC" });
      expect((r.reports[0] as { message: string }).message).toMatch(/inotify_add_watch '\/' \(the per-user limit of inotify watches was reached: fs.inotify.max_user_watches = \d+, user.max_inotify_watches = 2 in this user namespace\)/);
    },
  );

  test.skipIf(!canUnshare(["--user", "--map-root-user"]))(
    "EMFILE from inotify_init1 names the instance limit (a user namespace with a limit of 1)",
    () => {
      const r = runChild(
        `const a = new b.Inotify();
         try { new b.Inotify(); report("no error"); } catch (e) { report({ code: e.code, message: e.message }); }`,
        { unshare: ["--user", "--map-root-user"], setup: "echo 1 > /proc/sys/user/max_inotify_instances" },
      );
      expect(r.reports[0]).toMatchObject({ code: "EMFILE" });
      expect((r.reports[0] as { message: string }).message).toMatch(/user.max_inotify_instances = 1 in this user namespace/);
    },
  );
});
