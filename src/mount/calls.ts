/**
 * mount(2), umount(2), umount2(2), pivot_root(2), and the file-descriptor mount API
 * (fsopen, fspick, fsconfig, fsmount, move_mount, open_tree, mount_setattr, statmount,
 * listmount), 1:1.
 *
 * Every call acts in the mount namespace of the calling THREAD: a Bun program's JS
 * thread that called `unshare(CLONE_NEWNS)` mounts in its own namespace, which Bun's
 * other threads do not see (docs/mount.md, "The thread rule"). Paths are bytes, NUL
 * checked; their length is the kernel's to judge (ENAMETOOLONG), never truncated. The
 * fd-returning calls are close-on-exec unless the flags say otherwise.
 */
import { helpers } from "../../bunffi/load.ts";
import { check, errorFor, type CallSpec } from "../core/errors.ts";
import { ERRNO } from "../core/errno.ts";
import { fsdecode } from "../core/fsname.ts";
import { AT_EMPTY_PATH, AT_NO_AUTOMOUNT, AT_RECURSIVE, AT_SYMLINK_NOFOLLOW, dirfd as atDirfd } from "../core/at.ts";
import * as v from "../core/validate.ts";

const lib = helpers("mount.c", {
  bt_mount: { args: ["ptr", "ptr", "ptr", "u64", "ptr"], returns: "i32" },
  bt_umount: { args: ["ptr"], returns: "i32" },
  bt_umount2: { args: ["ptr", "i32"], returns: "i32" },
  bt_pivot_root: { args: ["ptr", "ptr"], returns: "i32" },
  bt_chdir: { args: ["ptr"], returns: "i32" },
  bt_fsopen: { args: ["ptr", "i32"], returns: "i32" },
  bt_fspick: { args: ["i32", "ptr", "i32"], returns: "i32" },
  bt_fsconfig: { args: ["i32", "i32", "ptr", "ptr", "i32"], returns: "i32" },
  bt_fsmount: { args: ["i32", "i32", "i32"], returns: "i32" },
  bt_move_mount: { args: ["i32", "ptr", "i32", "ptr", "i32"], returns: "i32" },
  bt_open_tree: { args: ["i32", "ptr", "i32"], returns: "i32" },
  bt_mount_setattr: { args: ["i32", "ptr", "i32", "u64", "u64", "u64", "u64"], returns: "i32" },
  bt_statmount: { args: ["u64", "u64", "u64", "ptr", "i64", "i32"], returns: "i32" },
  bt_listmount: { args: ["u64", "u64", "u64", "ptr", "i64", "i32"], returns: "i32" },
});

// ---- mount(2) flags ----
/** Mount read-only. */ export const MS_RDONLY = 1;
/** Ignore set-user-ID and set-group-ID bits. */ export const MS_NOSUID = 2;
/** No access to device special files. */ export const MS_NODEV = 4;
/** No program execution. */ export const MS_NOEXEC = 8;
/** Writes are synchronous. */ export const MS_SYNCHRONOUS = 16;
/** Change the flags (and data) of an existing mount. */ export const MS_REMOUNT = 32;
/** Permit mandatory locking (removed in Linux 5.15: ignored, with a warning). */ export const MS_MANDLOCK = 64;
/** Directory changes are synchronous. */ export const MS_DIRSYNC = 128;
/** Do not follow symbolic links in paths under this mount (Linux 5.10). */ export const MS_NOSYMFOLLOW = 256;
/** Do not update access times. */ export const MS_NOATIME = 1024;
/** Do not update directory access times. */ export const MS_NODIRATIME = 2048;
/** A bind mount: make `source` visible at `target` too. */ export const MS_BIND = 4096;
/** Move the mount at `source` to `target`. */ export const MS_MOVE = 8192;
/** With MS_BIND or a propagation flag: the whole subtree. */ export const MS_REC = 16384;
/** Keep some kernel warnings quiet. */ export const MS_SILENT = 32768;
/** POSIX ACLs (set by filesystems, not by callers). */ export const MS_POSIXACL = 1 << 16;
/** Propagation: this mount cannot be bind-mounted. */ export const MS_UNBINDABLE = 1 << 17;
/** Propagation: events neither received nor sent. */ export const MS_PRIVATE = 1 << 18;
/** Propagation: events received from the master, not sent back. */ export const MS_SLAVE = 1 << 19;
/** Propagation: events shared with the peer group. */ export const MS_SHARED = 1 << 20;
/** Update access times relative to modify or change times. */ export const MS_RELATIME = 1 << 21;
/** Update inode I_version. */ export const MS_I_VERSION = 1 << 23;
/** Always update access times. */ export const MS_STRICTATIME = 1 << 24;
/** Keep time updates in memory only (lazytime). */ export const MS_LAZYTIME = 1 << 25;
/** The old magic number that may fill the top 16 bits of the flags (ignored by the kernel). */
export const MS_MGC_VAL = 0xc0ed0000;
const MS_ALL =
  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_REMOUNT | MS_MANDLOCK | MS_DIRSYNC |
  MS_NOSYMFOLLOW | MS_NOATIME | MS_NODIRATIME | MS_BIND | MS_MOVE | MS_REC | MS_SILENT | MS_POSIXACL |
  MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_RELATIME | MS_I_VERSION | MS_STRICTATIME | MS_LAZYTIME;
