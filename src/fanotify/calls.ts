/**
 * fanotify(7), 1:1: fanotify_init(2), fanotify_mark(2), the read(2) of a group with every
 * event metadata and info record decoded, the write(2) of a permission response (with
 * its audit-rule record), name_to_handle_at(2) and open_by_handle_at(2), and every FAN_*
 * constant of the uapi header of Linux 6.18.
 */
import { helpers } from "../../bunffi/load.ts";
import { check, errorFor, shortTransfer, OSError, EINTR, type CallSpec } from "../core/errors.ts";
import { ERRNO } from "../core/errno.ts";
import { fsdecode } from "../core/fsname.ts";
import { readInto } from "../core/io.ts";
import { scratch } from "../core/scratch.ts";
import { drainAnswer as answerThroughDrain, type Drain } from "../core/drain.ts";
import * as v from "../core/validate.ts";
import { AT_FDCWD, AT_EMPTY_PATH, AT_SYMLINK_FOLLOW, dirfd as atDirfd } from "../core/at.ts";

const lib = helpers("fanotify.c", {
  bt_fanotify_init: { args: ["i32", "i32"], returns: "i32" },
  bt_fanotify_mark: { args: ["i32", "i32", "i32", "i32", "i32", "ptr"], returns: "i32" },
  bt_name_to_handle_at: { args: ["i32", "ptr", "ptr", "ptr", "i32"], returns: "i32" },
  bt_open_by_handle_at: { args: ["i32", "ptr", "i32"], returns: "i32" },
  bt_fd_path: { args: ["i32", "ptr", "i32"], returns: "i32" },
  bt_fanotify_write: { args: ["i32", "ptr", "i32"], returns: "i32" },
});

// ---- events (the mask of a mark, and of an event) ----
/** Event: a file or directory was read. fanotify_mark(2). */
export const FAN_ACCESS = 0x00000001;
/** Event: a file was modified. fanotify_mark(2). */
export const FAN_MODIFY = 0x00000002;
/** Event: metadata changed (needs a FID group; Linux 5.1). fanotify_mark(2). */
export const FAN_ATTRIB = 0x00000004;
/** Event: a file opened for writing was closed. fanotify_mark(2). */
export const FAN_CLOSE_WRITE = 0x00000008;
/** Event: a file or directory not opened for writing was closed. fanotify_mark(2). */
export const FAN_CLOSE_NOWRITE = 0x00000010;
/** Event: a file or directory was opened. fanotify_mark(2). */
export const FAN_OPEN = 0x00000020;
/** Event: a name was moved out of a marked directory (FID group; Linux 5.1). fanotify_mark(2). */
export const FAN_MOVED_FROM = 0x00000040;
/** Event: a name was moved into a marked directory (FID group; Linux 5.1). fanotify_mark(2). */
export const FAN_MOVED_TO = 0x00000080;
/** Event: a name was created in a marked directory (FID group; Linux 5.1). fanotify_mark(2). */
export const FAN_CREATE = 0x00000100;
/** Event: a name was deleted from a marked directory (FID group; Linux 5.1). fanotify_mark(2). */
export const FAN_DELETE = 0x00000200;
/** Event: the marked object itself was deleted (FID group; Linux 5.1). fanotify_mark(2). */
export const FAN_DELETE_SELF = 0x00000400;
/** Event: the marked object itself was moved (FID group; Linux 5.1). fanotify_mark(2). */
export const FAN_MOVE_SELF = 0x00000800;
/** Event: a file was opened to be executed (Linux 5.0). fanotify_mark(2). */
export const FAN_OPEN_EXEC = 0x00001000;
/** Reported only: the group's queue overflowed and events were lost. fanotify(7). */
export const FAN_Q_OVERFLOW = 0x00004000;
/** Event: a filesystem reported an error (filesystem marks of a FID group; Linux 5.16). fanotify_mark(2). */
export const FAN_FS_ERROR = 0x00008000;
/** Permission event: an open waits for the group's answer. fanotify_mark(2). */
export const FAN_OPEN_PERM = 0x00010000;
/** Permission event: a read waits for the group's answer. fanotify_mark(2). */
export const FAN_ACCESS_PERM = 0x00020000;
/** Permission event: an open for execution waits for the group's answer (Linux 5.0). fanotify_mark(2). */
export const FAN_OPEN_EXEC_PERM = 0x00040000;
/** Permission event: an access to a file's content waits, before it is filled (pre-content groups; Linux 6.14). */
export const FAN_PRE_ACCESS = 0x00100000;
/** Event: a mount was attached to a marked mount namespace (FAN_REPORT_MNT groups; Linux 6.15). */
export const FAN_MNT_ATTACH = 0x01000000;
/** Event: a mount was detached from a marked mount namespace (FAN_REPORT_MNT groups; Linux 6.15). */
export const FAN_MNT_DETACH = 0x02000000;
/** Mask bit: events of a marked directory's children too (inode marks). fanotify_mark(2). */
export const FAN_EVENT_ON_CHILD = 0x08000000;
/** Event: a name was renamed, with its old and new directories and names (Linux 5.17). fanotify_mark(2). */
export const FAN_RENAME = 0x10000000;
/** Mask bit: events about directories too; in an event, the subject is a directory. fanotify_mark(2). */
export const FAN_ONDIR = 0x40000000;
/** FAN_CLOSE_WRITE | FAN_CLOSE_NOWRITE. */
export const FAN_CLOSE = FAN_CLOSE_WRITE | FAN_CLOSE_NOWRITE;
/** FAN_MOVED_FROM | FAN_MOVED_TO. */
export const FAN_MOVE = FAN_MOVED_FROM | FAN_MOVED_TO;

