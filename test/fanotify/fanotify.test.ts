// @privileged: fanotify groups that report fds and permission classes need CAP_SYS_ADMIN
// Fanotify and FanotifyAsync: paths, the fds butter owns, permission answers.
import { closeSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { ownedFds } from "../../src/core/fd.ts";
import { drainAnswer } from "../../src/fanotify/calls.ts";
import { drainClose, drainOpen, drainPending, DRAIN_FANOTIFY } from "../../src/core/drain.ts";
import { sleep, tempDirs, thrown, worker } from "../helpers.ts";
import { expectNoFsid, fidMarkable } from "./fid.ts";
import { cat, guardedFile } from "./guarded.ts";

const root = process.getuid?.() === 0;
const dirs = tempDirs("fan");
const openFdCount = () => readdirSync("/proc/self/fd").length;

describe.skipIf(!root)("Fanotify (needs root: CAP_SYS_ADMIN)", () => {
  test("events carry their path; the fds are closed as they are read", () => {
    using fan = new b.Fanotify(b.FAN_NONBLOCK);
    fan.mark(dirs.fan, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD);
    const before = openFdCount();
    for (let i = 0; i < 50; i++) writeFileSync(`${dirs.fan}/f${i}`, "x");
    const events = fan.readEvents();
    expect(events.map((e) => e.path).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `${dirs.fan}/f${i}`).sort());
    for (const e of events) {
      expect(e.fd).toBe(-1);
      expect(e.pid).toBe(process.pid);
      expect(e.flags).toEqual(["FAN_CLOSE_WRITE"]);
      expect(thrown(() => e.takeFd()).message).toMatch(/keepEventFds/);
    }
    expect(openFdCount()).toBe(before);
    expect(fan.readEvents()).toEqual([]);
  });

  test("keepEventFds: the event owns its fd until close(), takeFd() hands it over", () => {
    using fan = new b.Fanotify(b.FAN_NONBLOCK, { keepEventFds: true });
    fan.mark(dirs.fan, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD);
    const owned = ownedFds();
    writeFileSync(`${dirs.fan}/a`, "aa");
    writeFileSync(`${dirs.fan}/b`, "bb");
    const [a, c] = fan.readEvents();
    expect(ownedFds()).toBe(owned + 2);
    expect(a!.fd).toBeGreaterThan(2);
    a!.close();
    expect(a!.fd).toBe(-1);
    const fd = c!.takeFd();
    expect(ownedFds()).toBe(owned);
    expect(Bun.file(`/proc/self/fd/${fd}`).size).toBe(2);
    closeSync(fd); // (the program's now)
  });

  test("FID groups: paths from the marked directory's handle, and through open_by_handle_at for others", () => {
    if (!fidMarkable(dirs.fan)) return expectNoFsid(dirs.fan);
    using fan = new b.Fanotify(b.FAN_NONBLOCK | b.FAN_REPORT_DFID_NAME_TARGET);
    fan.mark(dirs.fan, b.FAN_CREATE | b.FAN_DELETE | b.FAN_RENAME | b.FAN_ONDIR | b.FAN_EVENT_ON_CHILD);
    mkdirSync(`${dirs.fan}/d`);
    writeFileSync(`${dirs.fan}/x`, "");
    renameSync(`${dirs.fan}/x`, `${dirs.fan}/y`);
    const events = fan.readEvents();
    expect(events.map((e) => [e.flags.join("|"), e.path, e.name])).toEqual([
      ["FAN_CREATE|FAN_ONDIR", `${dirs.fan}/d`, "d"],
      ["FAN_CREATE", `${dirs.fan}/x`, "x"],
      ["FAN_RENAME", `${dirs.fan}/y`, undefined],
    ]);
    const rename = events[2]!;
    expect([rename.oldName, rename.newName, rename.oldPath, rename.newPath]).toEqual(["x", "y", `${dirs.fan}/x`, `${dirs.fan}/y`]);
  });

  test("a filesystem mark: a directory nobody marked is found by its handle", () => {
    if (!fidMarkable(dirs.fan)) return expectNoFsid(dirs.fan);
    using fan = new b.Fanotify(b.FAN_NONBLOCK | b.FAN_REPORT_DFID_NAME);
    fan.mark(dirs.fan, b.FAN_CREATE, b.FAN_MARK_FILESYSTEM);
    mkdirSync(`${dirs.fan}/deep/er`, { recursive: true });
    writeFileSync(`${dirs.fan}/deep/er/file`, "");
    const mine = fan.readEvents().filter((e) => e.path?.startsWith(dirs.fan));
    expect(mine.map((e) => e.path)).toContain(`${dirs.fan}/deep/er/file`);
    fan.flush(b.FAN_MARK_FILESYSTEM);
  });

  // (names keep the creations apart: with FID alone they would merge into one event)
  const creations = (fan: b.Fanotify, n: number) => {
    fan.mark(dirs.fan, b.FAN_CREATE | b.FAN_EVENT_ON_CHILD);
    for (let i = 0; i < n; i++) writeFileSync(`${dirs.fan}/${i}`, "");
    const events: b.FanotifyEvent[] = [];
    for (let batch = fan.readEvents(); batch.length > 0; batch = fan.readEvents()) events.push(...batch);
    return events;
  };

  test("the drain reads while JS is busy: more creations than the kernel queues, none lost", () => {
    if (!fidMarkable(dirs.fan)) return expectNoFsid(dirs.fan);
    using fan = new b.Fanotify(b.FAN_NONBLOCK | b.FAN_REPORT_DFID_NAME);
    const events = creations(fan, 17_000); // fs.fanotify.max_queued_events is 16384
    expect(events.length).toBe(17_000);
    expect(fan.overflows).toBe(0);
    expect(new Set(events.map((e) => e.name)).size).toBe(17_000);
  });

  test("past the drain's buffer the kernel's queue overflows, into an event, never silently", () => {
    if (!fidMarkable(dirs.fan)) return expectNoFsid(dirs.fan);
    using fan = new b.Fanotify(b.FAN_NONBLOCK | b.FAN_REPORT_DFID_NAME, { bufferSize: 64 * 1024 });
    const events = creations(fan, 20_000);
    const last = events.at(-1)!;
    expect(last.isOverflow).toBe(true);
    expect(last.path).toBeUndefined();
    expect(fan.overflows).toBe(1);
    expect(events.length).toBeGreaterThan(16_384);
    expect(events.length).toBeLessThan(20_000);
  });

  test("an unknown feature or a combination the kernel refuses: EINVAL; a missing feature is named", () => {
    const f = b.fanotifyFeatures();
    expect(f.kernel).toBe(b.kernelRelease());
    expect(thrown(() => new b.Fanotify(b.FAN_REPORT_MNT | b.FAN_REPORT_FID)).code).toBe("EINVAL");
    if (f.mountEvents === false) {
      expect(thrown(() => new b.Fanotify(b.FAN_REPORT_MNT)).message).toMatch(/mountEvents needs Linux 6\.15; this kernel is/);
    } else {
      using m = new b.Fanotify(b.FAN_REPORT_MNT);
      expect(m.closed).toBe(false);
    }
    expect(() => new b.Fanotify(0, { deadlineResponse: "maybe" as never })).toThrow(TypeError);
    expect(() => new b.Fanotify(0, { deadline: -1 })).toThrow(RangeError);
    using fan = new b.Fanotify();
    expect(() => fan.mark(dirs.fan, b.FAN_OPEN, b.FAN_MARK_ADD)).toThrow(RangeError);
    expect(() => fan.flush(3)).toThrow(RangeError);
  });
});