/** The propagation flags: one of them (with MS_REC) changes a mount's propagation type. */
export const MS_PROPAGATION = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;

// ---- umount2(2) flags ----
/** Force the unmount even if busy (network filesystems). */ export const MNT_FORCE = 1;
/** Lazy unmount: detach now, clean up when no longer busy. */ export const MNT_DETACH = 2;
/** Mark the mount expired; a second call unmounts it if it stayed unused (EAGAIN the first time). */
export const MNT_EXPIRE = 4;
/** Do not follow a symbolic link at `target`. */ export const UMOUNT_NOFOLLOW = 8;
const UMOUNT_ALL = MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW;

// ---- the file-descriptor mount API ----
/** fsopen(2) flag: close-on-exec (butter's default). */ export const FSOPEN_CLOEXEC = 1;
/** fspick(2) flag: close-on-exec (butter's default). */ export const FSPICK_CLOEXEC = 1;
/** fspick(2) flag: do not follow a symbolic link at the end of the path. */ export const FSPICK_SYMLINK_NOFOLLOW = 2;
/** fspick(2) flag: do not trigger an automount. */ export const FSPICK_NO_AUTOMOUNT = 4;
/** fspick(2) flag: an empty path means `dirfd` itself. */ export const FSPICK_EMPTY_PATH = 8;
/** fsconfig(2) command: set a flag parameter (`key` only). */ export const FSCONFIG_SET_FLAG = 0;
/** fsconfig(2) command: set a string parameter. */ export const FSCONFIG_SET_STRING = 1;
/** fsconfig(2) command: set a binary blob parameter. */ export const FSCONFIG_SET_BINARY = 2;
/** fsconfig(2) command: set a path parameter (relative to `aux`, a dirfd). */ export const FSCONFIG_SET_PATH = 3;
/** fsconfig(2) command: set a path parameter that may be empty. */ export const FSCONFIG_SET_PATH_EMPTY = 4;
/** fsconfig(2) command: set an fd parameter (`aux`). */ export const FSCONFIG_SET_FD = 5;
/** fsconfig(2) command: create the superblock. */ export const FSCONFIG_CMD_CREATE = 6;
/** fsconfig(2) command: apply the parameters to an existing superblock. */ export const FSCONFIG_CMD_RECONFIGURE = 7;
/** fsconfig(2) command: create a new superblock, never reuse one (Linux 6.6). */ export const FSCONFIG_CMD_CREATE_EXCL = 8;
/** fsmount(2) flag: close-on-exec (butter's default). */ export const FSMOUNT_CLOEXEC = 1;
/** Mount attribute: read-only. */ export const MOUNT_ATTR_RDONLY = 0x1;
/** Mount attribute: ignore set-user-ID and set-group-ID bits. */ export const MOUNT_ATTR_NOSUID = 0x2;
/** Mount attribute: no device files. */ export const MOUNT_ATTR_NODEV = 0x4;
/** Mount attribute: no program execution. */ export const MOUNT_ATTR_NOEXEC = 0x8;
/** Mount attributes: the access-time bits (clear this to change the atime mode). */ export const MOUNT_ATTR__ATIME = 0x70;
/** Mount attribute: relative access times (the atime mode 0). */ export const MOUNT_ATTR_RELATIME = 0;
/** Mount attribute: no access times. */ export const MOUNT_ATTR_NOATIME = 0x10;
/** Mount attribute: always update access times. */ export const MOUNT_ATTR_STRICTATIME = 0x20;
/** Mount attribute: no directory access times. */ export const MOUNT_ATTR_NODIRATIME = 0x80;
/** Mount attribute: an idmapped mount (mount_setattr with `usernsFd`; Linux 5.12). */ export const MOUNT_ATTR_IDMAP = 0x100000;
/** Mount attribute: do not follow symbolic links (Linux 5.14). */ export const MOUNT_ATTR_NOSYMFOLLOW = 0x200000;
const MOUNT_ATTR_ALL =
  MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME |
  MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSYMFOLLOW;