// ---- fanotify_init flags ----
/** fanotify_init(2) flag: close-on-exec (butter's objects always set it). */
export const FAN_CLOEXEC = 0x00000001;
/** fanotify_init(2) flag: reads say EAGAIN instead of blocking. */
export const FAN_NONBLOCK = 0x00000002;
/** fanotify_init(2) class: notification only (the default, 0). */
export const FAN_CLASS_NOTIF = 0x00000000;
/** fanotify_init(2) class: permission events, after the content is final. */
export const FAN_CLASS_CONTENT = 0x00000004;
/** fanotify_init(2) class: permission events before the content is final (an HSM). */
export const FAN_CLASS_PRE_CONTENT = 0x00000008;
/** fanotify_init(2) flag: no limit on the queue (CAP_SYS_ADMIN). */
export const FAN_UNLIMITED_QUEUE = 0x00000010;
/** fanotify_init(2) flag: no limit on marks (CAP_SYS_ADMIN). */
export const FAN_UNLIMITED_MARKS = 0x00000020;
/** fanotify_init(2) flag: FAN_AUDIT responses are allowed (Linux 4.15). */
export const FAN_ENABLE_AUDIT = 0x00000040;
/** fanotify_init(2) flag: each event carries a pidfd record for its process (Linux 5.15). */
export const FAN_REPORT_PIDFD = 0x00000080;
/** fanotify_init(2) flag: `pid` is the thread's id (Linux 4.20). */
export const FAN_REPORT_TID = 0x00000100;
/** fanotify_init(2) flag: events carry a file handle record instead of an fd (Linux 5.1). */
export const FAN_REPORT_FID = 0x00000200;
/** fanotify_init(2) flag: events carry the directory's file handle (Linux 5.9). */
export const FAN_REPORT_DIR_FID = 0x00000400;
/** fanotify_init(2) flag: events carry the entry's name (with FAN_REPORT_DIR_FID; Linux 5.9). */
export const FAN_REPORT_NAME = 0x00000800;
/** fanotify_init(2) flag: events carry the entry's own handle too (Linux 5.17). */
export const FAN_REPORT_TARGET_FID = 0x00001000;
/** fanotify_init(2) flag: an event whose fd could not be opened carries -errno in `fd` (Linux 6.13). */
export const FAN_REPORT_FD_ERROR = 0x00002000;
/** fanotify_init(2) flag: mount events with a mount id record (Linux 6.15). */
export const FAN_REPORT_MNT = 0x00004000;
/** FAN_REPORT_DIR_FID | FAN_REPORT_NAME. */
export const FAN_REPORT_DFID_NAME = FAN_REPORT_DIR_FID | FAN_REPORT_NAME;
/** FAN_REPORT_DFID_NAME | FAN_REPORT_FID | FAN_REPORT_TARGET_FID. */
export const FAN_REPORT_DFID_NAME_TARGET = FAN_REPORT_DFID_NAME | FAN_REPORT_FID | FAN_REPORT_TARGET_FID;

// ---- fanotify_mark flags ----
/** fanotify_mark(2): add the mask to the mark. */
export const FAN_MARK_ADD = 0x00000001;
/** fanotify_mark(2): remove the mask from the mark. */
export const FAN_MARK_REMOVE = 0x00000002;
/** fanotify_mark(2): do not follow a symbolic link at the end of the path. */
export const FAN_MARK_DONT_FOLLOW = 0x00000004;
/** fanotify_mark(2): fail with ENOTDIR unless the path is a directory. */
export const FAN_MARK_ONLYDIR = 0x00000008;
/** fanotify_mark(2): the mask is an ignore mask (the old form; see FAN_MARK_IGNORE). */
export const FAN_MARK_IGNORED_MASK = 0x00000020;
/** fanotify_mark(2): the ignore mask survives a modification of the file. */
export const FAN_MARK_IGNORED_SURV_MODIFY = 0x00000040;
/** fanotify_mark(2): remove every mark of the kind (inode, mount or filesystem). */
export const FAN_MARK_FLUSH = 0x00000080;
/** fanotify_mark(2): an inode mark the kernel may drop when the inode leaves the cache (Linux 5.19). */
export const FAN_MARK_EVICTABLE = 0x00000200;
/** fanotify_mark(2): the mask is an ignore mask that also covers directories and children (Linux 6.0). */
export const FAN_MARK_IGNORE = 0x00000400;
/** fanotify_mark(2) mark type: the inode at the path (the default, 0). */
export const FAN_MARK_INODE = 0x00000000;
/** fanotify_mark(2) mark type: the mount the path is on. */
export const FAN_MARK_MOUNT = 0x00000010;
/** fanotify_mark(2) mark type: the filesystem the path is on (Linux 4.20). */
export const FAN_MARK_FILESYSTEM = 0x00000100;
/** fanotify_mark(2) mark type: the mount namespace of the nsfs path (Linux 6.15). */
export const FAN_MARK_MNTNS = 0x00000110;
/** FAN_MARK_IGNORE | FAN_MARK_IGNORED_SURV_MODIFY (what non-inode ignore marks need). */
export const FAN_MARK_IGNORE_SURV = FAN_MARK_IGNORE | FAN_MARK_IGNORED_SURV_MODIFY;

