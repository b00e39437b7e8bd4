// @privileged: mount, umount2, pivot_root and the fd-based mount API as root, in the test thread's own mount namespace
import { closeSync, mkdirSync, openSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { runChild } from "../../harness/child.ts";
import { thrown } from "../helpers.ts";
import { at, mountDirs, NO_CAP, own } from "./own.ts";

const [major, minor] = b.kernelVersion();
const readlinkUser = (pid: number) => readlinkSync(`/proc/${pid}/ns/user`);
const since = (ma: number, mi: number) => major > ma || (major === ma && minor >= mi);

/** The error's class name and code, for one assertion. */
const err = (fn: () => unknown) => {
  const e = thrown(fn);
  return { cls: e.constructor.name, code: e.code, syscall: e.syscall };
};

describe("arguments are checked before the call", () => {
  test.each([
    ["a NUL in the target", () => b.mount("tmpfs", "/tmp/a\0b", "tmpfs"), TypeError],
    ["a NUL in the data", () => b.mount("tmpfs", "/tmp", "tmpfs", 0, "size=1\0"), TypeError],
    ["an unknown mount flag", () => b.mount("tmpfs", "/tmp", "tmpfs", 1 << 30), RangeError],
    ["a negative mount flag", () => b.mount("tmpfs", "/tmp", "tmpfs", -1), RangeError],
    ["a target that is no string", () => b.mount("tmpfs", 42 as never, "tmpfs"), TypeError],
    ["an unknown umount2 flag", () => b.umount2("/tmp", 64), RangeError],
    ["umountExpire's flags other than UMOUNT_NOFOLLOW", () => b.umountExpire("/tmp", b.MNT_DETACH), RangeError],
    ["a bad propagation type", () => b.mountSetattr(b.AT_FDCWD, "/tmp", 0, { propagation: b.MS_RDONLY }), RangeError],
    ["an unknown mount_setattr flag", () => b.mountSetattr(b.AT_FDCWD, "/tmp", 1, {}), RangeError],
    ["a negative dirfd", () => b.openTree(-5, "/tmp"), RangeError],
    ["SET_BINARY with a string", () => b.fsconfig(0, b.FSCONFIG_SET_BINARY, "k", "v"), TypeError],
    ["a mount id that is no number", () => b.statmount("1" as never), TypeError],
    ["a mount id past 2^64", () => b.statmount(1n << 64n), RangeError],
    ["an unknown statmount bit", () => b.statmount(1n, 1 << 20), RangeError],
    ["an unknown unshare flag", () => b.unshare(1), RangeError],
    ["an unknown setns type", () => b.setns(0, 1), RangeError],
    ["an unknown namespace type", () => b.nsOpen("nope" as never), RangeError],
  ])("%s", (_what, fn, cls) => {
    expect(fn).toThrow(cls);
  });

  test("a path given as bytes is named in the error as a string (decoded losslessly)", () => {
    const e = thrown(() => b.umount(Buffer.from("/nonexistent-butter-\xff", "latin1")));
    expect(e.path).toBe(b.fsdecode(Buffer.from("/nonexistent-butter-\xff", "latin1")));
    expect(["ENOENT", "EPERM"]).toContain(e.code);
  });

  test("the magic number in the top 16 bits is accepted, as the kernel strips it", () => {
    // (refused by the kernel for another reason: the target does not exist)
    expect(err(() => b.mount("tmpfs", "/nonexistent-butter", "tmpfs", b.MS_MGC_VAL | b.MS_NOSUID))).toEqual({
      cls: own ? "OSError" : "PermissionError",
      code: own ? "ENOENT" : "EPERM",
      syscall: "mount",
    });
  });
});

describe.skipIf(!own)(`mount(2) and umount(2) (${own ? "the test thread's own mount namespace" : NO_CAP})`, () => {
  const dirs = mountDirs("m", "n");

  test("a tmpfs mounts with its options and flags, is seen in mountinfo, and goes away", () => {
    b.mount("tmpfs", dirs.m, "tmpfs", b.MS_NOSUID | b.MS_NOEXEC | b.MS_RDONLY, "size=64k,mode=700");
    const m = at(dirs.m)!;
    expect(m.fstype).toBe("tmpfs");
    expect(m.options.split(",")).toEqual(expect.arrayContaining(["ro", "nosuid", "noexec"]));
    expect(m.superOptions).toContain("size=64k");
    expect(m.superOptions).toContain("mode=700");
    b.mount(null, dirs.m, null, b.MS_REMOUNT | b.MS_NOSUID, "size=128k");
    expect(at(dirs.m)!.superOptions).toContain("size=128k");
    writeFileSync(`${dirs.m}/f`, "x");
    b.umount(dirs.m);
    expect(at(dirs.m)).toBeUndefined();
  });

  test("propagation: shared peers see each other's mounts, a slave only receives, a private one neither", () => {
    // m is a shared mount; n gets a bind of it, peer of m
    b.mount("tmpfs", dirs.m, "tmpfs", 0, "size=64k");
    b.mount(null, dirs.m, null, b.MS_SHARED);
    for (const d of ["a", "b", "c"]) mkdirSync(`${dirs.m}/${d}`);
    b.mount(dirs.m, dirs.n, null, b.MS_BIND);
    expect(at(dirs.n)!.propagation.some((p) => p.startsWith("shared:"))).toBe(true);
    b.mount("tmpfs", `${dirs.m}/a`, "tmpfs", 0, "size=64k");
    expect(at(`${dirs.n}/a`)?.fstype).toBe("tmpfs"); // propagated to the peer
    // n becomes a slave of m: mounts come from m, none go back
    b.mount(null, dirs.n, null, b.MS_SLAVE);
    expect(at(dirs.n)!.propagation.some((p) => p.startsWith("master:"))).toBe(true);
    b.mount("tmpfs", `${dirs.m}/b`, "tmpfs", 0, "size=64k");
    expect(at(`${dirs.n}/b`)?.fstype).toBe("tmpfs");
    b.mount("tmpfs", `${dirs.n}/c`, "tmpfs", 0, "size=64k");
    expect(at(`${dirs.m}/c`)).toBeUndefined();
    // private: nothing either way
    b.mount(null, dirs.n, null, b.MS_PRIVATE);
    expect(at(dirs.n)!.propagation).toEqual([]);
    // unbindable: a bind of it is refused
    b.mount(null, dirs.n, null, b.MS_UNBINDABLE);
    expect(at(dirs.n)!.propagation).toEqual(["unbindable"]);
    expect(err(() => b.mount(dirs.n, `${dirs.m}/c`, null, b.MS_BIND))).toEqual({ cls: "OSError", code: "EINVAL", syscall: "mount" });
  });

  test("MS_REC binds the mounts under the source too; without it only the top", () => {
    b.mount("tmpfs", dirs.m, "tmpfs", 0, "size=64k");
    mkdirSync(`${dirs.m}/sub`);
    b.mount("tmpfs", `${dirs.m}/sub`, "tmpfs", 0, "size=32k");
    writeFileSync(`${dirs.m}/sub/deep`, "d");
    b.mount(dirs.m, dirs.n, null, b.MS_BIND);
    expect(() => readFileSync(`${dirs.n}/sub/deep`)).toThrow(/ENOENT/);
    b.umount(dirs.n);
    b.mount(dirs.m, dirs.n, null, b.MS_BIND | b.MS_REC);
    expect(readFileSync(`${dirs.n}/sub/deep`, "utf8")).toBe("d");
  });

  test("mountinfo gives back a mount point's name byte for byte: spaces, a tab, a backslash, bytes that are not UTF-8", () => {
    const name = Buffer.concat([Buffer.from(`${dirs.m}/a b\tc\\d`), Buffer.from([0xff, 0xfe])]);
    mkdirSync(name);
    b.mount("tmpfs", name, "tmpfs", 0, "size=64k");
    const got = b.mountinfo().at(-1)!;
    expect(Buffer.compare(b.fsencode(got.mountPoint), name)).toBe(0);
    expect(got.fstype).toBe("tmpfs");
    b.umount(name);
  });

  test("listmount gives every mount, however many (the kernel's answers come 512 at a time)", () => {
    b.mount("tmpfs", dirs.m, "tmpfs", 0, "size=64k");
    for (let i = 0; i < 600; i++) mkdirSync(`${dirs.m}/${i}`);
    for (let i = 0; i < 600; i++) b.mount("tmpfs", `${dirs.m}/${i}`, "tmpfs", 0, "size=4k");
    if (!since(6, 8)) return;
    const ids = b.listmount();
    expect(ids.length).toBe(b.mountinfo().length);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("MS_MOVE moves a mount", () => {
    b.mount("tmpfs", dirs.m, "tmpfs", 0, "size=64k");
    writeFileSync(`${dirs.m}/f`, "moved");
    b.mount(dirs.m, dirs.n, null, b.MS_MOVE);
    expect(at(dirs.m)).toBeUndefined();
    expect(readFileSync(`${dirs.n}/f`, "utf8")).toBe("moved");
  });

  test("umount2: EBUSY while a file is open in it, MNT_DETACH detaches it anyway, and the open file still works", () => {
    b.mount("tmpfs", dirs.m, "tmpfs", 0, "size=64k");
    writeFileSync(`${dirs.m}/f`, "still here");
    const fd = openSync(`${dirs.m}/f`, "r");
    try {
      expect(err(() => b.umount(dirs.m))).toEqual({ cls: "OSError", code: "EBUSY", syscall: "umount" });
      expect(err(() => b.umount2(dirs.m))).toEqual({ cls: "OSError", code: "EBUSY", syscall: "umount2" });
      b.umount2(dirs.m, b.MNT_DETACH);
      expect(at(dirs.m)).toBeUndefined();
      expect(readFileSync(fd, "utf8")).toBe("still here");
    } finally {
      closeSync(fd);
    }
  });

  test("MNT_EXPIRE: the first call marks the mount (EAGAIN, the protocol), the second unmounts it; umountExpire says so as a boolean", () => {
    b.mount("tmpfs", dirs.m, "tmpfs", 0, "size=64k");
    expect(err(() => b.umount2(dirs.m, b.MNT_EXPIRE))).toEqual({ cls: "OSError", code: "EAGAIN", syscall: "umount2" });
    b.umount2(dirs.m, b.MNT_EXPIRE);
    expect(at(dirs.m)).toBeUndefined();
    b.mount("tmpfs", dirs.m, "tmpfs", 0, "size=64k");
    expect(b.umountExpire(dirs.m)).toBe(false);
    expect(b.umountExpire(dirs.m)).toBe(true);
    expect(at(dirs.m)).toBeUndefined();
    // MNT_EXPIRE with MNT_DETACH is refused
    b.mount("tmpfs", dirs.m, "tmpfs", 0, "size=64k");
    expect(err(() => b.umount2(dirs.m, b.MNT_EXPIRE | b.MNT_DETACH))).toEqual({ cls: "OSError", code: "EINVAL", syscall: "umount2" });
  });

  test("UMOUNT_NOFOLLOW: a symbolic link to a mount point is not followed (EINVAL), without it it is", () => {
    b.mount("tmpfs", dirs.m, "tmpfs", 0, "size=64k");
    symlinkSync(dirs.m, `${dirs.n}/link`);
    expect(err(() => b.umount2(`${dirs.n}/link`, b.UMOUNT_NOFOLLOW))).toEqual({ cls: "OSError", code: "EINVAL", syscall: "umount2" });
    b.umount2(`${dirs.n}/link`);
    expect(at(dirs.m)).toBeUndefined();
  });

  // The error cases the Linux Test Project checks for mount(2) and umount(2)
  // (testcases/kernel/syscalls/mount/mount02.c, umount/umount02.c), through butter's API.
  test("mount's errors: ENODEV, ENOTBLK, ENOENT, ENOTDIR, EBUSY, EINVAL, ENAMETOOLONG, each with the target as path", () => {
    writeFileSync(`${dirs.n}/file`, "");
    const cases: [() => unknown, string][] = [
      [() => b.mount("none", dirs.m, "butterfs"), "ENODEV"],
      [() => b.mount(`${dirs.n}/file`, dirs.m, "ext4"), "ENOTBLK"],
      [() => b.mount("tmpfs", `${dirs.m}/missing`, "tmpfs"), "ENOENT"],
      [() => b.mount("tmpfs", `${dirs.n}/file/x`, "tmpfs"), "ENOTDIR"],
      [() => b.mount(null, dirs.m, null, b.MS_REMOUNT), "EINVAL"], // not a mount point
      [() => b.mount("tmpfs", `${dirs.m}/${"x".repeat(5000)}`, "tmpfs"), "ENAMETOOLONG"],
      [() => b.mount(`${dirs.m}/missing`, dirs.n, null, b.MS_BIND), "ENOENT"],
    ];
    for (const [fn, code] of cases) expect({ code, got: err(fn) }).toEqual({ code, got: { cls: "OSError", code, syscall: "mount" } });
    const e = thrown(() => b.mount("tmpfs", `${dirs.m}/missing`, "tmpfs"));
    expect(e.path).toBe(`${dirs.m}/missing`);
    // EBUSY: a filesystem remounted read-only while a file is open for writing in it
    b.mount("tmpfs", dirs.m, "tmpfs", 0, "size=64k");
    const fd = openSync(`${dirs.m}/w`, "w");
    try {
      expect(err(() => b.mount(null, dirs.m, null, b.MS_REMOUNT | b.MS_RDONLY))).toEqual({ cls: "OSError", code: "EBUSY", syscall: "mount" });
    } finally {
      closeSync(fd);
    }
  });

  test("umount's errors: EINVAL (no mount point), ENOENT, ENAMETOOLONG", () => {
    expect(err(() => b.umount(dirs.m))).toEqual({ cls: "OSError", code: "EINVAL", syscall: "umount" });
    expect(err(() => b.umount(`${dirs.m}/missing`))).toEqual({ cls: "OSError", code: "ENOENT", syscall: "umount" });
    expect(err(() => b.umount2("x".repeat(5000)))).toEqual({ cls: "OSError", code: "ENAMETOOLONG", syscall: "umount2" });
  });

  // pivot_root02.c's cases; the successful pivot is in a child (it moves the thread's root)
  test("pivot_root's errors: EINVAL (put_old not under new_root; new_root no mount point), ENOTDIR, EBUSY", () => {
    writeFileSync(`${dirs.n}/file`, "");
    mkdirSync(`${dirs.m}/old`);
    expect(err(() => b.pivotRoot(dirs.m, `${dirs.m}/old`))).toEqual({ cls: "OSError", code: "EINVAL", syscall: "pivot_root" });
    b.mount("tmpfs", dirs.m, "tmpfs", 0, "size=64k");
    mkdirSync(`${dirs.m}/old`);
    expect(err(() => b.pivotRoot(dirs.m, dirs.n))).toEqual({ cls: "OSError", code: "EINVAL", syscall: "pivot_root" });
    expect(err(() => b.pivotRoot(`${dirs.n}/file`, `${dirs.m}/old`))).toEqual({ cls: "OSError", code: "ENOTDIR", syscall: "pivot_root" });
    // the new root on the current root's mount: EBUSY (or EINVAL, by kernel)
    expect(["EBUSY", "EINVAL"]).toContain(err(() => b.pivotRoot("/", "/tmp")).code);
  });
});

describe("without CAP_SYS_ADMIN: PermissionError EPERM", () => {
  test("mount, umount, umount2, pivot_root, fsopen, unshare", () => {
    const r = runChild(
      `
      const d = require("fs").mkdtempSync("/tmp/butter-eperm-");
      for (const [name, fn] of [
        ["mount", () => b.mount("tmpfs", d, "tmpfs")],
        ["umount", () => b.umount("/")],
        ["umount2", () => b.umount2("/", b.MNT_DETACH)],
        ["pivot_root", () => b.pivotRoot(d, d)],
        ["fsopen", () => b.fsopen("tmpfs")],
        ["unshare", () => b.unshare(b.CLONE_NEWNS)],
      ]) {
        try { fn(); report(name + ": no error"); }
        catch (e) { report({ name, cls: e.constructor.name, code: e.code, syscall: e.syscall }); }
      }
      require("fs").rmdirSync(d);
      `,
      { prefix: ["setpriv", "--inh-caps=-all", "--bounding-set=-sys_admin", "--"] },
    );
    expect(r.stderr).toBe("");
    expect(r.reports).toEqual(
      ["mount", "umount", "umount2", "pivot_root", "fsopen", "unshare"].map((name) => ({ name, cls: "PermissionError", code: "EPERM", syscall: name })),
    );
  });
});

describe.skipIf(!own)(`the fd-based mount API (${own ? "the test thread's own mount namespace" : NO_CAP})`, () => {
  const dirs = mountDirs("m", "n");

  test("fsopen, fsconfig, fsmount, moveMount: a tmpfs with its options, read-only by attribute", () => {
    const ctx = b.fsopen("tmpfs");
    try {
      b.fsconfig(ctx, b.FSCONFIG_SET_STRING, "size", "96k");
      b.fsconfig(ctx, b.FSCONFIG_SET_STRING, "mode", "0750");
      b.fsconfig(ctx, b.FSCONFIG_CMD_CREATE);
      const mnt = b.fsmount(ctx, b.FSMOUNT_CLOEXEC, b.MOUNT_ATTR_RDONLY | b.MOUNT_ATTR_NOEXEC);
      try {
        b.moveMount(mnt, "", b.AT_FDCWD, dirs.m, b.MOVE_MOUNT_F_EMPTY_PATH);
      } finally {
        closeSync(mnt);
      }
    } finally {
      closeSync(ctx);
    }
    const m = at(dirs.m)!;
    expect(m.fstype).toBe("tmpfs");
    expect(m.options.split(",")).toEqual(expect.arrayContaining(["ro", "noexec"]));
    expect(m.superOptions).toContain("size=96k");
    expect(m.superOptions).toContain("mode=750");
  });

  test("fsconfig refuses an unknown parameter (EINVAL), fsmount an uncreated context (EINVAL), fsopen an unknown type (ENODEV)", () => {
    const ctx = b.fsopen("tmpfs");
    try {
      expect(err(() => b.fsconfig(ctx, b.FSCONFIG_SET_STRING, "no-such-option", "1"))).toEqual({ cls: "OSError", code: "EINVAL", syscall: "fsconfig" });
      expect(err(() => b.fsmount(ctx))).toEqual({ cls: "OSError", code: "EINVAL", syscall: "fsmount" });
    } finally {
      closeSync(ctx);
    }
    expect(err(() => b.fsopen("butterfs"))).toEqual({ cls: "OSError", code: "ENODEV", syscall: "fsopen" });
    expect(err(() => b.fsconfig(ctx, b.FSCONFIG_CMD_CREATE))).toEqual({ cls: "OSError", code: "EBADF", syscall: "fsconfig" });
  });

  test("FSCONFIG_SET_BINARY sends the bytes with their length (tmpfs takes none: EINVAL)", () => {
    const ctx = b.fsopen("tmpfs");
    try {
      expect(err(() => b.fsconfig(ctx, b.FSCONFIG_SET_BINARY, "size", new Uint8Array([0x31])))).toEqual({ cls: "OSError", code: "EINVAL", syscall: "fsconfig" });
      // a flag: the key only (tmpfs has "noswap" from 6.4; before, EINVAL)
      let flag: string | undefined;
      try {
        b.fsconfig(ctx, b.FSCONFIG_SET_FLAG, "noswap", null);
      } catch (e) {
        flag = (e as { code: string }).code;
      }
      expect(flag).toBe(since(6, 4) ? undefined : "EINVAL");
    } finally {
      closeSync(ctx);
    }
  });

  test("fspick reconfigures a mounted superblock", () => {
    b.mount("tmpfs", dirs.m, "tmpfs", 0, "size=64k");
    const fc = b.fspick(b.AT_FDCWD, dirs.m);
    try {
      b.fsconfig(fc, b.FSCONFIG_SET_STRING, "size", "128k");
      b.fsconfig(fc, b.FSCONFIG_CMD_RECONFIGURE);
    } finally {
      closeSync(fc);
    }
    expect(at(dirs.m)!.superOptions).toContain("size=128k");
    expect(err(() => b.fspick(b.AT_FDCWD, `${dirs.m}/missing`))).toEqual({ cls: "OSError", code: "ENOENT", syscall: "fspick" });
  });

  test("openTree(OPEN_TREE_CLONE | AT_RECURSIVE) and moveMount make a recursive bind; mountSetattr makes all of it read-only", () => {
    b.mount("tmpfs", dirs.m, "tmpfs", 0, "size=64k");
    mkdirSync(`${dirs.m}/sub`);
    b.mount("tmpfs", `${dirs.m}/sub`, "tmpfs", 0, "size=32k");
    const tree = b.openTree(b.AT_FDCWD, dirs.m, b.OPEN_TREE_CLONE | b.OPEN_TREE_CLOEXEC | b.AT_RECURSIVE);
    try {
      b.moveMount(tree, "", b.AT_FDCWD, dirs.n, b.MOVE_MOUNT_F_EMPTY_PATH);
    } finally {
      closeSync(tree);
    }
    writeFileSync(`${dirs.n}/sub/f`, "via the bind");
    expect(readFileSync(`${dirs.m}/sub/f`, "utf8")).toBe("via the bind");
    if (since(5, 12)) {
      b.mountSetattr(b.AT_FDCWD, dirs.n, b.AT_RECURSIVE, { attrSet: b.MOUNT_ATTR_RDONLY });
      expect(() => writeFileSync(`${dirs.n}/g`, "")).toThrow(/EROFS/);
      expect(() => writeFileSync(`${dirs.n}/sub/g`, "")).toThrow(/EROFS/);
      writeFileSync(`${dirs.m}/sub/g`, "the original stays writable");
      b.mountSetattr(b.AT_FDCWD, dirs.n, b.AT_RECURSIVE, { attrClr: b.MOUNT_ATTR_RDONLY, propagation: b.MS_PRIVATE });
      writeFileSync(`${dirs.n}/sub/h`, "");
    } else {
      expect(err(() => b.mountSetattr(b.AT_FDCWD, dirs.n, b.AT_RECURSIVE, { attrSet: b.MOUNT_ATTR_RDONLY }))).toEqual({ cls: "OSError", code: "ENOSYS", syscall: "mount_setattr" });
      expect(thrown(() => b.mountSetattr(b.AT_FDCWD, dirs.n, 0, {})).message).toContain("needs Linux 5.12");
    }
  });

  test("an idmapped mount shows the files' owner through the user namespace's mapping (or the kernel says it cannot)", () => {
    // a user namespace mapping uid/gid 0 (root) to 1234, held open by a sleeping child;
    // root writes the child's maps (newuidmap is not needed for that)
    const holder = Bun.spawn(["unshare", "--user", "sleep", "30"]);
    try {
      let fd = -1;
      for (let i = 0; i < 400 && fd < 0; i++) {
        try {
          if (readlinkUser(holder.pid) !== readlinkUser(process.pid)) {
            writeFileSync(`/proc/${holder.pid}/uid_map`, "0 1234 1\n");
            writeFileSync(`/proc/${holder.pid}/setgroups`, "deny");
            writeFileSync(`/proc/${holder.pid}/gid_map`, "0 1234 1\n");
            fd = b.nsOpen("user", holder.pid);
          }
        } catch {
          // not moved yet
        }
        if (fd < 0) Bun.sleepSync(5);
      }
      expect(fd).toBeGreaterThanOrEqual(0);
      try {
        b.mount("tmpfs", dirs.m, "tmpfs", 0, "size=64k");
        writeFileSync(`${dirs.m}/owned-by-root`, "");
        const tree = b.openTree(b.AT_FDCWD, dirs.m, b.OPEN_TREE_CLONE | b.OPEN_TREE_CLOEXEC);
        try {
          let idmapped = true;
          try {
            b.mountSetattr(tree, "", b.AT_EMPTY_PATH, { attrSet: b.MOUNT_ATTR_IDMAP, usernsFd: fd });
          } catch (e) {
            // tmpfs takes idmapped mounts from Linux 6.3; before, the kernel refuses
            expect(since(6, 3)).toBe(false);
            expect(["EINVAL", "ENOSYS"]).toContain((e as { code: string }).code);
            idmapped = false;
          }
          if (idmapped) {
            b.moveMount(tree, "", b.AT_FDCWD, dirs.n, b.MOVE_MOUNT_F_EMPTY_PATH);
            expect(Bun.spawnSync(["stat", "-c", "%u", `${dirs.n}/owned-by-root`]).stdout.toString().trim()).toBe("1234");
          }
        } finally {
          closeSync(tree);
        }
      } finally {
        closeSync(fd);
      }
    } finally {
      holder.kill();
    }
  });

  test("statmount and listmount agree with mountinfo (Linux 6.8; before, ENOSYS naming the version)", () => {
    if (!since(6, 8)) {
      const e = thrown(() => b.listmount());
      expect([e.constructor.name, e.code, e.syscall]).toEqual(["OSError", "ENOSYS", "listmount"]);
      expect(e.message).toContain("needs Linux 6.8");
      expect(thrown(() => b.statmount(1n)).code).toBe("ENOSYS");
      return;
    }
    b.mount("tmpfs", dirs.m, "tmpfs", b.MS_NOSUID, "size=64k");
    const info = b.mountinfo();
    const ids = b.listmount();
    expect(ids.length).toBe(info.length);
    const stats = ids.map((id) => b.statmount(id));
    expect(stats.map((s) => s.mntPoint)).toEqual(info.map((m) => m.mountPoint));
    expect(stats.map((s) => s.mntIdOld)).toEqual(info.map((m) => m.id));
    const mine = stats.find((s) => s.mntPoint === dirs.m)!;
    expect(mine.fsType).toBe("tmpfs");
    expect(mine.mntRoot).toBe("/");
    expect(mine.mntAttr! & BigInt(b.MOUNT_ATTR_NOSUID)).toBe(BigInt(b.MOUNT_ATTR_NOSUID));
    expect(mine.mntPropagation).toBe(BigInt(b.MS_PRIVATE));
    expect(mine.mntParentId).toBe(stats.find((s) => s.mntIdOld === at(dirs.m)!.parentId)!.mntId);
    if (mine.mntOpts !== undefined) expect(mine.mntOpts).toContain("size=64k");
    // the mounts under one mount, and the newest first
    expect(b.listmount(mine.mntId!)).toEqual([]);
    if (since(6, 14)) expect(b.listmount(b.LSMT_ROOT, { flags: b.LISTMOUNT_REVERSE })).toEqual([...ids].reverse());
    // only some fields
    const few = b.statmount(mine.mntId!, b.STATMOUNT_MNT_POINT);
    expect(few).toEqual({ mask: b.STATMOUNT_MNT_POINT, mntPoint: dirs.m });
    expect(err(() => b.statmount(0xffff_ffff_ffffn))).toEqual({ cls: "OSError", code: "ENOENT", syscall: "statmount" });
  });

  test("chdir moves only this thread's working directory (its fs_struct is its own after unshare(CLONE_NEWNS))", () => {
    b.chdir(dirs.m);
    const mine = Bun.spawnSync(["readlink", `/proc/${process.pid}/task/${b.gettid()}/cwd`]).stdout.toString().trim();
    const main = Bun.spawnSync(["readlink", `/proc/${process.pid}/task/${process.pid}/cwd`]).stdout.toString().trim();
    b.chdir(main);
    expect(mine).toBe(dirs.m);
    expect(main).not.toBe(dirs.m);
    expect(err(() => b.chdir(`${dirs.m}/missing`))).toEqual({ cls: "OSError", code: "ENOENT", syscall: "chdir" });
  });
});
