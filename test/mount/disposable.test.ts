// @privileged: disposable mounts (tmpfs, bind, overlay) as root, in the test thread's own mount namespace
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { ownedMounts } from "../../src/core/fd.ts";
import { thrown, worker } from "../helpers.ts";
import { armed, failCall, fired, resetFaults, unavailable } from "../../harness/fiu/control.ts";
import { at, mountDirs, NO_CAP, own } from "./own.ts";

describe("arguments", () => {
  test("bad options are TypeError or RangeError, before anything is mounted", () => {
    expect(() => b.mountTmpfs("/tmp", { size: "1m,uid=0" })).toThrow(TypeError);
    expect(() => b.mountTmpfs("/tmp", { mode: 0o17777 })).toThrow(RangeError);
    expect(() => b.mountTmpfs("/tmp\0x")).toThrow(TypeError);
    expect(() => b.mountTmpfs("/tmp", null as never)).toThrow(TypeError);
    expect(() => b.overlayMount("/tmp", { lower: [] })).toThrow(TypeError);
    expect(() => b.overlayMount("/tmp", { lower: ["/tmp"], upper: "/tmp" })).toThrow(TypeError);
    expect(thrown(() => b.bindMount("/nonexistent-butter", "/tmp")).code).toBe("ENOENT");
  });
});