// ---- records and responses ----
/** The metadata version this decoder reads (`vers`). fanotify(7). */
export const FANOTIFY_METADATA_VERSION = 3;
/** sizeof(struct fanotify_event_metadata). */
export const FAN_EVENT_METADATA_LEN = 24;
/** Info record: the object's file handle. fanotify(7). */
export const FAN_EVENT_INFO_TYPE_FID = 1;
/** Info record: the directory's file handle and the entry's name. fanotify(7). */
export const FAN_EVENT_INFO_TYPE_DFID_NAME = 2;
/** Info record: the directory's file handle. fanotify(7). */
export const FAN_EVENT_INFO_TYPE_DFID = 3;
/** Info record: a pidfd of the event's process (Linux 5.15). fanotify(7). */
export const FAN_EVENT_INFO_TYPE_PIDFD = 4;
/** Info record: a filesystem error and its count (Linux 5.16). fanotify(7). */
export const FAN_EVENT_INFO_TYPE_ERROR = 5;
/** Info record: the range a pre-content event is about (Linux 6.14). */
export const FAN_EVENT_INFO_TYPE_RANGE = 6;
/** Info record: the mount id of a mount event (Linux 6.15). */
export const FAN_EVENT_INFO_TYPE_MNT = 7;
/** Info record of FAN_RENAME: the old directory and name (Linux 5.17). */
export const FAN_EVENT_INFO_TYPE_OLD_DFID_NAME = 10;
/** Info record of FAN_RENAME: the new directory and name (Linux 5.17). */
export const FAN_EVENT_INFO_TYPE_NEW_DFID_NAME = 12;
/** Response: let the access go on. fanotify(7). */
export const FAN_ALLOW = 0x01;
/** Response: refuse the access (EPERM, or the errno FAN_DENY_ERRNO gives). fanotify(7). */
export const FAN_DENY = 0x02;
/** Response bit: write an audit record of the decision (groups made with FAN_ENABLE_AUDIT). */
export const FAN_AUDIT = 0x10;
/** Response bit: an info record follows the response (Linux 6.3). */
export const FAN_INFO = 0x20;
/** How many bits of a response carry a deny's errno (FAN_DENY_ERRNO). */
export const FAN_ERRNO_BITS = 8;
/** 24: where a deny's errno starts in a response (32 less FAN_ERRNO_BITS). */
export const FAN_ERRNO_SHIFT = 32 - FAN_ERRNO_BITS;
/** 255: the mask of a deny's errno, 2 to the FAN_ERRNO_BITS less one. */
export const FAN_ERRNO_MASK = (1 << FAN_ERRNO_BITS) - 1;
/** Response info record type: none. */
export const FAN_RESPONSE_INFO_NONE = 0;
/** Response info record type: an audit rule (Linux 6.3). */
export const FAN_RESPONSE_INFO_AUDIT_RULE = 1;
/** An event's `fd` when it has none (FID groups, overflow). */
export const FAN_NOFD = -1;
/** A pidfd record's value when the process had already exited. */
export const FAN_NOPIDFD = -1;
/** A pidfd record's value when the pidfd could not be made. */
export const FAN_EPIDFD = -2;
/** name_to_handle_at(2) flag: a handle to identify, not to open (Linux 6.5). */
export const AT_HANDLE_FID = 0x200;
/** name_to_handle_at(2) flag: the mount id is the unique 64-bit one (Linux 6.12). */
export const AT_HANDLE_MNT_ID_UNIQUE = 0x001;
/** MAX_HANDLE_SZ: the largest file handle. */
export const MAX_HANDLE_SZ = 128;

/**
 * FAN_DENY_ERRNO(err): a deny whose refused call fails with `err` instead of EPERM
 * (Linux 6.14, pre-content groups; the kernel takes EIO, EPERM, EBUSY, ETXTBSY, EAGAIN,
 * ENOSPC, EDQUOT).
 */
export function FAN_DENY_ERRNO(err: number): number {
  return (FAN_DENY | ((v.int(err, "err", 0, FAN_ERRNO_MASK) & FAN_ERRNO_MASK) << FAN_ERRNO_SHIFT)) >>> 0;
}

const INIT_FLAGS =
  FAN_CLOEXEC | FAN_NONBLOCK | FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT | FAN_UNLIMITED_QUEUE | FAN_UNLIMITED_MARKS |
  FAN_ENABLE_AUDIT | FAN_REPORT_PIDFD | FAN_REPORT_TID | FAN_REPORT_FID | FAN_REPORT_DIR_FID | FAN_REPORT_NAME |
  FAN_REPORT_TARGET_FID | FAN_REPORT_FD_ERROR | FAN_REPORT_MNT;
const MARK_FLAGS =
  FAN_MARK_ADD | FAN_MARK_REMOVE | FAN_MARK_DONT_FOLLOW | FAN_MARK_ONLYDIR | FAN_MARK_IGNORED_MASK |
  FAN_MARK_IGNORED_SURV_MODIFY | FAN_MARK_FLUSH | FAN_MARK_EVICTABLE | FAN_MARK_IGNORE | FAN_MARK_MNTNS;