/** move_mount(2) flag: follow symbolic links on the `from` path. */ export const MOVE_MOUNT_F_SYMLINKS = 0x1;
/** move_mount(2) flag: follow automounts on the `from` path. */ export const MOVE_MOUNT_F_AUTOMOUNTS = 0x2;
/** move_mount(2) flag: an empty `from` path means `fromDirfd` itself. */ export const MOVE_MOUNT_F_EMPTY_PATH = 0x4;
/** move_mount(2) flag: follow symbolic links on the `to` path. */ export const MOVE_MOUNT_T_SYMLINKS = 0x10;
/** move_mount(2) flag: follow automounts on the `to` path. */ export const MOVE_MOUNT_T_AUTOMOUNTS = 0x20;
/** move_mount(2) flag: an empty `to` path means `toDirfd` itself. */ export const MOVE_MOUNT_T_EMPTY_PATH = 0x40;
/** move_mount(2) flag: put `to` into the peer group of `from` (Linux 5.15). */ export const MOVE_MOUNT_SET_GROUP = 0x100;
/** move_mount(2) flag: mount beneath the top mount at `to` (Linux 6.5). */ export const MOVE_MOUNT_BENEATH = 0x200;
const MOVE_MOUNT_ALL = 0x1 | 0x2 | 0x4 | 0x10 | 0x20 | 0x40 | 0x100 | 0x200;
/** open_tree(2) flag: a detached copy of the mount (a bind mount not yet attached). */ export const OPEN_TREE_CLONE = 1;
/** open_tree(2) flag: close-on-exec (butter's default). */ export const OPEN_TREE_CLOEXEC = 0o2000000;
const OPEN_TREE_ALL = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW;
const MOUNT_SETATTR_FLAGS = AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW;

// ---- statmount(2), listmount(2) ----
/** statmount mask: superblock basics (device, magic, flags). */ export const STATMOUNT_SB_BASIC = 0x1;
/** statmount mask: mount basics (ids, attributes, propagation, peer group, master). */ export const STATMOUNT_MNT_BASIC = 0x2;
/** statmount mask: the mount propagation comes from. */ export const STATMOUNT_PROPAGATE_FROM = 0x4;
/** statmount mask: the root of the mount within its filesystem. */ export const STATMOUNT_MNT_ROOT = 0x8;
/** statmount mask: where the mount is, in the caller's root. */ export const STATMOUNT_MNT_POINT = 0x10;
/** statmount mask: the filesystem type. */ export const STATMOUNT_FS_TYPE = 0x20;
/** statmount mask: the mount namespace id (Linux 6.11). */ export const STATMOUNT_MNT_NS_ID = 0x40;
/** statmount mask: the filesystem's options string (Linux 6.11). */ export const STATMOUNT_MNT_OPTS = 0x80;
/** statmount mask: the filesystem subtype (Linux 6.13). */ export const STATMOUNT_FS_SUBTYPE = 0x100;
/** statmount mask: the superblock's source (Linux 6.13). */ export const STATMOUNT_SB_SOURCE = 0x200;
/** The statmount fields butter decodes. */
export const STATMOUNT_ALL = 0x3ff;
/** listmount(2): list from the namespace's root mount. */ export const LSMT_ROOT = 0xffffffffffffffffn;
/** listmount(2) flag: newest first (Linux 6.14). */ export const LISTMOUNT_REVERSE = 1;

