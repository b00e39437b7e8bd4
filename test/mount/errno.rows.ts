// The errno rows of the mount family: mount(2), umount(2), umount2(2), pivot_root(2),
// chdir(2), and the fd-based mount API. Each row is forced through the libfiu shim by
// test/errno-matrix.test.ts (format and rules: harness/errno-rows.ts). Every scenario is
// `isolated`: the test thread has mount and UTS namespaces of its own, every mount private,
// so a real mount made to show that the call still works never reaches the host.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { rowsByClass, type B, type Row, type Scenario } from "../../harness/errno-rows.ts";
import { loadPages } from "../../harness/errno-pages.ts";

const dir = () => mkdtempSync(`${tmpdir()}/butter-mnt-`);
const gone = (b: B, d: string) => {
  for (;;) {
    try {
      b.umount2(d, b.MNT_DETACH);
    } catch {
      break;
    }
  }
  rmSync(d, { recursive: true, force: true });
};
const tmpfsOn = (b: B, d: string) => b.mount("tmpfs", d, "tmpfs", 0, "size=64k");
const mounted = (b: B, d: string) => b.mountinfo().some((m) => m.mountPoint === d);
const closeFd = (fd: number) => require("node:fs").closeSync(fd);
const createdContext = (b: B) => {
  const fd = b.fsopen("tmpfs");
  b.fsconfig(fd, b.FSCONFIG_CMD_CREATE);
  return fd;
};
const FDCWD = -100;
/** A tmpfs mounted in setup; the call under test unmounts it. */
const unmounting = (fn: string, unmount: (b: B, d: string) => void): Scenario => ({
  fn,
  isolated: true,
  setup: (b) => {
    const d = dir();
    tmpfsOn(b, d);
    return { d };
  },
  call: (b, c) => unmount(b, c.d),
  usable: (b, c) => {
    unmount(b, c.d);
    if (mounted(b, c.d)) throw new Error("still mounted");
  },
  teardown: (b, c) => gone(b, c.d),
});