/** The permission events: each waits for one answer. */
export const FAN_PERM_EVENTS = FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_OPEN_EXEC_PERM | FAN_PRE_ACCESS;

/** Every event bit by name, in bit order: what `fanotifyFlagNames` spells. */
// (an object, not an array of pairs: freezing an array at import costs JSC 0.2-0.3 ms
// the first time, docs/benchmarks.md)
export const FAN_EVENT_BITS: Readonly<Record<string, number>> = Object.freeze({
  FAN_ACCESS, FAN_MODIFY, FAN_ATTRIB, FAN_CLOSE_WRITE, FAN_CLOSE_NOWRITE, FAN_OPEN, FAN_MOVED_FROM,
  FAN_MOVED_TO, FAN_CREATE, FAN_DELETE, FAN_DELETE_SELF, FAN_MOVE_SELF, FAN_OPEN_EXEC, FAN_Q_OVERFLOW,
  FAN_FS_ERROR, FAN_OPEN_PERM, FAN_ACCESS_PERM, FAN_OPEN_EXEC_PERM, FAN_PRE_ACCESS, FAN_MNT_ATTACH,
  FAN_MNT_DETACH, FAN_EVENT_ON_CHILD, FAN_RENAME, FAN_ONDIR,
});

/** The names of the bits set in an event mask, e.g. ["FAN_CREATE", "FAN_ONDIR"]. */
export function fanotifyFlagNames(mask: number): string[] {
  const out: string[] = [];
  for (const name in FAN_EVENT_BITS) if (Math.floor(mask / FAN_EVENT_BITS[name]!) % 2 === 1) out.push(name);
  return out;
}

export const FANOTIFY_INIT: CallSpec = { syscall: "fanotify_init", errnos: ["EINVAL", "EMFILE", "ENFILE", "ENOMEM", "ENOSYS", "EPERM"] };
export const FANOTIFY_MARK: CallSpec = { syscall: "fanotify_mark", errnos: [
  "EBADF", "EEXIST", "EINVAL", "EISDIR", "ENODEV", "ENOENT", "ENOMEM", "ENOSPC", "ENOSYS", "ENOTDIR", "EOPNOTSUPP", "EPERM", "EXDEV",
] };
// read(2) of a fanotify group: fanotify(7) adds EINVAL (buffer too small), EMFILE/ENFILE
// (no fd for an event), ETXTBSY (an fd for writing to a running executable), EPERM.
export const FANOTIFY_READ: CallSpec = { syscall: "read", family: "fanotify", errnos: ["EAGAIN", "EBADF", "EFAULT", "EINTR", "EINVAL", "EIO", "EISDIR", "EMFILE", "ENFILE", "ETXTBSY", "EPERM"] };
// readlink(2) of an event fd's /proc/self/fd entry: its path.
export const FANOTIFY_PATH: CallSpec = { syscall: "readlink", family: "fanotify", errnos: ["EACCES", "EBADF", "EFAULT", "EINVAL", "EIO", "ELOOP", "ENAMETOOLONG", "ENOENT", "ENOMEM", "ENOTDIR"] };
// write(2) of a response: fanotify(7) adds ENOENT (no such pending event) and EINVAL.
export const FANOTIFY_RESPONSE: CallSpec = { syscall: "write", family: "fanotify", errnos: ["EAGAIN", "EBADF", "EDESTADDRREQ", "EDQUOT", "EFAULT", "EFBIG", "EINTR", "EINVAL", "EIO", "ENOENT", "ENOSPC", "EPERM", "EPIPE"] };
// name_to_handle_at(2) and open_by_handle_at(2) share a page and its ERRORS; the path
// lookup's errnos (EACCES, ENAMETOOLONG, ENOMEM) and an open's (EMFILE, ENFILE) besides.
const HANDLE_ERRNOS = ["EBADF", "EFAULT", "EINVAL", "ELOOP", "ENOENT", "ENOTDIR", "EOPNOTSUPP", "EOVERFLOW", "EPERM", "ESTALE", "EACCES", "ENAMETOOLONG", "ENOMEM"];
export const NAME_TO_HANDLE_AT: CallSpec = { syscall: "name_to_handle_at", errnos: HANDLE_ERRNOS };
export const OPEN_BY_HANDLE_AT: CallSpec = { syscall: "open_by_handle_at", errnos: [...HANDLE_ERRNOS, "EMFILE", "ENFILE"] };

/** Splits a mask into the two 32-bit halves the helper takes. */
function halves(mask: number): [number, number] {
  return [mask % 0x100000000 | 0, Math.floor(mask / 0x100000000) | 0];
}

/**
 * fanotify_init(2): a new fanotify group. `flags`: a class (FAN_CLASS_NOTIF, _CONTENT,
 * _PRE_CONTENT), FAN_CLOEXEC, FAN_NONBLOCK, FAN_UNLIMITED_*, FAN_ENABLE_AUDIT, FAN_REPORT_*.
 * `eventFFlags`: the open(2) flags of each event's fd (O_RDONLY = 0, O_LARGEFILE, O_CLOEXEC, ...).
 * Close-on-exec by default (FAN_CLOEXEC is in the default `flags`).
 * @throws {@link OSError} with an errno fanotify_init(2) lists; {@link PermissionError} EPERM
 * (permission classes and fd-reporting groups need CAP_SYS_ADMIN); RangeError for unknown flags.
 */