describe.skipIf(!own)(`disposable mounts (${own ? "the test thread's own mount namespace" : NO_CAP})`, () => {
  const dirs = mountDirs("m", "n", "o");

  test("mountTmpfs: mounted inside the block, unmounted after it, with a report", () => {
    let kept: b.Mount | undefined;
    {
      using m = b.mountTmpfs(dirs.m, { size: 65536, mode: 0o700, nrInodes: 100 });
      kept = m;
      expect(m.mounted).toBe(true);
      expect(m.target).toBe(dirs.m);
      expect(m.id).toBe(at(dirs.m)!.id);
      expect(at(dirs.m)!.superOptions).toEqual(expect.stringContaining("size=64k"));
      expect(at(dirs.m)!.options.split(",")).toEqual(expect.arrayContaining(["nosuid", "nodev"]));
      expect(ownedMounts()).toBe(1);
      writeFileSync(`${dirs.m}/f`, "x");
    }
    expect(at(dirs.m)).toBeUndefined();
    expect(kept.mounted).toBe(false);
    expect(kept.report).toEqual({ target: dirs.m, result: "unmounted" });
    expect(kept.unmount()).toBe(kept.report); // idempotent
    expect(ownedMounts()).toBe(0);
  });

  test("an error thrown inside the block still unmounts", () => {
    expect(() => {
      using _m = b.mountTmpfs(dirs.m);
      throw new Error("boom");
    }).toThrow("boom");
    expect(at(dirs.m)).toBeUndefined();
  });

  test("busy: EBUSY and the mount stays (a later unmount works); with lazy it is detached", () => {
    const m = b.mountTmpfs(dirs.m);
    writeFileSync(`${dirs.m}/f`, "x");
    const fd = openSync(`${dirs.m}/f`, "r");
    try {
      expect(thrown(() => m.unmount()).code).toBe("EBUSY");
      expect(m.mounted).toBe(true);
    } finally {
      closeSync(fd);
    }
    expect(m.unmount().result).toBe("unmounted");
    const lazy = b.mountTmpfs(dirs.m, { lazy: true });
    writeFileSync(`${dirs.m}/f`, "x");
    const fd2 = openSync(`${dirs.m}/f`, "r");
    try {
      expect(lazy.unmount()).toEqual({ target: dirs.m, result: "detached" });
      expect(at(dirs.m)).toBeUndefined();
      expect(readFileSync(fd2, "utf8")).toBe("x");
    } finally {
      closeSync(fd2);
    }
  });

  test("unmounted behind its back: 'gone'; covered by another mount: EBUSY, never the other one unmounted", () => {
    const m = b.mountTmpfs(dirs.m);
    b.umount(dirs.m);
    expect(m.unmount()).toEqual({ target: dirs.m, result: "gone" });
    const under = b.mountTmpfs(dirs.m);
    b.mount("tmpfs", dirs.m, "tmpfs", 0, "size=64k"); // stacked on it
    const e = thrown(() => under.unmount());
    expect([e.code, e.message]).toEqual(["EBUSY", expect.stringContaining("another mount is on top")]);
    expect(b.mountinfo().filter((x) => x.mountPoint === dirs.m).length).toBe(2);
    b.umount(dirs.m);
    expect(under.unmount().result).toBe("unmounted");
  });

  test("bindMount: read-only and recursive by default options; every mount of the tree is read-only; the source stays writable", () => {
    mkdirSync(`${dirs.m}/sub`);
    b.mount("tmpfs", `${dirs.m}/sub`, "tmpfs", 0, "size=64k");
    writeFileSync(`${dirs.m}/sub/f`, "deep");
    let tree: b.Mount | undefined;
    {
      using bind = b.bindMount(dirs.m, dirs.n, { readonly: true });
      tree = bind;
      expect(bind.source).toBe(dirs.m);
      expect(readFileSync(`${dirs.n}/sub/f`, "utf8")).toBe("deep");
      expect(() => writeFileSync(`${dirs.n}/g`, "")).toThrow(/EROFS/);
      expect(() => writeFileSync(`${dirs.n}/sub/g`, "")).toThrow(/EROFS/);
      writeFileSync(`${dirs.m}/sub/g`, "the source is writable");
    }
    expect(at(dirs.n)).toBeUndefined();
    expect(at(`${dirs.n}/sub`)).toBeUndefined();
    expect(tree.report?.result).toBe("detached"); // a tree goes in one step
    {
      using flat = b.bindMount(dirs.m, dirs.n, { recursive: false });
      expect(readdirSync(`${dirs.n}/sub`)).toEqual([]); // the tmpfs under it was not bound
      writeFileSync(`${dirs.n}/h`, "writable");
      void flat;
    }
    {
      using flatRo = b.bindMount(dirs.m, dirs.n, { recursive: false, readonly: true });
      expect(() => writeFileSync(`${dirs.n}/i`, "")).toThrow(/EROFS/);
      expect(flatRo.unmount().result).toBe("unmounted");
    }
  });

  test.skipIf(unavailable !== undefined)("a read-only recursive bind on a kernel without mount_setattr (ENOSYS forced): each mount of the tree is remounted read-only", () => {
    mkdirSync(`${dirs.m}/sub`);
    b.mount("tmpfs", `${dirs.m}/sub`, "tmpfs", b.MS_NOEXEC, "size=64k");
    try {
      failCall("syscall", "ENOSYS");
      using bind = armed(() => b.bindMount(dirs.m, dirs.n, { readonly: true }));
      expect(fired("syscall")).toBe(1);
      expect(() => writeFileSync(`${dirs.n}/g`, "")).toThrow(/EROFS/);
      expect(() => writeFileSync(`${dirs.n}/sub/g`, "")).toThrow(/EROFS/);
      expect(at(`${dirs.n}/sub`)!.options.split(",")).toEqual(expect.arrayContaining(["ro", "noexec"])); // its own flags kept
      void bind;
    } finally {
      resetFaults();
    }
  });

  test.skipIf(unavailable !== undefined)("when making the bind read-only fails, the bind is undone and the error thrown: no mount is left", () => {
    try {
      failCall("syscall", "EPERM");
      const e = thrown(() => armed(() => b.bindMount(dirs.m, dirs.n, { readonly: true })));
      expect([e.constructor.name, e.code, e.syscall]).toEqual(["PermissionError", "EPERM", "mount_setattr"]);
      expect(at(dirs.n)).toBeUndefined();
    } finally {
      resetFaults();
    }
  });

  test("names that are not UTF-8 and byte paths: the target is decoded losslessly and unmounted by it", () => {
    const raw = Buffer.concat([Buffer.from(`${dirs.m}/`), Buffer.from([0x66, 0xff])]);
    mkdirSync(raw);
    {
      using m = b.mountTmpfs(raw, { size: "1m", flags: b.MS_NOSUID });
      expect(Buffer.compare(b.fsencode(m.target), raw)).toBe(0);
      expect(m.mounted).toBe(true);
    }
    expect(b.mountinfo().some((x) => Buffer.compare(b.fsencode(x.mountPoint), raw) === 0)).toBe(false);
  });

  test("overlayMount: writes go to the upper layer, the lower one is untouched; a ':' in a layer's path is escaped", () => {
    const lower = `${dirs.m}/low:er`;
    mkdirSync(lower);
    writeFileSync(`${lower}/base`, "lower");
    mkdirSync(`${dirs.o}/upper`);
    mkdirSync(`${dirs.o}/work`);
    {
      using ov = b.overlayMount(dirs.n, { lower: [lower], upper: `${dirs.o}/upper`, work: `${dirs.o}/work` });
      expect(ov.fstype).toBe("overlay");
      expect(readFileSync(`${dirs.n}/base`, "utf8")).toBe("lower");
      writeFileSync(`${dirs.n}/base`, "changed");
      writeFileSync(`${dirs.n}/new`, "new");
    }
    expect(readFileSync(`${lower}/base`, "utf8")).toBe("lower");
    expect(readFileSync(`${dirs.o}/upper/base`, "utf8")).toBe("changed");
    expect(readFileSync(`${dirs.o}/upper/new`, "utf8")).toBe("new");
    // read-only without an upper layer (overlayfs wants two lower layers then); the first is on top
    mkdirSync(`${dirs.m}/top`);
    writeFileSync(`${dirs.m}/top/base`, "top");
    using ro = b.overlayMount(dirs.n, { lower: [`${dirs.m}/top`, lower] });
    expect(readFileSync(`${dirs.n}/base`, "utf8")).toBe("top");
    expect(() => writeFileSync(`${dirs.n}/x`, "")).toThrow(/EROFS/);
    void ro;
  });

  test("many at once, given back in any order: the thread's record of them grows and shrinks", () => {
    const dirs10 = Array.from({ length: 12 }, (_, i) => `${dirs.o}/${i}`);
    for (const d of dirs10) mkdirSync(d);
    const ms = dirs10.map((d) => b.mountTmpfs(d, { size: "64k" }));
    expect(ownedMounts()).toBe(12);
    for (const i of [5, 0, 11, 3]) ms[i]!.unmount();
    expect(ownedMounts()).toBe(8);
    for (const m of ms) m.unmount();
    expect(ownedMounts()).toBe(0);
    expect(b.mountinfo().filter((m) => m.mountPoint.startsWith(`${dirs.o}/`))).toEqual([]);
  });

  test("a mount dropped to the collector is detached", async () => {
    (() => {
      b.mountTmpfs(dirs.m);
    })();
    expect(at(dirs.m)).toBeDefined();
    for (let i = 0; i < 50 && at(dirs.m) !== undefined; i++) {
      Bun.gc(true);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(at(dirs.m)).toBeUndefined();
    expect(ownedMounts()).toBe(0);
  });

  test("a Worker's mounts are detached when the Worker ends, with process.on listeners installed", async () => {
    const onExit = () => {};
    process.on("exit", onExit);
    process.on("SIGUSR2", onExit);
    try {
      // the Worker's thread shares this thread's mount namespace (threads inherit it)
      const w = worker(
        `const m = b.mountTmpfs(${JSON.stringify(dirs.m)}); postMessage({ id: m.id, ns: require("fs").readlinkSync("/proc/thread-self/ns/mnt") });`,
      );
      const got = (await w.message) as { id: number; ns: string };
      expect({ id: at(dirs.m)?.id, ns: readlinkSync("/proc/thread-self/ns/mnt") }).toEqual(got);
      await w.end();
      for (let i = 0; i < 100 && at(dirs.m) !== undefined; i++) await new Promise((r) => setTimeout(r, 10));
      expect(at(dirs.m)).toBeUndefined();
    } finally {
      process.off("exit", onExit);
      process.off("SIGUSR2", onExit);
    }
  });
});
