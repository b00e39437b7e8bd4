// @privileged: fanotify groups that report fds, permission classes and filesystem marks need CAP_SYS_ADMIN
// The 1:1 layer: fanotify_init, fanotify_mark, the read's decoder against bytes the
// kernel wrote, responses, and name_to_handle_at / open_by_handle_at.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { decodeFanotifyEvents } from "../../src/fanotify/calls.ts";
import { tempDirs, thrown } from "../helpers.ts";
import { expectNoFsid, fidMarkable } from "./fid.ts";

const root = process.getuid?.() === 0;
const dirs = tempDirs("fan");
const group = (flags: number) => b.fanotifyInit(b.FAN_CLOEXEC | b.FAN_NONBLOCK | flags);

describe.skipIf(!root)("fanotify 1:1 (needs root: CAP_SYS_ADMIN)", () => {
  test("an fd group: the event's fd is open on the file, the pid is ours", () => {
    const fd = group(b.FAN_CLASS_NOTIF);
    try {
      b.fanotifyMark(fd, b.FAN_MARK_ADD, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD, b.AT_FDCWD, dirs.fan);
      writeFileSync(`${dirs.fan}/a`, "x");
      const [ev, ...rest] = b.fanotifyRead(fd);
      expect(rest).toEqual([]);
      expect(ev!.mask).toBe(b.FAN_CLOSE_WRITE);
      expect(ev!.pid).toBe(process.pid);
      expect(ev!.records).toEqual([]);
      expect(readFileSync(`/proc/self/fd/${ev!.fd}`, "utf8")).toBe("x");
      closeSync(ev!.fd);
      expect(b.fanotifyRead(fd)).toEqual([]);
    } finally {
      closeSync(fd);
    }
  });

  test("FID records: DFID_NAME, FID, PIDFD; the handles are name_to_handle_at's", () => {
    if (!fidMarkable(dirs.fan)) return expectNoFsid(dirs.fan);
    const fd = group(b.FAN_REPORT_DFID_NAME_TARGET | b.FAN_REPORT_PIDFD);
    try {
      b.fanotifyMark(fd, b.FAN_MARK_ADD, b.FAN_CREATE | b.FAN_EVENT_ON_CHILD | b.FAN_ONDIR, b.AT_FDCWD, dirs.fan);
      mkdirSync(`${dirs.fan}/sub`);
      const [ev] = b.fanotifyRead(fd);
      expect(ev!.mask).toBe(b.FAN_CREATE | b.FAN_ONDIR);
      expect(ev!.fd).toBe(b.FAN_NOFD);
      const types = ev!.records.map((r) => r.type);
      expect(types).toEqual(["dfid_name", "fid", "pidfd"]);
      const [dfid, fid, pidfd] = ev!.records as [b.FanotifyFidRecord, b.FanotifyFidRecord, b.FanotifyPidfdRecord];
      expect(dfid.name).toBe("sub");
      const dirHandle = b.nameToHandleAt(b.AT_FDCWD, dirs.fan).handle;
      const subHandle = b.nameToHandleAt(b.AT_FDCWD, `${dirs.fan}/sub`).handle;
      expect(dfid.handle).toEqual(dirHandle);
      expect(fid.handle).toEqual(subHandle);
      expect(dfid.fsid).toBe(fid.fsid);
      expect(readFileSync(`/proc/self/fdinfo/${pidfd.pidfd}`, "utf8")).toMatch(new RegExp(`Pid:\\s+${process.pid}\\b`));
      closeSync(pidfd.pidfd);
    } finally {
      closeSync(fd);
    }
  });

  test("DFID and FID records (directory handles without names)", () => {
    if (!fidMarkable(dirs.fan)) return expectNoFsid(dirs.fan);
    const fd = group(b.FAN_REPORT_DIR_FID | b.FAN_REPORT_FID);
    try {
      b.fanotifyMark(fd, b.FAN_MARK_ADD, b.FAN_CLOSE_WRITE | b.FAN_EVENT_ON_CHILD, b.AT_FDCWD, dirs.fan);
      writeFileSync(`${dirs.fan}/c`, "x");
      const [ev] = b.fanotifyRead(fd);
      expect(ev!.mask).toBe(b.FAN_CLOSE_WRITE);
      const [dfid, fid] = ev!.records as b.FanotifyFidRecord[];
      expect([dfid!.type, dfid!.name, fid!.type]).toEqual(["dfid", undefined, "fid"]);
      expect(dfid!.handle).toEqual(b.nameToHandleAt(b.AT_FDCWD, dirs.fan).handle);
      expect(fid!.handle).toEqual(b.nameToHandleAt(b.AT_FDCWD, `${dirs.fan}/c`).handle);
    } finally {
      closeSync(fd);
    }
  });

  test("FAN_RENAME: the old and the new directory and name, when both are marked", () => {
    if (!fidMarkable(dirs.fan)) return expectNoFsid(dirs.fan);
    const fd = group(b.FAN_REPORT_DFID_NAME);
    try {
      mkdirSync(`${dirs.fan}/to`);
      writeFileSync(`${dirs.fan}/x`, "");
      for (const d of [dirs.fan, `${dirs.fan}/to`]) b.fanotifyMark(fd, b.FAN_MARK_ADD, b.FAN_RENAME, b.AT_FDCWD, d);
      renameSync(`${dirs.fan}/x`, `${dirs.fan}/to/y`);
      const [ev] = b.fanotifyRead(fd);
      expect(ev!.mask).toBe(b.FAN_RENAME);
      const [from, to] = ev!.records as b.FanotifyFidRecord[];
      expect([from!.type, from!.name, to!.type, to!.name]).toEqual(["old_dfid_name", "x", "new_dfid_name", "y"]);
      expect(to!.handle).toEqual(b.nameToHandleAt(b.AT_FDCWD, `${dirs.fan}/to`).handle);
    } finally {
      closeSync(fd);
    }
  });

  test("a permission event waits for the response; ENOENT for an fd that is not waiting", async () => {
    const fd = b.fanotifyInit(b.FAN_CLOEXEC | b.FAN_CLASS_CONTENT);
    try {
      writeFileSync(`${dirs.fan}/guarded`, "secret");
      b.fanotifyMark(fd, b.FAN_MARK_ADD, b.FAN_OPEN_PERM, b.AT_FDCWD, `${dirs.fan}/guarded`);
      const child = Bun.spawn(["cat", `${dirs.fan}/guarded`], { stdout: "pipe", stderr: "pipe" });
      const [ev] = b.fanotifyRead(fd); // blocking group: the child's open is waiting
      expect(ev!.mask).toBe(b.FAN_OPEN_PERM);
      expect(ev!.pid).toBe(child.pid);
      b.fanotifyWriteResponse(fd, { fd: ev!.fd, response: b.FAN_DENY });
      expect(await child.exited).not.toBe(0);
      expect(await new Response(child.stderr).text()).toMatch(/Operation not permitted/);
      expect(thrown(() => b.fanotifyWriteResponse(fd, { fd: ev!.fd, response: b.FAN_ALLOW })).code).toBe("ENOENT");
      closeSync(ev!.fd);
    } finally {
      closeSync(fd);
    }
  });

  test("name_to_handle_at and open_by_handle_at turn a handle back into the file", () => {
    writeFileSync(`${dirs.fan}/h`, "handled");
    const { handle, mountId } = b.nameToHandleAt(b.AT_FDCWD, `${dirs.fan}/h`);
    expect(typeof mountId).toBe("number");
    expect(handle.bytes.length).toBeGreaterThan(0);
    const mount = openSync(dirs.fan, "r");
    try {
      const fd = b.openByHandleAt(mount, handle, 0o2000000);
      expect(readFileSync(`/proc/self/fd/${fd}`, "utf8")).toBe("handled");
      closeSync(fd);
    } finally {
      closeSync(mount);
    }
    // the unique 64-bit mount id came in Linux 6.12; before, the flag is EINVAL
    const [major, minor] = b.kernelVersion();
    if (major > 6 || (major === 6 && minor >= 12)) {
      expect(typeof b.nameToHandleAt(b.AT_FDCWD, `${dirs.fan}/h`, b.AT_HANDLE_MNT_ID_UNIQUE).mountId).toBe("bigint");
    } else {
      expect(thrown(() => b.nameToHandleAt(b.AT_FDCWD, `${dirs.fan}/h`, b.AT_HANDLE_MNT_ID_UNIQUE)).code).toBe("EINVAL");
    }
  });
});