export function fanotifyInit(flags: number = FAN_CLOEXEC, eventFFlags: number = 0): number {
  const f = v.flags(flags, "flags", INIT_FLAGS);
  const e = v.int(eventFFlags, "eventFFlags", 0, 0x7fffffff);
  return check(lib().bt_fanotify_init(f, e), FANOTIFY_INIT);
}

/**
 * fanotify_mark(2): adds, removes or flushes a mark on the inode, mount, filesystem or
 * mount namespace at `path` (relative to `dirfd`; with no path, `dirfd` itself).
 * `mask`: FAN_* event bits (FAN_ONDIR, FAN_EVENT_ON_CHILD may be or-ed in).
 * @throws {@link OSError} with an errno fanotify_mark(2) lists (path named); TypeError or
 * RangeError for a bad path (a NUL byte) or flags.
 */
export function fanotifyMark(
  fd: number,
  flags: number,
  mask: number,
  dirfd: number = AT_FDCWD,
  path?: string | Uint8Array,
): void {
  const f = v.flags(flags, "flags", MARK_FLAGS);
  const m = v.int(mask, "mask", 0, Number.MAX_SAFE_INTEGER);
  const d = atDirfd(dirfd);
  const bytes = path === undefined ? null : v.cstring(path, "path");
  const [lo, hi] = halves(m);
  const r = lib().bt_fanotify_mark(v.fd(fd), f, lo, hi, d, bytes);
  if (r < 0) throw errorFor(r, FANOTIFY_MARK, path === undefined ? undefined : typeof path === "string" ? path : fsdecode(path));
}

/** A file handle, as name_to_handle_at(2) gives it and open_by_handle_at(2) takes it. */
export interface FileHandle {
  /** the filesystem's handle type */
  readonly type: number;
  /** the opaque handle bytes */
  readonly bytes: Uint8Array;
}

/** What name_to_handle_at(2) returns. */
export interface NameToHandleResult {
  /** the file's handle */
  readonly handle: FileHandle;
  /** the mount id: an int, or the unique 64-bit one (a bigint) with AT_HANDLE_MNT_ID_UNIQUE */
  readonly mountId: number | bigint;
}

/** A file handle's key for maps: its type, and its bytes one char each (cheap to build). */
export function handleKey(h: FileHandle): string {
  return keyOf(h.type, h.bytes, 0, h.bytes.length);
}

/** handleKey of a handle of `type` whose bytes are `bytes[start, end)`. */
function keyOf(type: number, bytes: Uint8Array, start: number, end: number): string {
  let key = `${type}:`;
  for (let i = start; i < end; i++) key += String.fromCharCode(bytes[i]!);
  return key;
}

/**
 * name_to_handle_at(2): the file handle and mount id of `path` (relative to `dirfd`).
 * `flags`: AT_SYMLINK_FOLLOW, AT_EMPTY_PATH, AT_HANDLE_FID, AT_HANDLE_MNT_ID_UNIQUE.
 * @throws {@link OSError} with an errno name_to_handle_at(2) lists (EOPNOTSUPP: the
 * filesystem has no handles), path named.
 */
export function nameToHandleAt(dirfd: number, path: string | Uint8Array, flags = 0): NameToHandleResult {
  const d = atDirfd(dirfd);
  const bytes = v.cstring(path, "path");
  const f = v.flags(flags, "flags", AT_SYMLINK_FOLLOW | AT_EMPTY_PATH | AT_HANDLE_FID | AT_HANDLE_MNT_ID_UNIQUE);
  const buf = new Uint8Array(8 + MAX_HANDLE_SZ);
  const words = new DataView(buf.buffer);
  words.setUint32(0, MAX_HANDLE_SZ, true);
  const mnt = new Uint8Array(8);
  const r = lib().bt_name_to_handle_at(d, bytes, buf, mnt, f);
  if (r < 0) throw errorFor(r, NAME_TO_HANDLE_AT, typeof path === "string" ? path : fsdecode(path));
  const len = words.getUint32(0, true);
  const m = new DataView(mnt.buffer);
  return {
    handle: { type: words.getInt32(4, true), bytes: buf.slice(8, 8 + len) },
    mountId: (f & AT_HANDLE_MNT_ID_UNIQUE) !== 0 ? m.getBigUint64(0, true) : m.getInt32(0, true),
  };
}

/** struct file_handle's bytes for a handle. */
function packHandle(h: FileHandle): Uint8Array {
  if (typeof h !== "object" || h === null || !(h.bytes instanceof Uint8Array)) {
    throw new TypeError("handle must be a { type, bytes } file handle");
  }
  v.int(h.type, "handle.type", -0x80000000, 0x7fffffff);
  if (h.bytes.length > MAX_HANDLE_SZ) throw new RangeError(`handle.bytes is ${h.bytes.length} bytes; the limit is ${MAX_HANDLE_SZ}`);
  const buf = new Uint8Array(8 + h.bytes.length);
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, h.bytes.length, true);
  dv.setInt32(4, h.type, true);
  buf.set(h.bytes, 8);
  return buf;
}

/**
 * open_by_handle_at(2): opens the file a handle names, on the filesystem `mountFd` is on
 * (any fd there, an O_PATH one will do). `flags` are open(2)'s (O_PATH, O_RDONLY, ...);
 * O_CLOEXEC is the caller's. Needs CAP_DAC_READ_SEARCH.
 * @throws {@link OSError} with an errno open_by_handle_at(2) lists (ESTALE: the file is gone),
 * {@link PermissionError} EPERM without the capability.
 */
