// @privileged: fanotify groups that report fds and permission classes need CAP_SYS_ADMIN
// The edges of both layers: relative paths and dirfds, byte paths, defaults, damaged
// records, and every way an event gives back what it holds.
import { closeSync, mkdirSync, openSync, renameSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { decodeFanotifyEvents } from "../../src/fanotify/calls.ts";
import { tempDirs, thrown } from "../helpers.ts";
import { runChild } from "../../harness/child.ts";
import { expectNoFsid, fidMarkable } from "./fid.ts";

const root = process.getuid?.() === 0;
const dirs = tempDirs("edge");

describe.skipIf(!root)("the 1:1 calls' edges (needs root: CAP_SYS_ADMIN)", () => {
  test("defaults, a dirfd with a relative path, byte paths, and errors naming the path", () => {
    const fd = b.fanotifyInit(); // FAN_CLOEXEC, blocking
    const dir = openSync(dirs.edge, "r");
    try {
      mkdirSync(`${dirs.edge}/sub`);
      b.fanotifyMark(fd, b.FAN_MARK_ADD, b.FAN_OPEN, dir, "sub");
      b.fanotifyMark(fd, b.FAN_MARK_ADD, b.FAN_OPEN, dir); // (no path: the dirfd itself)
      const e = thrown(() => b.fanotifyMark(fd, b.FAN_MARK_ADD, b.FAN_OPEN, b.AT_FDCWD, Buffer.from(`${dirs.edge}/missing`)));
      expect([e.code, e.path]).toEqual(["ENOENT", `${dirs.edge}/missing`]);
      expect(thrown(() => b.fanotifyMark(999_999, b.FAN_MARK_FLUSH, 0)).code).toBe("EBADF");
      expect(b.nameToHandleAt(dir, "sub").handle).toEqual(b.nameToHandleAt(b.AT_FDCWD, `${dirs.edge}/sub`).handle);
      const h = thrown(() => b.nameToHandleAt(b.AT_FDCWD, Buffer.from(`${dirs.edge}/none`)));
      expect([h.code, h.path]).toEqual(["ENOENT", `${dirs.edge}/none`]);
    } finally {
      closeSync(dir);
      closeSync(fd);
    }
  });

  test("a response to a group that has none waiting: ENOENT", () => {
    const fd = b.fanotifyInit(b.FAN_CLOEXEC | b.FAN_CLASS_CONTENT);
    try {
      expect(thrown(() => b.fanotifyWriteResponse(fd, { fd: 0, response: b.FAN_ALLOW })).code).toBe("ENOENT");
    } finally {
      closeSync(fd);
    }
  });
});

describe("the decoder's edges", () => {
  const meta = (len: number, metaLen = 24) => {
    const m = new DataView(new ArrayBuffer(len));
    m.setUint32(0, len, true);
    m.setUint8(4, 3);
    m.setUint16(6, metaLen, true);
    m.setUint32(8, b.FAN_CREATE, true);
    m.setInt32(16, -1, true);
    return m;
  };
  test("a record header cut short, a handle longer than its record, metadata longer than its event", () => {
    const cut = meta(26); // 2 bytes of a record header
    expect(thrown(() => decodeFanotifyEvents(new Uint8Array(cut.buffer), 26)).message).toMatch(/info record header/);
    const fid = meta(24 + 24);
    fid.setUint8(24, b.FAN_EVENT_INFO_TYPE_FID);
    fid.setUint16(26, 24, true);
    fid.setUint32(36, 200, true); // handle_bytes: more than the record holds
    expect(thrown(() => decodeFanotifyEvents(new Uint8Array(fid.buffer), 48)).message).toMatch(/file handle record/);
    const small = meta(24 + 8);
    small.setUint8(24, b.FAN_EVENT_INFO_TYPE_FID);
    small.setUint16(26, 8, true); // a FID record too short for its own header
    expect(thrown(() => decodeFanotifyEvents(new Uint8Array(small.buffer), 32)).code).toBe("EIO");
    const long = meta(24, 28);
    expect(thrown(() => decodeFanotifyEvents(new Uint8Array(long.buffer), 24)).code).toBe("EIO");
  });
});

describe.skipIf(!root)("events' edges (needs root: CAP_SYS_ADMIN)", () => {
  test("paths as bytes, directories, byte paths marked, unmark, flush's default", () => {
    using fan = new b.Fanotify(b.FAN_NONBLOCK);
    fan.mark(Buffer.from(dirs.edge), b.FAN_OPEN | b.FAN_ONDIR | b.FAN_EVENT_ON_CHILD);
    closeSync(openSync(dirs.edge, "r"));
    const [dirEvent] = fan.readEvents();
    // (an fd group's events never carry FAN_ONDIR: the kernel sets it for FID groups only)
    expect([dirEvent!.isDir, dirEvent!.path, dirEvent!.pathBytes?.toString()]).toEqual([false, dirs.edge, dirs.edge]);
    fan.unmark(dirs.edge, b.FAN_OPEN | b.FAN_ONDIR | b.FAN_EVENT_ON_CHILD);
    writeFileSync(`${dirs.edge}/after`, "");
    expect(fan.readEvents()).toEqual([]);
    fan.mark(dirs.edge, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD);
    fan.flush();
    writeFileSync(`${dirs.edge}/flushed`, "");
    expect(fan.readEvents()).toEqual([]);
  });

  test("an overflow has no path, as bytes either", () => {
    using fan = new b.Fanotify(b.FAN_NONBLOCK, { bufferSize: 64 * 1024 });
    fan.mark(dirs.edge, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD);
    // (the buffer holds about a thousand of these: past that and the kernel's 16,384, it overflows)
    for (let i = 0; i < 20_000; i++) writeFileSync(`${dirs.edge}/${i}`, "");
    let last: b.FanotifyEvent | undefined;
    for (let batch = fan.readEvents(); batch.length > 0; batch = fan.readEvents()) last = batch.at(-1);
    expect([last!.isOverflow, last!.path, last!.pathBytes, last!.name]).toEqual([true, undefined, undefined, undefined]);
  });

  test("a directory-handle group: the path of an event is its directory's", () => {
    if (!fidMarkable(dirs.edge)) return expectNoFsid(dirs.edge);
    using fan = new b.Fanotify(b.FAN_NONBLOCK | b.FAN_REPORT_DIR_FID);
    fan.mark(dirs.edge, b.FAN_CREATE | b.FAN_EVENT_ON_CHILD);
    writeFileSync(`${dirs.edge}/c`, "");
    const [ev] = fan.readEvents();
    expect([ev!.records.map((r) => r.type), ev!.path, ev!.name]).toEqual([["dfid"], dirs.edge, undefined]);
    renameSync(`${dirs.edge}/c`, `${dirs.edge}/d`);
    expect([ev!.oldName, ev!.oldPath, ev!.newPath]).toEqual([undefined, undefined, undefined]);
  });

  test("what an event holds: close(), using, takeFd() twice, a permission event closed before its answer", async () => {
    using fan = new b.Fanotify(b.FAN_NONBLOCK, { keepEventFds: true });
    fan.mark(dirs.edge, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD);
    writeFileSync(`${dirs.edge}/k1`, "");
    writeFileSync(`${dirs.edge}/k2`, "");
    const [one, two] = fan.readEvents();
    {
      using held = one!;
      expect(held.fd).toBeGreaterThan(2);
    }
    expect(one!.fd).toBe(-1);
    const fd = two!.takeFd();
    expect(thrown(() => two!.takeFd()).message).toMatch(/has no fd/);
    two!.close(); // (taken: not closed by the event)
    expect(() => closeSync(fd)).not.toThrow();

    await using guard = new b.FanotifyAsync(b.FAN_CLASS_CONTENT, { deadline: 60_000 });
    writeFileSync(`${dirs.edge}/g`, "g");
    guard.mark(`${dirs.edge}/g`, b.FAN_OPEN_PERM);
    const cat = Bun.spawn(["cat", `${dirs.edge}/g`], { stdout: "ignore" });
    const ev = await guard.get();
    expect(() => ev.close()).toThrow(/answer a permission event before closing it/);
    ev[Symbol.dispose](); // (unanswered: left for the deadline, not an error)
    expect(ev.fd).toBeGreaterThan(2);
    ev.allow();
    ev[Symbol.dispose]();
    expect(await cat.exited).toBe(0);
  });

  test("a blocking readEvent waits for an event made by another process", () => {
    using fan = new b.Fanotify();
    fan.mark(dirs.edge, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD);
    Bun.spawn(["sh", "-c", `sleep 0.05; echo x > ${dirs.edge}/later`]);
    expect(fan.readEvent().path).toBe(`${dirs.edge}/later`);
  });
});

// Events the drain read from the group but has no room for wait outside its buffer (with
// their fds); closing the object then gives them back too: fds closed, permission events
// answered.
describe.skipIf(!root)("closing a group whose buffer is full (needs root: CAP_SYS_ADMIN)", () => {
  test("unread events with fds, and permission events, waiting past a full buffer: closed and answered", () => {
    const dir = `${dirs.edge}/full`;
    mkdirSync(dir);
    const r = runChild(`
      const { readdirSync, writeFileSync } = await import("node:fs");
      const fds = () => readdirSync("/proc/self/fd").length;
      const dir = ${JSON.stringify(dir)};
      const before = fds();
      const fan = new b.Fanotify(b.FAN_NONBLOCK, { bufferSize: 64 * 1024 });
      fan.mark(dir, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD);
      for (let i = 0; i < 3000; i++) writeFileSync(dir + "/n" + i, "");
      await Bun.sleep(200); // (the drain fills its buffer, then holds what it read beyond it)
      fan.close();
      const notif = fds() - before;
      writeFileSync(dir + "/guarded", "secret");
      const guard = new b.Fanotify(b.FAN_CLASS_CONTENT | b.FAN_NONBLOCK, { bufferSize: 64 * 1024, deadline: 60_000 });
      guard.mark(dir + "/guarded", b.FAN_OPEN_PERM);
      const cats = Array.from({ length: 60 }, () => Bun.spawn(["cat", dir + "/guarded"], { stdout: "ignore", stderr: "ignore" }));
      await Bun.sleep(500); // every open waits; nobody reads
      guard.close(); // the deadline's answer (allow) for each, in the buffer or past it
      const codes = await Promise.all(cats.map((c) => c.exited));
      report({ notif, allowed: codes.filter((c) => c === 0).length, leaked: fds() - before });
    `, { timeoutMs: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ notif: 0, allowed: 60, leaked: 0 });
  });

  test("a FID group's events past a full buffer (no fds): a read takes a batch, a close the rest", () => {
    if (!fidMarkable(dirs.edge)) return expectNoFsid(dirs.edge);
    const dir = `${dirs.edge}/fidfull`;
    mkdirSync(dir);
    const r = runChild(`
      const { readdirSync, writeFileSync } = await import("node:fs");
      const fds = () => readdirSync("/proc/self/fd").length;
      const before = fds();
      const fan = new b.Fanotify(b.FAN_NONBLOCK | b.FAN_REPORT_DFID_NAME, { bufferSize: 64 * 1024 });
      fan.mark(${JSON.stringify(dir)}, b.FAN_CREATE | b.FAN_EVENT_ON_CHILD);
      for (let i = 0; i < 3000; i++) writeFileSync(${JSON.stringify(dir)} + "/f" + i, "");
      await Bun.sleep(200);
      const batch = fan.readEvents().length; // (the buffer, emptied, takes what waited past it)
      fan.close();
      report({ batch: batch > 100, leaked: fds() - before });
    `, { timeoutMs: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.reports[0]).toEqual({ batch: true, leaked: 0 });
  });
});