describe("fanotify 1:1: bad input is refused before the kernel", () => {
  test.each([
    ["unknown init flags", () => b.fanotifyInit(0x40000000), RangeError],
    ["unknown mark flags", () => b.fanotifyMark(0, 0x40000000, b.FAN_OPEN), RangeError],
    ["a NUL in a path", () => b.fanotifyMark(0, b.FAN_MARK_ADD, b.FAN_OPEN, b.AT_FDCWD, "a\0b"), TypeError],
    ["a negative fd", () => b.fanotifyRead(-1), RangeError],
    ["a mask past 2^53", () => b.fanotifyMark(0, b.FAN_MARK_ADD, 2 ** 54), RangeError],
    ["a handle that is too long", () => b.openByHandleAt(0, { type: 1, bytes: new Uint8Array(200) }, 0), RangeError],
    ["a handle that is not one", () => b.openByHandleAt(0, {} as never, 0), TypeError],
    ["a deny errno past 8 bits", () => b.FAN_DENY_ERRNO(300), RangeError],
  ])("%s", (_what, fn, cls) => {
    expect(fn).toThrow(cls);
  });

  test("flag names", () => {
    expect(b.fanotifyFlagNames(b.FAN_CREATE | b.FAN_ONDIR)).toEqual(["FAN_CREATE", "FAN_ONDIR"]);
    expect(b.FAN_DENY_ERRNO(5)).toBe((b.FAN_DENY | (5 << 24)) >>> 0);
  });
});