describe.skipIf(!root)("threads, listeners, the collector (needs root: CAP_SYS_ADMIN)", () => {
  test("a Worker and the main thread each read their group at once, with process.on listeners installed", async () => {
    if (!fidMarkable(dirs.fan)) return expectNoFsid(dirs.fan);
    const listener = () => {};
    process.on("SIGWINCH", listener);
    process.on("exit", listener);
    try {
      const w = worker(`const fan = new b.FanotifyAsync(b.FAN_REPORT_DFID_NAME);
        fan.mark(${JSON.stringify(dirs.fan)}, b.FAN_CREATE | b.FAN_EVENT_ON_CHILD);
        postMessage("marked");
        const names = new Set(); for await (const ev of fan) { names.add(ev.name); if (names.size === 50) break; }
        fan.close(); postMessage(names.size);`);
      expect(await w.message).toBe("marked");
      await using here = new b.FanotifyAsync(b.FAN_REPORT_DFID_NAME);
      here.mark(dirs.fan, b.FAN_CREATE | b.FAN_EVENT_ON_CHILD);
      const mine = (async () => {
        const names = new Set<string>();
        for await (const ev of here) if (names.add(ev.name!).size === 50) break;
        return names.size;
      })();
      for (let i = 0; i < 50; i++) writeFileSync(`${dirs.fan}/w${i}`, "");
      expect(await mine).toBe(50);
      expect(await w.next()).toBe(50);
      await w.end();
    } finally {
      process.off("SIGWINCH", listener);
      process.off("exit", listener);
    }
  });

  test("groups dropped to the collector stop their drains and close their fds", async () => {
    const groups = () => readdirSync("/proc/self/fd").filter((f) => {
      try {
        return readlinkSync(`/proc/self/fd/${f}`) === "anon_inode:[fanotify]";
      } catch {
        return false;
      }
    }).length;
    const before = groups();
    // made in a timer's callback: no stale reference on this function's stack keeps one alive
    await new Promise<void>((r) =>
      setTimeout(() => {
        for (let i = 0; i < 5; i++) new b.Fanotify(b.FAN_NONBLOCK).mark(dirs.fan, b.FAN_OPEN);
        r();
      }, 0),
    );
    expect(groups()).toBe(before + 5);
    for (let i = 0; i < 200 && groups() > before; i++) {
      Bun.gc(true);
      await sleep(10);
    }
    expect(groups()).toBe(before);
  });
});