export const scenarios: Record<string, Scenario> = {
  // A disposable mount's record (bunffi/owned.c: detached when its thread ends) cannot be
  // made: the mount is undone, and the next one works. The list grows on the thread's
  // first record (realloc: these rows run first in their thread), and each path is copied (malloc).
  "owned:mount": {
    fn: "realloc",
    isolated: true,
    setup: () => ({ d: dir() }),
    call: (b, c) => b.mountTmpfs(c.d, { size: 65536 }),
    usable: (b, c) => {
      if (mounted(b, c.d)) throw new Error("the failed mountTmpfs left its mount");
      const m = b.mountTmpfs(c.d, { size: 65536 });
      if (!mounted(b, c.d)) throw new Error("not mounted");
      m.unmount();
      if (mounted(b, c.d)) throw new Error("still mounted");
    },
    teardown: (b, c) => gone(b, c.d),
  },
  mount: {
    fn: "mount",
    isolated: true,
    setup: () => ({ d: dir() }),
    call: (b, c) => tmpfsOn(b, c.d),
    usable: (b, c) => {
      tmpfsOn(b, c.d);
      if (!mounted(b, c.d)) throw new Error("not mounted");
      b.umount(c.d);
    },
    teardown: (b, c) => gone(b, c.d),
  },
  umount: unmounting("umount", (b, d) => b.umount(d)),
  umount2: unmounting("umount2", (b, d) => b.umount2(d, b.MNT_DETACH)),
  pivot_root: {
    // a real pivot would move the test thread's root: the call is shown to reach the
    // kernel by the kernel's own refusal of a new root that is not a mount point
    fn: "syscall",
    isolated: true,
    setup: () => ({ d: dir() }),
    call: (b, c) => b.pivotRoot(c.d, c.d),
    usable: (b, c) => {
      try {
        b.pivotRoot(c.d, c.d);
      } catch (e) {
        // the kernel's refusal (which check comes first differs by kernel)
        if (["EINVAL", "EBUSY"].includes((e as { code?: string }).code!)) return;
        throw e;
      }
      throw new Error("pivot_root into a directory that is no mount point passed");
    },
    teardown: (b, c) => gone(b, c.d),
  },
  chdir: {
    // the test thread has its own fs_struct (unshare(CLONE_NEWNS)): only its cwd moves
    fn: "chdir",
    isolated: true,
    call: (b) => b.chdir(process.cwd()),
    usable: (b) => b.chdir(process.cwd()),
  },
  fsopen: {
    fn: "syscall",
    isolated: true,
    call: (b) => b.fsopen("tmpfs"),
    returns: (_b, _c, fd) => closeFd(fd as number),
    usable: (b) => closeFd(b.fsopen("tmpfs")),
  },
  fspick: {
    fn: "syscall",
    isolated: true,
    call: (b) => b.fspick(FDCWD, "/"),
    returns: (_b, _c, fd) => closeFd(fd as number),
    usable: (b) => closeFd(b.fspick(FDCWD, "/")),
  },
  fsconfig: {
    fn: "syscall",
    isolated: true,
    setup: (b) => ({ fd: b.fsopen("tmpfs") }),
    call: (b, c) => b.fsconfig(c.fd, b.FSCONFIG_SET_STRING, "size", "64k"),
    usable: (b, c) => b.fsconfig(c.fd, b.FSCONFIG_SET_STRING, "size", "64k"),
    teardown: (_b, c) => closeFd(c.fd),
  },
  fsmount: {
    fn: "syscall",
    isolated: true,
    setup: (b) => ({ fd: createdContext(b) }),
    call: (b, c) => b.fsmount(c.fd),
    returns: (_b, _c, fd) => closeFd(fd as number),
    usable: (b, c) => closeFd(b.fsmount(c.fd)),
    teardown: (_b, c) => closeFd(c.fd),
  },
  move_mount: {
    fn: "syscall",
    isolated: true,
    setup: (b) => {
      const ctx = createdContext(b);
      const m = b.fsmount(ctx);
      closeFd(ctx);
      return { d: dir(), m };
    },
    call: (b, c) => b.moveMount(c.m, "", FDCWD, c.d, b.MOVE_MOUNT_F_EMPTY_PATH),
    usable: (b, c) => {
      b.moveMount(c.m, "", FDCWD, c.d, b.MOVE_MOUNT_F_EMPTY_PATH);
      if (!mounted(b, c.d)) throw new Error("not attached");
    },
    teardown: (b, c) => {
      closeFd(c.m);
      gone(b, c.d);
    },
  },
  open_tree: {
    fn: "syscall",
    isolated: true,
    call: (b) => b.openTree(FDCWD, tmpdir()),
    returns: (_b, _c, fd) => closeFd(fd as number),
    usable: (b) => closeFd(b.openTree(FDCWD, tmpdir())),
  },
  mount_setattr: {
    fn: "syscall",
    isolated: true,
    setup: (b) => {
      const d = dir();
      tmpfsOn(b, d);
      return { d };
    },
    call: (b, c) => b.mountSetattr(FDCWD, c.d, 0, { attrSet: b.MOUNT_ATTR_RDONLY }),
    usable: (b, c) => {
      b.mountSetattr(FDCWD, c.d, 0, { attrSet: b.MOUNT_ATTR_RDONLY });
      if (!b.mountinfo().find((m) => m.mountPoint === c.d)?.options.startsWith("ro")) throw new Error("not read-only");
    },
    teardown: (b, c) => gone(b, c.d),
  },
  statmount: {
    fn: "syscall",
    needs: { version: "6.8", has: (b) => b.mountFeatures().statmount === true, lacking: (b) => b.statmount(1n) },
    // (listmount's order is the ids', not the tree's: the root is looked for)
    setup: (b) => ({ root: b.listmount().find((id) => b.statmount(id, b.STATMOUNT_MNT_POINT).mntPoint === "/")! }),
    call: (b, c) => b.statmount(c.root),
    // (EOVERFLOW: the strings did not fit; the buffer grows and the call is made again)
    returns: (_b, _c, s) => {
      if ((s as { mntPoint?: string }).mntPoint !== "/") throw new Error("not the root's");
    },
    usable: (b, c) => {
      if (b.statmount(c.root).mntPoint !== "/") throw new Error("not the root's");
    },
  },
  listmount: {
    fn: "syscall",
    needs: { version: "6.8", has: (b) => b.mountFeatures().listmount === true, lacking: (b) => b.listmount() },
    call: (b) => b.listmount(),
    returns: (_b, _c, ids) => {
      if ((ids as bigint[]).length === 0) throw new Error("no mounts listed");
    },
    usable: (b) => b.listmount(),
  },
};

const listed = (call: string) => loadPages().calls[call]!.listed;

export const matrix: Row[] = [
  ...Object.keys(scenarios)
    .filter((call) => call !== "statmount" && call !== "owned:mount")
    .flatMap((call) => rowsByClass(call, listed(call))),
  ...rowsByClass("statmount", listed("statmount").filter((e) => e !== "EOVERFLOW")),
  { call: "statmount", errno: "EOVERFLOW", expect: "retried" },
  { call: "owned/malloc", errno: "ENOMEM", expect: "OSError", scenario: "owned:mount", once: "thread" },
  { call: "owned/malloc", errno: "ENOMEM", expect: "OSError", scenario: "owned:mount", fn: "malloc", once: "thread" },
];