describe("the decoder: records it cannot get from this machine's kernel, and damage", () => {
  // FAN_FS_ERROR needs a filesystem that fails, FAN_PRE_ACCESS's range a pre-content
  // group: their bytes are laid out here as the uapi header defines them.
  const meta = (len: number, mask: number, fd = -1, pid = 7) => {
    const m = new DataView(new ArrayBuffer(24));
    m.setUint32(0, len, true);
    m.setUint8(4, 3);
    m.setUint16(6, 24, true);
    m.setUint32(8, mask, true);
    m.setInt32(16, fd, true);
    m.setInt32(20, pid, true);
    return new Uint8Array(m.buffer);
  };
  const join = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) (out.set(p, o), (o += p.length));
    return out;
  };

  test("error, range, mnt and unknown records", () => {
    const err = new DataView(new ArrayBuffer(12));
    err.setUint8(0, b.FAN_EVENT_INFO_TYPE_ERROR);
    err.setUint16(2, 12, true);
    err.setInt32(4, 5, true);
    err.setUint32(8, 3, true);
    const range = new DataView(new ArrayBuffer(24));
    range.setUint8(0, b.FAN_EVENT_INFO_TYPE_RANGE);
    range.setUint16(2, 24, true);
    range.setBigUint64(8, 4096n, true);
    range.setBigUint64(16, 2n ** 40n, true);
    const mnt = new DataView(new ArrayBuffer(12));
    mnt.setUint8(0, b.FAN_EVENT_INFO_TYPE_MNT);
    mnt.setUint16(2, 12, true);
    mnt.setBigUint64(4, 2n ** 33n + 1n, true);
    const odd = new Uint8Array([99, 0, 8, 0, 1, 2, 3, 4]);
    const body = join(new Uint8Array(err.buffer), new Uint8Array(range.buffer), new Uint8Array(mnt.buffer), odd);
    const bytes = join(meta(24 + body.length, b.FAN_FS_ERROR), body);
    const [ev] = decodeFanotifyEvents(bytes, bytes.length);
    expect(ev!.records).toEqual([
      { type: "error", error: 5, count: 3 },
      { type: "range", offset: 4096n, count: 2n ** 40n },
      { type: "mnt", mntId: 2n ** 33n + 1n },
      { type: "unknown", infoType: 99, bytes: odd },
    ]);
  });

  test("a truncated event or record, and end of file, are OSError EIO naming the fd", () => {
    const whole = meta(24, b.FAN_OPEN);
    expect(thrown(() => decodeFanotifyEvents(whole, 20, 9)).message).toMatch(/fd 9 gave 20 of the 24 bytes/);
    expect(thrown(() => decodeFanotifyEvents(whole, 0, 9)).code).toBe("EIO");
    const bad = join(meta(28, b.FAN_OPEN), new Uint8Array([1, 0, 40, 0]));
    expect(thrown(() => decodeFanotifyEvents(bad, bad.length, 9)).code).toBe("EIO");
    const v2 = meta(24, b.FAN_OPEN);
    v2[4] = 2;
    expect(thrown(() => decodeFanotifyEvents(v2, 24, 9)).code).toBe("EPROTO");
  });
});