// ---- the calls' errnos (mount(2), umount(2), pivot_root(2), mount_setattr(2); the
// calls with no page in manpages-dev list what the kernel's fs/fsopen.c and
// fs/namespace.c return, see harness/errno-pages.ts) ----
export const MOUNT: CallSpec = { syscall: "mount", errnos: ["EACCES", "EBUSY", "EFAULT", "EINVAL", "ELOOP", "EMFILE", "ENAMETOOLONG", "ENODEV", "ENOENT", "ENOMEM", "ENOTBLK", "ENOTDIR", "ENXIO", "EPERM", "EROFS"] };
const UMOUNT_ERRNOS = ["EAGAIN", "EBUSY", "EFAULT", "EINVAL", "ENAMETOOLONG", "ENOENT", "ENOMEM", "EPERM"];
export const UMOUNT: CallSpec = { syscall: "umount", errnos: UMOUNT_ERRNOS };
export const UMOUNT2: CallSpec = { syscall: "umount2", errnos: UMOUNT_ERRNOS };
export const PIVOT_ROOT: CallSpec = { syscall: "pivot_root", errnos: ["EBUSY", "EINVAL", "ENOTDIR", "EPERM"] };
export const CHDIR: CallSpec = { syscall: "chdir", errnos: ["EACCES", "EBADF", "EFAULT", "EIO", "ELOOP", "ENAMETOOLONG", "ENOENT", "ENOMEM", "ENOTDIR"] };
export const FSOPEN: CallSpec = { syscall: "fsopen", errnos: ["EFAULT", "EINVAL", "EMFILE", "ENAMETOOLONG", "ENFILE", "ENODEV", "ENOMEM", "ENOSYS", "EPERM"] };
export const FSPICK: CallSpec = { syscall: "fspick", errnos: ["EBADF", "EFAULT", "EINVAL", "ELOOP", "EMFILE", "ENAMETOOLONG", "ENFILE", "ENOENT", "ENOMEM", "ENOSYS", "ENOTDIR", "EPERM"] };
export const FSCONFIG: CallSpec = { syscall: "fsconfig", errnos: ["EACCES", "EBADF", "EBUSY", "EFAULT", "EINVAL", "ELOOP", "ENAMETOOLONG", "ENODEV", "ENOENT", "ENOMEM", "ENOSYS", "ENOTBLK", "ENOTDIR", "ENXIO", "EOPNOTSUPP", "EPERM"] };
export const FSMOUNT: CallSpec = { syscall: "fsmount", errnos: ["EBADF", "EBUSY", "EINVAL", "EMFILE", "ENFILE", "ENOMEM", "ENOSYS", "EPERM"] };
export const MOVE_MOUNT: CallSpec = { syscall: "move_mount", errnos: ["EBADF", "EBUSY", "EFAULT", "EINVAL", "ELOOP", "ENAMETOOLONG", "ENOENT", "ENOMEM", "ENOSYS", "ENOTDIR", "EPERM"] };
export const OPEN_TREE: CallSpec = { syscall: "open_tree", errnos: ["EBADF", "EFAULT", "EINVAL", "ELOOP", "EMFILE", "ENAMETOOLONG", "ENFILE", "ENOENT", "ENOMEM", "ENOSYS", "ENOTDIR", "EPERM"] };
export const MOUNT_SETATTR: CallSpec = { syscall: "mount_setattr", errnos: ["EBADF", "EBUSY", "EINVAL", "ENOENT", "ENOMEM", "ENOSPC", "ENOSYS", "EPERM"] };
export const STATMOUNT: CallSpec = { syscall: "statmount", errnos: ["EFAULT", "EINVAL", "ENOENT", "ENOMEM", "ENOSYS", "EOVERFLOW", "EPERM"] };
export const LISTMOUNT: CallSpec = { syscall: "listmount", errnos: ["EFAULT", "EINVAL", "ENOENT", "ENOMEM", "ENOSYS", "EPERM"] };

/** The Linux version that brought each call of the fd-based API, for ENOSYS messages. */
export const MOUNT_API_SINCE: Readonly<Record<string, string>> = Object.freeze({
  fsopen: "5.2", fspick: "5.2", fsconfig: "5.2", fsmount: "5.2", move_mount: "5.2", open_tree: "5.2",
  mount_setattr: "5.12", statmount: "6.8", listmount: "6.8",
});

const path = (p: unknown, what: string): Uint8Array => v.cstring(p, what);
const orNull = (p: unknown, what: string): Uint8Array | null => (p === null || p === undefined ? null : v.cstring(p, what));
const shown = (p: string | Uint8Array): string => (typeof p === "string" ? p : fsdecode(p));

/** -errno to the call's error; ENOSYS says which Linux brought the call. */
function fail(r: number, call: typeof MOUNT, where?: string | Uint8Array): never {
  const since = MOUNT_API_SINCE[call.syscall];
  const detail = r === -ERRNO.ENOSYS! && since ? `${call.syscall} needs Linux ${since}` : undefined;
  throw errorFor(r, call, where === undefined ? undefined : shown(where), detail);
}
const ok = (r: number, call: typeof MOUNT, where?: string | Uint8Array): number => (r < 0 ? fail(r, call, where) : r);

/**
 * mount(2): attach a filesystem, or with MS_BIND / MS_MOVE / MS_REMOUNT / a propagation
 * flag, change an existing mount. `source`, `fstype` and `data` may be null where the
 * operation ignores them. Needs CAP_SYS_ADMIN in the user namespace owning the caller's
 * mount namespace; acts in the calling thread's mount namespace.
 * @throws {@link PermissionError} EPERM/EACCES; {@link OSError} with another errno mount(2) lists (EBUSY, EINVAL, ENOENT, ENODEV, ENOTBLK, ENAMETOOLONG, ...), its `path` the target; TypeError for a NUL byte in a string, RangeError for unknown flags.
 */