export function openByHandleAt(mountFd: number, handle: FileHandle, flags: number): number {
  const h = packHandle(handle);
  return check(lib().bt_open_by_handle_at(v.fd(mountFd, "mountFd"), h, v.int(flags, "flags", 0, 0x7fffffff)), OPEN_BY_HANDLE_AT);
}

// ---- events and their records ----

/** A file handle record (FID, DFID, DFID_NAME, OLD_DFID_NAME, NEW_DFID_NAME). */
export interface FanotifyFidRecord {
  /** which record: the object's handle, its directory's, or the directory's and the entry's name */
  readonly type: "fid" | "dfid" | "dfid_name" | "old_dfid_name" | "new_dfid_name";
  /** the filesystem's id (statfs's f_fsid), its two 32-bit words as one unsigned 64-bit value */
  readonly fsid: bigint;
  /** the file handle (open_by_handle_at(2) takes it) */
  readonly handle: FileHandle;
  /** the entry's name in the directory (the *_name records; "." for the directory itself) */
  readonly name?: string;
}
/** A pidfd record: a pidfd of the event's process, or FAN_NOPIDFD / FAN_EPIDFD. */
export interface FanotifyPidfdRecord {
  /** "pidfd" */
  readonly type: "pidfd";
  /** the pidfd (the reader's to close), FAN_NOPIDFD or FAN_EPIDFD */
  readonly pidfd: number;
}
/** A filesystem error record (FAN_FS_ERROR). */
export interface FanotifyErrorRecord {
  /** "error" */
  readonly type: "error";
  /** the first error's errno */
  readonly error: number;
  /** how many errors since the event was queued */
  readonly count: number;
}
/** The range of a pre-content event. */
export interface FanotifyRangeRecord {
  /** "range" */
  readonly type: "range";
  /** where the access starts */
  readonly offset: bigint;
  /** how many bytes it covers */
  readonly count: bigint;
}
/** The mount id of a mount event. */
export interface FanotifyMntRecord {
  /** "mnt" */
  readonly type: "mnt";
  /** the unique 64-bit mount id (statmount(2)'s) */
  readonly mntId: bigint;
}
/** A record type this decoder does not know (a newer kernel's), kept as bytes. */
export interface FanotifyUnknownRecord {
  /** "unknown" */
  readonly type: "unknown";
  /** the record's info_type */
  readonly infoType: number;
  /** the whole record, its header included */
  readonly bytes: Uint8Array;
}
/** One info record after an event's metadata. */
export type FanotifyRecord =
  | FanotifyFidRecord
  | FanotifyPidfdRecord
  | FanotifyErrorRecord
  | FanotifyRangeRecord
  | FanotifyMntRecord
  | FanotifyUnknownRecord;

/** One `struct fanotify_event_metadata` and its records, as the kernel wrote them. */
export interface RawFanotifyEvent {
  /** the FAN_* bits of the event */
  readonly mask: number;
  /** the event's open fd (the caller's to close), FAN_NOFD, or -errno with FAN_REPORT_FD_ERROR */
  readonly fd: number;
  /** the process (or thread, with FAN_REPORT_TID) that caused it; 0 if it was in another pid namespace */
  readonly pid: number;
  /** the info records after the metadata, in the kernel's order */
  readonly records: readonly FanotifyRecord[];
}

const FID_TYPES: Record<number, FanotifyFidRecord["type"]> = {
  [FAN_EVENT_INFO_TYPE_FID]: "fid",
  [FAN_EVENT_INFO_TYPE_DFID]: "dfid",
  [FAN_EVENT_INFO_TYPE_DFID_NAME]: "dfid_name",
  [FAN_EVENT_INFO_TYPE_OLD_DFID_NAME]: "old_dfid_name",
  [FAN_EVENT_INFO_TYPE_NEW_DFID_NAME]: "new_dfid_name",
};

/**
 * Checks the info record headers of one event, `buf[start, end)`: each says a length that
 * fits, and a file handle record holds its handle. Nothing is allocated; a damaged record
 * is an OSError EIO naming the fd, never a dropped tail.
 */
function checkRecords(buf: Uint8Array, dv: DataView, start: number, end: number, fd: number): void {
  for (let off = start; off < end; ) {
    if (end - off < 4) throw shortTransfer(FANOTIFY_READ, fd, end - off, 4, "a fanotify info record header");
    const len = dv.getUint16(off + 2, true);
    if (len < 4 || off + len > end) throw shortTransfer(FANOTIFY_READ, fd, end - off, Math.max(len, 4), "a fanotify info record");
    if (FID_TYPES[buf[off]!] !== undefined) {
      const hb = len >= 20 ? dv.getUint32(off + 12, true) : Infinity;
      if (20 + hb > len) throw shortTransfer(FANOTIFY_READ, fd, len, 20 + Math.min(hb, 0xffff), "a fanotify file handle record");
    }
    off += len;
  }
}

/** Where the first record of `type` starts in `buf[start, end)` (checked), or -1. */
export function findRecord(buf: Uint8Array, start: number, end: number, type: number): number {
  for (let off = start; off < end; off += buf[off + 2]! | (buf[off + 3]! << 8)) if (buf[off] === type) return off;
  return -1;
}