describe.skipIf(!root)("permission events (needs root: CAP_SYS_ADMIN)", () => {
  const guarded = () => guardedFile(dirs.fan);

  test("allow() and deny() answer a real open of another process, once", async () => {
    await using fan = new b.FanotifyAsync(b.FAN_CLASS_CONTENT);
    const file = guarded();
    fan.mark(file, b.FAN_OPEN_PERM);
    const denied = cat(file);
    const ev = await fan.get();
    expect([ev.isPermission, ev.path, ev.pid, fan.pending]).toEqual([true, file, denied.pid, 1]);
    expect(ev.fd).toBeGreaterThan(2);
    ev.deny();
    expect([ev.answered, ev.fd, fan.pending]).toEqual([true, -1, 0]);
    expect(await denied.exited).toBe(1);
    expect(() => ev.allow()).toThrow(/answered already/);
    const allowed = cat(file);
    (await fan.get()).allow();
    expect(await allowed.exited).toBe(0);
    expect(await new Response(allowed.stdout).text()).toBe("secret");
  });

  test("the deadline answers what the program does not (deny, here)", async () => {
    await using fan = new b.FanotifyAsync(b.FAN_CLASS_CONTENT, { deadline: 100, deadlineResponse: "deny" });
    const file = guarded();
    fan.mark(file, b.FAN_OPEN_PERM);
    const child = cat(file);
    const ev = await fan.get();
    expect(ev.answered).toBe(false);
    expect(await child.exited).toBe(1);
    expect(ev.answered).toBe(true);
    expect(fan.pending).toBe(0);
  });

  test("close() answers what is pending, with the deadline's answer", async () => {
    const fan = new b.FanotifyAsync(b.FAN_CLASS_CONTENT, { deadline: 60_000 });
    const file = guarded();
    fan.mark(file, b.FAN_OPEN_PERM);
    const child = cat(file);
    const ev = await fan.get();
    await sleep(20);
    fan.close();
    expect(ev.answered).toBe(true);
    expect(await child.exited).toBe(0);
  });

  test("a notification event takes no answer", () => {
    using fan = new b.Fanotify(b.FAN_NONBLOCK);
    fan.mark(dirs.fan, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD);
    writeFileSync(`${dirs.fan}/n`, "");
    const [ev] = fan.readEvents();
    expect(() => ev!.allow()).toThrow(/takes no answer/);
  });
});

describe.skipIf(!root)("what the drain holds (needs root: CAP_SYS_ADMIN)", () => {
  test("pidfd records: closed with the path unless the events keep their fds", () => {
    if (b.fanotifyFeatures().pidfd !== true) {
      expect(thrown(() => new b.Fanotify(b.FAN_REPORT_PIDFD)).message).toMatch(/pidfd needs Linux 5\.15/);
      return;
    }
    for (const keep of [false, true]) {
      using fan = new b.Fanotify(b.FAN_NONBLOCK | b.FAN_REPORT_PIDFD, { keepEventFds: keep });
      fan.mark(dirs.fan, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD);
      const before = openFdCount();
      writeFileSync(`${dirs.fan}/p${keep}`, "");
      const [ev] = fan.readEvents();
      expect(ev!.records.map((r) => r.type)).toEqual(["pidfd"]);
      if (!keep) {
        expect([ev!.fd, ev!.pidfd]).toEqual([-1, -1]);
        expect(openFdCount()).toBe(before);
        expect(() => ev!.takePidfd()).toThrow(/no pidfd/);
      } else {
        expect(readFileSync(`/proc/self/fdinfo/${ev!.pidfd}`, "utf8")).toMatch(new RegExp(`Pid:\\s+${process.pid}\\b`));
        const pidfd = ev!.takePidfd();
        ev!.close();
        expect(openFdCount()).toBe(before + 1);
        closeSync(pidfd);
      }
    }
  });

  test("closed with events read and not handed out, fds and all: nothing is left open", () => {
    const before = openFdCount();
    const fan = new b.Fanotify(b.FAN_NONBLOCK, { bufferSize: 64 * 1024, keepEventFds: true });
    fan.mark(dirs.fan, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD);
    // more than the buffer holds: some wait read (with their fds) outside it
    for (let i = 0; i < 3000; i++) writeFileSync(`${dirs.fan}/k${i}`, "");
    Bun.sleepSync(50); // (the drain reads while this thread sleeps)
    expect(openFdCount()).toBeGreaterThan(before + 100);
    fan.close();
    expect(openFdCount()).toBe(before);
  });

  test("an answer for an event the drain does not hold is refused, not written", () => {
    const fd = b.fanotifyInit(b.FAN_CLOEXEC | b.FAN_NONBLOCK | b.FAN_CLASS_CONTENT);
    const d = drainOpen(DRAIN_FANOTIFY, fd, 64 * 1024, 2048, { deadlineMs: 1000, response: b.FAN_ALLOW, keep: false });
    try {
      expect(drainAnswer(d, { fd: 0, response: b.FAN_ALLOW })).toBe(false);
      expect(drainPending(d, 0)).toBe(false);
    } finally {
      drainClose(d, true); // (the group's fd too)
    }
    expect(thrown(() => b.fanotifyRead(fd)).code).toBe("EBADF");
  });
});