export function mount(
  source: string | Uint8Array | null,
  target: string | Uint8Array,
  fstype: string | Uint8Array | null = null,
  flags = 0,
  data: string | Uint8Array | null = null,
): void {
  // (MS_MGC_VAL | x is a negative number in JS: taken as the u32 it stands for)
  const f = v.int(flags, "flags", -0x80000000, 0xffffffff) >>> 0;
  // the top 16 bits may be the old magic number, which the kernel strips
  const bits = (f & 0xffff0000) >>> 0 === MS_MGC_VAL ? f & 0xffff : f;
  v.flags(bits, "flags", MS_ALL);
  ok(lib().bt_mount(orNull(source, "source"), path(target, "target"), orNull(fstype, "fstype"), BigInt(f), orNull(data, "data")), MOUNT, target);
}

/**
 * umount(2): detach the filesystem mounted at `target` (the top one, if several).
 * @throws {@link OSError} EBUSY (in use), EINVAL (not a mount point), ENOENT, ...; {@link PermissionError} EPERM without CAP_SYS_ADMIN.
 */
export function umount(target: string | Uint8Array): void {
  ok(lib().bt_umount(path(target, "target")), UMOUNT, target);
}

/**
 * umount2(2): umount with flags: MNT_FORCE, MNT_DETACH (lazy), MNT_EXPIRE,
 * UMOUNT_NOFOLLOW. MNT_EXPIRE's first call on an unused mount marks it and throws
 * OSError EAGAIN: that is its protocol, not a failure (a second call, if the mount stayed
 * unused, unmounts it). Use {@link umountExpire} for the protocol as a boolean.
 * @throws {@link OSError} EAGAIN (MNT_EXPIRE marked the mount), EBUSY, EINVAL, ENOENT, ...; {@link PermissionError} EPERM.
 */
export function umount2(target: string | Uint8Array, flags = 0): void {
  ok(lib().bt_umount2(path(target, "target"), v.flags(flags, "flags", UMOUNT_ALL)), UMOUNT2, target);
}

/**
 * MNT_EXPIRE as a question: true when the mount was unmounted (it had been marked by an
 * earlier call and stayed unused), false when this call only marked it (the kernel's
 * EAGAIN). Any other failure throws, as umount2 does.
 * @throws {@link OSError} EBUSY when the mount is in use, EINVAL, ENOENT, ...; {@link PermissionError} EPERM.
 */
export function umountExpire(target: string | Uint8Array, flags = 0): boolean {
  const r = lib().bt_umount2(path(target, "target"), v.flags(flags, "flags", UMOUNT_NOFOLLOW) | MNT_EXPIRE);
  if (r === -ERRNO.EAGAIN!) return false;
  ok(r, UMOUNT2, target);
  return true;
}

/**
 * pivot_root(2): make `newRoot` the root mount of the calling thread's mount namespace
 * and put the old root at `putOld` (under `newRoot`). Threads and processes of the
 * namespace whose root or cwd was the old root move with it. `pivotRoot(".", ".")`
 * stacks the old root on the new one, to be detached with `umount2(".", MNT_DETACH)`.
 * @throws {@link OSError} EBUSY, EINVAL (not a mount point, the old root shared, the initial rootfs, ...), ENOTDIR; {@link PermissionError} EPERM without CAP_SYS_ADMIN.
 */
export function pivotRoot(newRoot: string | Uint8Array, putOld: string | Uint8Array): void {
  ok(lib().bt_pivot_root(path(newRoot, "newRoot"), path(putOld, "putOld")), PIVOT_ROOT, newRoot);
}

/**
 * chdir(2) of the calling thread's filesystem attributes: the process's working directory,
 * or only this thread's once it has its own (after `unshare(CLONE_FS)` or
 * `unshare(CLONE_NEWNS)`). The step after pivotRoot. (Node's process.chdir changes the
 * process's, and Bun keeps its own idea of the cwd.)
 * @throws {@link OSError} ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, ...; {@link PermissionError} EACCES.
 */
export function chdir(dir: string | Uint8Array): void {
  ok(lib().bt_chdir(path(dir, "dir")), CHDIR, dir);
}

/**
 * fsopen(2): a filesystem context for `fsname` ("tmpfs", "ext4", ...), to configure with
 * fsconfig and mount with fsmount. Linux 5.2. Returns the context fd (the caller closes it).
 * @throws {@link OSError} ENODEV (no such filesystem type), ENOSYS (the kernel has no fsopen), ...; {@link PermissionError} EPERM.
 */