/** The name of the *_DFID_NAME record at `off` (checked). */
export function recordName(buf: Uint8Array, off: number): string {
  const len = buf[off + 2]! | (buf[off + 3]! << 8);
  const from = off + 20 + (buf[off + 12]! | (buf[off + 13]! << 8) | (buf[off + 14]! << 16) | (buf[off + 15]! << 24));
  let stop = from;
  while (stop < off + len && buf[stop] !== 0) stop++;
  return fsdecode(buf, from, stop);
}

/** The map key (handleKey) of the file handle of the record at `off` (checked), without decoding it. */
export function recordHandleKey(buf: Uint8Array, off: number): string {
  const hb = buf[off + 12]! | (buf[off + 13]! << 8);
  const type = buf[off + 16]! | (buf[off + 17]! << 8) | (buf[off + 18]! << 16) | (buf[off + 19]! << 24);
  return keyOf(type, buf, off + 20, off + 20 + hb);
}

/** Decodes the info records of one event, `buf[start, end)`, checked by checkRecords. */
export function decodeRecords(buf: Uint8Array, start: number, end: number): FanotifyRecord[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: FanotifyRecord[] = [];
  for (let off = start; off < end; ) {
    const type = buf[off]!;
    const len = dv.getUint16(off + 2, true);
    const fid = FID_TYPES[type];
    if (fid !== undefined) {
      const hb = dv.getUint32(off + 12, true);
      const hstart = off + 20;
      // (__kernel_fsid_t's two ints, little-endian, are one u64)
      const fsid = dv.getBigUint64(off + 4, true);
      const handle = { type: dv.getInt32(off + 16, true), bytes: buf.slice(hstart, hstart + hb) };
      if (fid.endsWith("_name")) out.push({ type: fid, fsid, handle, name: recordName(buf, off) });
      else out.push({ type: fid, fsid, handle });
    } else if (type === FAN_EVENT_INFO_TYPE_PIDFD && len >= 8) {
      out.push({ type: "pidfd", pidfd: dv.getInt32(off + 4, true) });
    } else if (type === FAN_EVENT_INFO_TYPE_ERROR && len >= 12) {
      out.push({ type: "error", error: dv.getInt32(off + 4, true), count: dv.getUint32(off + 8, true) });
    } else if (type === FAN_EVENT_INFO_TYPE_RANGE && len >= 24) {
      out.push({ type: "range", offset: dv.getBigUint64(off + 8, true), count: dv.getBigUint64(off + 16, true) });
    } else if (type === FAN_EVENT_INFO_TYPE_MNT && len >= 12) {
      out.push({ type: "mnt", mntId: dv.getBigUint64(off + 4, true) });
    } else {
      out.push({ type: "unknown", infoType: type, bytes: buf.slice(off, off + len) });
    }
    off += len;
  }
  return out;
}

/**
 * Walks the `n` bytes of one read(2) of `fd`, event by event, checking each one's
 * metadata and record headers, and builds each with `make` from its fields and where its
 * records lie in `buf` (records are decoded only by whoever needs them: decodeRecords).
 * `reserved` is the metadata's reserved byte: 0 from the kernel; butter's drain marks
 * answered permission events there. A truncated event or record, a metadata version this
 * decoder does not know, or end of file is an OSError naming the fd, never a dropped tail.
 */
export function walkFanotifyEvents<T>(
  buf: Uint8Array,
  n: number,
  make: (mask: number, fd: number, pid: number, recStart: number, recEnd: number, reserved: number) => T,
  fd = -1,
): T[] {
  if (n === 0) throw shortTransfer(FANOTIFY_READ, fd, 0, FAN_EVENT_METADATA_LEN, "a fanotify event");
  const dv = new DataView(buf.buffer, buf.byteOffset, n);
  const out: T[] = [];
  let off = 0;
  while (off < n) {
    if (n - off < FAN_EVENT_METADATA_LEN) throw shortTransfer(FANOTIFY_READ, fd, n - off, FAN_EVENT_METADATA_LEN, "a fanotify event");
    const len = dv.getUint32(off, true);
    const vers = buf[off + 4]!;
    const metaLen = dv.getUint16(off + 6, true);
    if (vers !== FANOTIFY_METADATA_VERSION) {
      throw new OSError(ERRNO.EPROTO!, "read", undefined, `fd ${fd} gave fanotify metadata version ${vers}; butter reads version ${FANOTIFY_METADATA_VERSION}`);
    }
    if (len < FAN_EVENT_METADATA_LEN || metaLen < FAN_EVENT_METADATA_LEN || metaLen > len || off + len > n) {
      throw shortTransfer(FANOTIFY_READ, fd, n - off, Math.max(len, FAN_EVENT_METADATA_LEN), "a fanotify event");
    }
    if (metaLen < len) checkRecords(buf, dv, off + metaLen, off + len, fd);
    const mask = dv.getUint32(off + 8, true) + dv.getUint32(off + 12, true) * 0x100000000;
    out.push(make(mask, dv.getInt32(off + 16, true), dv.getInt32(off + 20, true), off + metaLen, off + len, buf[off + 5]!));
    off += len;
  }
  return out;
}