export function fsopen(fsname: string | Uint8Array, flags = FSOPEN_CLOEXEC): number {
  return ok(lib().bt_fsopen(path(fsname, "fsname"), v.flags(flags, "flags", FSOPEN_CLOEXEC)), FSOPEN);
}

/**
 * fspick(2): a filesystem context for the superblock mounted at `path`, to reconfigure.
 * Linux 5.2. Returns the context fd.
 * @throws {@link OSError} with an errno fspick lists (EINVAL: not a mount root, ENOENT, ENOSYS, ...); {@link PermissionError} EPERM.
 */
export function fspick(dirfd: number, p: string | Uint8Array, flags = FSPICK_CLOEXEC): number {
  return ok(lib().bt_fspick(atDirfd(dirfd), path(p, "path"), v.flags(flags, "flags", 0xf)), FSPICK, p);
}

/**
 * fsconfig(2): set one parameter of a filesystem context, or run a command on it.
 * `value` is a string (SET_STRING, SET_PATH, SET_PATH_EMPTY), bytes (SET_BINARY, sent
 * with their length as `aux`) or null; `aux` is a dirfd for the path commands, an fd
 * for SET_FD. A failure's explanation is in the context's log (read the fd).
 * @throws {@link OSError} EINVAL (an unknown key or value, or a command out of order), ...; {@link PermissionError} EPERM.
 */
export function fsconfig(fd: number, cmd: number, key: string | null = null, value: string | Uint8Array | null = null, aux = 0): void {
  const c = v.int(cmd, "cmd", 0, 0xffff);
  let a = v.int(aux, "aux", -100, 0x7fffffff);
  let val: Uint8Array | null = null;
  if (value !== null && value !== undefined) {
    if (c === FSCONFIG_SET_BINARY) {
      if (!(value instanceof Uint8Array)) throw new TypeError("fsconfig: FSCONFIG_SET_BINARY takes a Uint8Array value");
      val = value;
      a = value.length;
    } else val = v.cstring(value, "value");
  }
  ok(lib().bt_fsconfig(v.fd(fd), c, orNull(key, "key"), val, a), FSCONFIG);
}

/**
 * fsmount(2): a detached mount of a created context's superblock, with MOUNT_ATTR_*
 * `attrs`; attach it with moveMount. Returns the mount fd.
 * @throws {@link OSError} EINVAL (the context was not created), EBUSY, ...; {@link PermissionError} EPERM.
 */
export function fsmount(fd: number, flags = FSMOUNT_CLOEXEC, attrs = 0): number {
  return ok(lib().bt_fsmount(v.fd(fd), v.flags(flags, "flags", FSMOUNT_CLOEXEC), v.flags(attrs, "attrs", MOUNT_ATTR_ALL)), FSMOUNT);
}

/**
 * move_mount(2): attach (or move) the mount at `from` to `to`. With a mount fd from
 * fsmount or openTree: `moveMount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH)`.
 * @throws {@link OSError} with an errno move_mount lists (EINVAL, ENOENT, EBUSY, ...); {@link PermissionError} EPERM.
 */
export function moveMount(fromDirfd: number, from: string | Uint8Array, toDirfd: number, to: string | Uint8Array, flags = 0): void {
  ok(
    lib().bt_move_mount(atDirfd(fromDirfd, "fromDirfd"), path(from, "from"), atDirfd(toDirfd, "toDirfd"), path(to, "to"), v.flags(flags, "flags", MOVE_MOUNT_ALL)),
    MOVE_MOUNT,
    to,
  );
}

/**
 * open_tree(2): an fd for the mount at `path`; with OPEN_TREE_CLONE (and AT_RECURSIVE) a
 * detached copy, a bind mount ready for moveMount or mountSetattr. Returns the fd.
 * @throws {@link OSError} with an errno open_tree lists; {@link PermissionError} EPERM (OPEN_TREE_CLONE needs CAP_SYS_ADMIN).
 */
export function openTree(dirfd: number, p: string | Uint8Array, flags = OPEN_TREE_CLOEXEC): number {
  return ok(lib().bt_open_tree(atDirfd(dirfd), path(p, "path"), v.flags(flags, "flags", OPEN_TREE_ALL)), OPEN_TREE, p);
}

/** What mount_setattr changes: MOUNT_ATTR_* bits to set and to clear, a propagation type, a user namespace fd for MOUNT_ATTR_IDMAP. */
export interface MountAttr {
  /** MOUNT_ATTR_* bits to set */
  attrSet?: number;
  /** MOUNT_ATTR_* bits to clear (MOUNT_ATTR__ATIME to change the atime mode) */
  attrClr?: number;
  /** 0 (unchanged), MS_SHARED, MS_PRIVATE, MS_SLAVE or MS_UNBINDABLE */
  propagation?: number;
  /** with MOUNT_ATTR_IDMAP in attrSet: the user namespace whose mapping the mount takes */
  usernsFd?: number;
}

/**
 * mount_setattr(2): change a mount's attributes (and with AT_RECURSIVE, a whole tree's:
 * a recursive read-only bind mount, an idmapped mount). Linux 5.12.
 * @throws {@link OSError} EINVAL, EBUSY, ENOSYS (before 5.12), ...; {@link PermissionError} EPERM.
 */
export function mountSetattr(dirfd: number, p: string | Uint8Array, flags: number, attr: MountAttr): void {
  const a = v.options(attr, "attr");
  const prop = v.int(a.propagation ?? 0, "propagation", 0, 0xffffffff);
  if (prop !== 0 && ![MS_SHARED, MS_PRIVATE, MS_SLAVE, MS_UNBINDABLE].includes(prop))
    throw new RangeError("propagation must be 0, MS_SHARED, MS_PRIVATE, MS_SLAVE or MS_UNBINDABLE");
  const r = lib().bt_mount_setattr(
    atDirfd(dirfd),
    path(p, "path"),
    v.flags(flags, "flags", MOUNT_SETATTR_FLAGS),
    BigInt(v.flags(a.attrSet ?? 0, "attrSet", MOUNT_ATTR_ALL)),
    BigInt(v.flags(a.attrClr ?? 0, "attrClr", MOUNT_ATTR_ALL)),
    BigInt(prop),
    BigInt(a.usernsFd === undefined ? 0 : v.fd(a.usernsFd, "usernsFd")),
  );
  ok(r, MOUNT_SETATTR, p);
}

/** What statmount(2) said of one mount. A field is present when `mask` has its bit. */
export interface Statmount {
  /** the STATMOUNT_* bits the kernel filled */
  readonly mask: number;
  /** the filesystem device's major number */
  readonly sbDevMajor?: number;
  /** the filesystem device's minor number */
  readonly sbDevMinor?: number;
  /** the filesystem's magic number (statfs's f_type: TMPFS_MAGIC 0x01021994, ...) */
  readonly sbMagic?: bigint;
  /** SB_RDONLY, SB_SYNCHRONOUS, SB_DIRSYNC, SB_LAZYTIME */
  readonly sbFlags?: number;
  /** the mount's unique 64-bit id (for statmount and listmount) */
  readonly mntId?: bigint;
  /** the unique id of the mount it is mounted on */
  readonly mntParentId?: bigint;
  /** the 32-bit id of /proc/self/mountinfo */
  readonly mntIdOld?: number;
  /** the parent's 32-bit id of /proc/self/mountinfo */
  readonly mntParentIdOld?: number;
  /** MOUNT_ATTR_* */
  readonly mntAttr?: bigint;
  /** MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE (bits) */
  readonly mntPropagation?: bigint;
  /** the shared peer group's id (0: not shared) */
  readonly mntPeerGroup?: bigint;
  /** the peer group it receives from as a slave (0: none) */
  readonly mntMaster?: bigint;
  /** the nearest dominant peer group that propagates to it */
  readonly propagateFrom?: bigint;
  /** the root of the mount within its filesystem ("/" or a bind's subdirectory) */
  readonly mntRoot?: string;
  /** where it is mounted, relative to the caller's root */
  readonly mntPoint?: string;
  /** the filesystem type ("tmpfs") */
  readonly fsType?: string;
  /** the id of its mount namespace */
  readonly mntNsId?: bigint;
  /** the filesystem's options ("size=64k,mode=700") */
  readonly mntOpts?: string;
  /** the filesystem's subtype (fuse's), "" when none */
  readonly fsSubtype?: string;
  /** the superblock's source ("/dev/vda", "tmpfs") */
  readonly sbSource?: string;
}