/** Decodes the `n` bytes of one read(2) of `fd` into raw events, records and all (walkFanotifyEvents). */
export function decodeFanotifyEvents(buf: Uint8Array, n: number, fd = -1): RawFanotifyEvent[] {
  return walkFanotifyEvents(buf, n, (mask, efd, pid, start, end) => ({ mask, fd: efd, pid, records: decodeRecords(buf, start, end) }), fd);
}

/**
 * read(2) of a fanotify group, 1:1: one read of `fd` as given, and the events the kernel
 * wrote, with their records decoded. Each event's fd (and pidfd record) is the caller's
 * to close. Blocks on a blocking fd; returns [] on a non-blocking fd with nothing queued.
 * @throws {@link OSError} with an errno read(2) or fanotify(7) lists (EMFILE: no fd was
 * free for an event), OSError EIO naming the fd for a partial event.
 */
export function fanotifyRead(fd: number): RawFanotifyEvent[] {
  const buf = scratch();
  const n = readInto(v.fd(fd), buf, FANOTIFY_READ);
  if (n === null) return [];
  return decodeFanotifyEvents(buf, n, fd);
}

/** A permission response, as fanotifyWriteResponse takes it. */
export interface FanotifyResponse {
  /** the permission event's fd */
  fd: number;
  /** FAN_ALLOW or FAN_DENY (or FAN_DENY_ERRNO(err)), with FAN_AUDIT or FAN_INFO or-ed in */
  response: number;
  /** with FAN_INFO: the audit rule record (Linux 6.3) */
  auditRule?: AuditRule;
}

/** The audit rule record of a response (FAN_INFO; Linux 6.3). */
export interface AuditRule {
  /** the number of the rule that decided */
  ruleNumber: number;
  /** the subject's trust: 0 no, 1 yes, 2 unknown (the default) */
  subjTrust?: number;
  /** the object's trust: 0 no, 1 yes, 2 unknown (the default) */
  objTrust?: number;
}

/** Packs a response (and its audit rule record). */
export function packResponse(r: FanotifyResponse): Uint8Array {
  v.options(r, "response");
  const efd = v.fd(r.fd, "response.fd");
  const resp = v.int(r.response, "response.response", -0x80000000, 0xffffffff) >>> 0;
  const rule = r.auditRule;
  const buf = new Uint8Array(rule === undefined ? 8 : 24);
  const dv = new DataView(buf.buffer);
  dv.setInt32(0, efd, true);
  dv.setUint32(4, resp, true);
  if (rule !== undefined) {
    v.options(rule, "response.auditRule");
    buf[8] = FAN_RESPONSE_INFO_AUDIT_RULE;
    dv.setUint16(10, 16, true);
    dv.setUint32(12, v.int(rule.ruleNumber, "auditRule.ruleNumber", 0, 0xffffffff), true);
    dv.setUint32(16, v.int(rule.subjTrust ?? 2, "auditRule.subjTrust", 0, 0xffffffff), true);
    dv.setUint32(20, v.int(rule.objTrust ?? 2, "auditRule.objTrust", 0, 0xffffffff), true);
  }
  return buf;
}

/**
 * Writes one permission response to the group: a write(2) of `struct fanotify_response`
 * (and the audit-rule record with FAN_INFO). EINTR is retried.
 * @throws {@link OSError} ENOENT when no permission event with that fd is waiting (already
 * answered), EINVAL for a bad response, and the other errnos write(2) lists.
 */
export function fanotifyWriteResponse(fd: number, response: FanotifyResponse): void {
  const buf = packResponse(response);
  const f = v.fd(fd);
  for (;;) {
    const r = lib().bt_fanotify_write(f, buf, buf.length);
    if (r === buf.length) return;
    if (r === -EINTR) continue;
    if (r < 0) throw errorFor(r, FANOTIFY_RESPONSE);
    throw shortTransfer(FANOTIFY_RESPONSE, f, r, buf.length, "a fanotify response");
  }
}

// ---- what the objects' drain (src/core/drain.ts) adds to fanotify's events: internal ----

/** A private info record the drain adds: the path of the event's fd. */
export const BT_PATH = 0xb0;
/** A private info record the drain adds: the errno of the readlink that failed. */
export const BT_PATH_ERR = 0xb1;
/** The metadata's reserved byte from the drain: the deadline answered the event. */
export const BY_DEADLINE = 1;
/** The metadata's reserved byte from the drain: the program's own access, allowed at once. */
export const BY_SELF = 2;

// poll(2) of the drain's bell and the group, while a blocking group's readEvent waits.
export const FANOTIFY_WAIT: CallSpec = { syscall: "poll", family: "fanotify", errnos: ["EFAULT", "EINTR", "EINVAL", "ENOMEM"] };

/** Answers a permission event through the drain: false when the drain had answered it. */
export function drainAnswer(d: Drain, response: FanotifyResponse): boolean {
  const r = answerThroughDrain(d, response.fd, packResponse(response));
  if (r === -ERRNO.ENOENT!) return false;
  if (r < 0) throw errorFor(r, FANOTIFY_RESPONSE);
  return true;
}

/** The path of an open fd (readlink of /proc/self/fd/N), or the error. */
export function fdPath(fd: number): string | Error {
  const buf = new Uint8Array(4096);
  const r = lib().bt_fd_path(fd, buf, buf.length);
  return r < 0 ? errorFor(r, FANOTIFY_PATH) : fsdecode(buf, 0, r);
}