// the struct is 512 bytes and its strings follow; a mount whose strings do not fit gets
// EOVERFLOW, and the buffer grows (never a silently cut string)
let smBuf: Uint8Array | undefined; // (made at the first call, not at import)
const STATMOUNT_MAX = 1 << 24;
/** Decodes a struct statmount the kernel wrote (its strings follow the fixed part). @internal */
export function decodeStatmount(buf: Uint8Array): Statmount {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const size = dv.getUint32(0, true);
  const mask = Number(dv.getBigUint64(8, true));
  const strBase = 512; // sizeof(struct statmount): the strings start after it
  const str = (off: number): string => {
    const start = strBase + dv.getUint32(off, true);
    const end = buf.indexOf(0, start);
    return fsdecode(buf, start, end < 0 ? Math.min(size, buf.length) : end);
  };
  const out: Record<string, unknown> = { mask };
  if (mask & STATMOUNT_SB_BASIC) {
    out.sbDevMajor = dv.getUint32(16, true);
    out.sbDevMinor = dv.getUint32(20, true);
    out.sbMagic = dv.getBigUint64(24, true);
    out.sbFlags = dv.getUint32(32, true);
  }
  if (mask & STATMOUNT_FS_TYPE) out.fsType = str(36);
  if (mask & STATMOUNT_MNT_BASIC) {
    out.mntId = dv.getBigUint64(40, true);
    out.mntParentId = dv.getBigUint64(48, true);
    out.mntIdOld = dv.getUint32(56, true);
    out.mntParentIdOld = dv.getUint32(60, true);
    out.mntAttr = dv.getBigUint64(64, true);
    out.mntPropagation = dv.getBigUint64(72, true);
    out.mntPeerGroup = dv.getBigUint64(80, true);
    out.mntMaster = dv.getBigUint64(88, true);
  }
  if (mask & STATMOUNT_PROPAGATE_FROM) out.propagateFrom = dv.getBigUint64(96, true);
  if (mask & STATMOUNT_MNT_ROOT) out.mntRoot = str(104);
  if (mask & STATMOUNT_MNT_POINT) out.mntPoint = str(108);
  if (mask & STATMOUNT_MNT_NS_ID) out.mntNsId = dv.getBigUint64(112, true);
  if (mask & STATMOUNT_FS_SUBTYPE) out.fsSubtype = str(120);
  if (mask & STATMOUNT_SB_SOURCE) out.sbSource = str(124);
  if (mask & STATMOUNT_MNT_OPTS) out.mntOpts = str(4);
  return Object.freeze(out) as unknown as Statmount;
}

/**
 * statmount(2): what the kernel knows of the mount with the unique id `mntId` (from
 * listmount, or statmount's own mntId/mntParentId), the STATMOUNT_* fields in `mask`.
 * `nsId` asks in another mount namespace (its id; Linux 6.11). Linux 6.8.
 * @throws {@link OSError} ENOENT (no such mount in the namespace), ENOSYS (before 6.8), EINVAL (an unknown mask bit on this kernel), ...; {@link PermissionError} EPERM.
 */
export function statmount(mntId: bigint, mask: number = STATMOUNT_ALL, opts: { nsId?: bigint } = {}): Statmount {
  const id = v.bigint(mntId, "mntId", 0n, v.U64_MAX);
  const m = v.flags(mask, "mask", STATMOUNT_ALL);
  const ns = v.bigint(v.options(opts).nsId ?? 0n, "nsId", 0n, v.U64_MAX);
  let buf = (smBuf ??= new Uint8Array(4096));
  for (;;) {
    buf.fill(0, 0, 512);
    const r = lib().bt_statmount(id, BigInt(m), ns, buf, buf.length, 0);
    if (r === -ERRNO.EOVERFLOW! && buf.length < STATMOUNT_MAX) {
      buf = new Uint8Array(buf.length * 4); // for this call; the shared one stays small
      continue;
    }
    ok(r, STATMOUNT);
    return decodeStatmount(buf);
  }
}

/**
 * listmount(2): the unique ids of the mounts under `mntId` (LSMT_ROOT: the namespace's
 * root), in order, all of them (the call is repeated from the last id until the kernel
 * has no more). `nsId` lists another mount namespace (Linux 6.11). Linux 6.8.
 * @throws {@link OSError} ENOENT, ENOSYS (before 6.8), EINVAL, ...; {@link PermissionError} EPERM.
 */
export function listmount(mntId: bigint = LSMT_ROOT, opts: { nsId?: bigint; flags?: number } = {}): bigint[] {
  const o = v.options(opts);
  const id = v.bigint(mntId, "mntId", 0n, v.U64_MAX);
  const ns = v.bigint(o.nsId ?? 0n, "nsId", 0n, v.U64_MAX);
  const flags = v.flags(o.flags ?? 0, "flags", LISTMOUNT_REVERSE);
  const out: bigint[] = [];
  const ids = new BigUint64Array(512);
  let last = 0n;
  for (;;) {
    const n = ok(lib().bt_listmount(id, last, ns, ids, ids.length, flags), LISTMOUNT);
    for (let i = 0; i < n; i++) out.push(ids[i]!);
    if (n < ids.length) return out;
    last = ids[n - 1]!;
  }
}
