/**
 * inotify(7), 1:1: inotify_init1(2), inotify_add_watch(2), inotify_rm_watch(2), every
 * IN_* constant of the kernel's uapi header, the decoder of `struct inotify_event`, and
 * the limits under /proc/sys/fs/inotify.
 */
import { helpers } from "../../bunffi/load.ts";
import { check, errorFor, shortTransfer, type CallSpec } from "../core/errors.ts";
import { ERRNO } from "../core/errno.ts";
import { fsdecode } from "../core/fsname.ts";
import { readInto } from "../core/io.ts";
import { scratch } from "../core/scratch.ts";
import * as v from "../core/validate.ts";
import { readProcFile } from "../core/proc.ts";

const lib = helpers("inotify.c", {
  bt_inotify_init1: { args: ["i32"], returns: "i32" },
  // (the mask crosses as i32: bun:ffi loses a u32 above 2^31 such as IN_ONESHOT)
  bt_inotify_add_watch: { args: ["i32", "ptr", "i32"], returns: "i32" },
  bt_inotify_rm_watch: { args: ["i32", "i32"], returns: "i32" },
});

// Events (the mask of a watch, and of an event).
/** Event: the file was accessed (read(2), execve(2)). inotify(7). */
export const IN_ACCESS = 0x00000001;
/** Event: the file was modified (write(2), truncate(2)). inotify(7). */
export const IN_MODIFY = 0x00000002;
/** Event: metadata changed (permissions, timestamps, extended attributes, link count, owner). inotify(7). */
export const IN_ATTRIB = 0x00000004;
/** Event: a file opened for writing was closed. inotify(7). */
export const IN_CLOSE_WRITE = 0x00000008;
/** Event: a file or directory not opened for writing was closed. inotify(7). */
export const IN_CLOSE_NOWRITE = 0x00000010;
/** Event: a file or directory was opened. inotify(7). */
export const IN_OPEN = 0x00000020;
/** Event: a file was renamed out of the watched directory (paired with IN_MOVED_TO by `cookie`). inotify(7). */
export const IN_MOVED_FROM = 0x00000040;
/** Event: a file was renamed into the watched directory. inotify(7). */
export const IN_MOVED_TO = 0x00000080;
/** Event: a file or directory was created in the watched directory. inotify(7). */
export const IN_CREATE = 0x00000100;
/** Event: a file or directory was deleted from the watched directory. inotify(7). */
export const IN_DELETE = 0x00000200;
/** Event: the watched file or directory itself was deleted. inotify(7). */
export const IN_DELETE_SELF = 0x00000400;
/** Event: the watched file or directory itself was moved. inotify(7). */
export const IN_MOVE_SELF = 0x00000800;
// Only ever reported by the kernel.
/** Reported only: the filesystem of the watched object was unmounted (an IN_IGNORED follows). inotify(7). */
export const IN_UNMOUNT = 0x00002000;
/** Reported only: the kernel's event queue overflowed and events were lost (`wd` is -1). inotify(7). */
export const IN_Q_OVERFLOW = 0x00004000;
/** Reported only: the watch was removed (by inotify_rm_watch(2), or because its object went away). inotify(7). */
export const IN_IGNORED = 0x00008000;
/** Reported only: the event's subject is a directory. inotify(7). */
export const IN_ISDIR = 0x40000000;
// Combinations.
/** IN_CLOSE_WRITE | IN_CLOSE_NOWRITE. */
export const IN_CLOSE = IN_CLOSE_WRITE | IN_CLOSE_NOWRITE;
/** IN_MOVED_FROM | IN_MOVED_TO. */
export const IN_MOVE = IN_MOVED_FROM | IN_MOVED_TO;
/** Every event a watch can ask for (IN_ACCESS through IN_MOVE_SELF). */
export const IN_ALL_EVENTS =
  IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_OPEN | IN_MOVED_FROM | IN_MOVED_TO |
  IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF;
// Watch options (inotify_add_watch only).
/** Watch option: fail with ENOTDIR unless the path is a directory. inotify(7). */
export const IN_ONLYDIR = 0x01000000;
/** Watch option: do not follow a symbolic link at the end of the path. inotify(7). */
export const IN_DONT_FOLLOW = 0x02000000;
/** Watch option: no events for children after they were unlinked from the directory. inotify(7). */
export const IN_EXCL_UNLINK = 0x04000000;
/** Watch option: fail with EEXIST if the path is already watched (Linux 4.18). inotify(7). */
export const IN_MASK_CREATE = 0x10000000;
/** Watch option: add to the mask of an existing watch instead of replacing it. inotify(7). */
export const IN_MASK_ADD = 0x20000000;
/** Watch option: remove the watch after its first event (negative in JS: butter takes the same 32 bits). inotify(7). */
export const IN_ONESHOT = 0x80000000;
// inotify_init1 flags.
/** inotify_init1(2) flag: close-on-exec (butter's default). */
export const IN_CLOEXEC = 0o2000000;
/** inotify_init1(2) flag: reads say EAGAIN instead of blocking. */
export const IN_NONBLOCK = 0o4000;

const WATCH_BITS = IN_ALL_EVENTS | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ONESHOT;

/** Every event bit by name, in bit order: what `flagNames` spells. */
// (an object, not an array of pairs: freezing an array at import costs JSC 0.2-0.3 ms
// the first time, docs/benchmarks.md)
export const IN_EVENT_BITS: Readonly<Record<string, number>> = Object.freeze({
  IN_ACCESS, IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE, IN_OPEN, IN_MOVED_FROM, IN_MOVED_TO,
  IN_CREATE, IN_DELETE, IN_DELETE_SELF, IN_MOVE_SELF, IN_UNMOUNT, IN_Q_OVERFLOW, IN_IGNORED, IN_ISDIR,
});

/** The names of the bits set in an event mask, e.g. ["IN_CREATE", "IN_ISDIR"]. */
export function flagNames(mask: number): string[] {
  const out: string[] = [];
  for (const name in IN_EVENT_BITS) if ((mask & IN_EVENT_BITS[name]!) >>> 0 !== 0) out.push(name);
  return out;
}

export const INOTIFY_INIT1: CallSpec = { syscall: "inotify_init1", errnos: ["EINVAL", "EMFILE", "ENFILE", "ENOMEM"] };
export const INOTIFY_ADD_WATCH: CallSpec = { syscall: "inotify_add_watch", errnos: [
  "EACCES", "EBADF", "EEXIST", "EFAULT", "EINVAL", "ENAMETOOLONG", "ENOENT", "ENOMEM", "ENOSPC", "ENOTDIR",
] };
export const INOTIFY_RM_WATCH: CallSpec = { syscall: "inotify_rm_watch", errnos: ["EBADF", "EINVAL"] };
// read(2) on an inotify fd: inotify(7) adds EINVAL (buffer too small; butter's never is).
export const INOTIFY_READ: CallSpec = { syscall: "read", family: "inotify", errnos: ["EAGAIN", "EBADF", "EINTR", "EINVAL", "EIO", "EISDIR"] };
// poll(2) of the drain's bell and the instance, while a blocking Inotify's readEvent waits.
export const INOTIFY_WAIT: CallSpec = { syscall: "poll", family: "inotify", errnos: ["EFAULT", "EINTR", "EINVAL", "ENOMEM"] };

/**
 * The inotify limits (undefined where a file cannot be read). The fs.inotify values are
 * the initial user namespace's; since Linux 5.11 each user namespace also has its own
 * (/proc/sys/user/max_inotify_*), and the smallest along the way applies.
 */
export interface InotifyLimits {
  /** fs.inotify.max_queued_events: events one instance queues before IN_Q_OVERFLOW */
  maxQueuedEvents?: number;
  /** fs.inotify.max_user_instances: instances per user (EMFILE from inotify_init1 beyond) */
  maxUserInstances?: number;
  /** fs.inotify.max_user_watches: watches per user (ENOSPC from inotify_add_watch beyond) */
  maxUserWatches?: number;
  /** user.max_inotify_instances: the same limit in this user namespace */
  namespaceMaxInstances?: number;
  /** user.max_inotify_watches: the same limit in this user namespace */
  namespaceMaxWatches?: number;
}

function procInt(path: string): number | undefined {
  try {
    return Number.parseInt(readProcFile(`/proc/sys/${path}`).toString("latin1"), 10);
  } catch {
    return undefined;
  }
}

/** Reads the limits from /proc/sys/fs/inotify/ and /proc/sys/user/. */
export function inotifyLimits(): InotifyLimits {
  return {
    maxQueuedEvents: procInt("fs/inotify/max_queued_events"),
    maxUserInstances: procInt("fs/inotify/max_user_instances"),
    maxUserWatches: procInt("fs/inotify/max_user_watches"),
    namespaceMaxInstances: procInt("user/max_inotify_instances"),
    namespaceMaxWatches: procInt("user/max_inotify_watches"),
  };
}

/**
 * inotify_init1(2): a new inotify fd; close-on-exec unless `flags` says otherwise.
 * @throws {@link OSError} with an errno inotify_init1(2) lists (EMFILE names the limit that was reached); RangeError for unknown flags.
 */
export function inotifyInit1(flags: number = IN_CLOEXEC): number {
  const r = lib().bt_inotify_init1(v.flags(flags, "flags", IN_CLOEXEC | IN_NONBLOCK));
  if (r === -ERRNO.EMFILE!) {
    const l = inotifyLimits();
    throw errorFor(r, INOTIFY_INIT1, undefined,
      `the per-user limit of inotify instances (fs.inotify.max_user_instances = ${l.maxUserInstances ?? "?"}, user.max_inotify_instances = ${l.namespaceMaxInstances ?? "?"} in this user namespace) or this process's limit of open fds was reached`);
  }
  return check(r, INOTIFY_INIT1);
}

/**
 * inotify_add_watch(2): watches `path` (a string, or a Buffer for a name that is not
 * UTF-8) for the events in `mask`; returns the watch descriptor. Watching an inode
 * that is already watched returns its existing wd (and replaces its mask, unless
 * IN_MASK_ADD; IN_MASK_CREATE makes that EEXIST instead).
 * @throws {@link OSError} with an errno inotify_add_watch(2) lists (ENOSPC names the watch limit), {@link PermissionError} EACCES; TypeError or RangeError for a bad path (a NUL byte) or mask.
 */
export function inotifyAddWatch(fd: number, path: string | Uint8Array, mask: number): number {
  const bytes = v.cstring(path, "path");
  // JS's | yields a signed int: IN_CREATE | IN_ONESHOT is negative, and means the same bits.
  const m = v.int(mask, "mask", -0x80000000, 0xffffffff) >>> 0;
  if ((m & ~WATCH_BITS) >>> 0 !== 0) throw new RangeError(`mask has bits a watch cannot ask for: 0x${((m & ~WATCH_BITS) >>> 0).toString(16)}`);
  const r = lib().bt_inotify_add_watch(v.fd(fd), bytes, m | 0);
  if (r >= 0) return r;
  const shown = typeof path === "string" ? path : fsdecode(path);
  if (r === -ERRNO.ENOSPC!) {
    const l = inotifyLimits();
    throw errorFor(r, INOTIFY_ADD_WATCH, shown,
      `the per-user limit of inotify watches was reached: fs.inotify.max_user_watches = ${l.maxUserWatches ?? "?"}, user.max_inotify_watches = ${l.namespaceMaxWatches ?? "?"} in this user namespace`);
  }
  throw errorFor(r, INOTIFY_ADD_WATCH, shown);
}

/**
 * inotify_rm_watch(2): removes a watch; the kernel then queues IN_IGNORED for it.
 * @throws {@link OSError} EINVAL when `wd` is not a watch of `fd` (the kernel may already have removed it), EBADF for a bad fd.
 */
export function inotifyRmWatch(fd: number, wd: number): void {
  check(lib().bt_inotify_rm_watch(v.fd(fd), v.int(wd, "wd", 0, 0x7fffffff)), INOTIFY_RM_WATCH);
}

/** One `struct inotify_event`, as the kernel wrote it. */
export interface RawInotifyEvent {
  /** the watch descriptor inotify_add_watch(2) returned (-1 for IN_Q_OVERFLOW) */
  readonly wd: number;
  /** the IN_* bits of the event */
  readonly mask: number;
  /** joins the IN_MOVED_FROM and IN_MOVED_TO of one rename; 0 otherwise */
  readonly cookie: number;
  /** the name inside a watched directory ("" for the watched object itself), see fsname.ts */
  readonly name: string;
}

/** sizeof(struct inotify_event) without the name. */
export const INOTIFY_EVENT_SIZE = 16;
/** NAME_MAX: the longest name an event carries (padded, with its NUL, within `len`). */
export const NAME_MAX = 255;
/** The smallest read buffer that always holds one event (a smaller one gets EINVAL). */
export const INOTIFY_MIN_BUFFER = INOTIFY_EVENT_SIZE + NAME_MAX + 1;


/**
 * Decodes the `n` bytes of one read(2) of `fd` into events, built by `make`. A truncated
 * event (which the kernel never writes) or end of file is an OSError EIO naming the fd,
 * never a silently dropped tail.
 */
export function decodeInotifyEvents<T>(
  buf: Uint8Array,
  n: number,
  make: (wd: number, mask: number, cookie: number, name: string) => T,
  fd = -1,
): T[] {
  if (n === 0) throw shortTransfer(INOTIFY_READ, fd, 0, INOTIFY_EVENT_SIZE, "an inotify event");
  // The kernel writes events 4-byte aligned (names are padded), so the header words are
  // read through one Uint32Array: much cheaper per event than a DataView. A buffer that
  // is not itself aligned is copied once.
  if (buf.byteOffset % 4 !== 0) buf = buf.slice(0, n);
  const words = new Uint32Array(buf.buffer, buf.byteOffset, n >> 2);
  const out: T[] = [];
  let off = 0;
  while (off < n) {
    if (n - off < INOTIFY_EVENT_SIZE) throw shortTransfer(INOTIFY_READ, fd, n - off, INOTIFY_EVENT_SIZE, "an inotify event");
    const w = off >> 2;
    const len = words[w + 3]!;
    const start = off + INOTIFY_EVENT_SIZE;
    const end = start + len;
    if (end > n) throw shortTransfer(INOTIFY_READ, fd, n - off, INOTIFY_EVENT_SIZE + len, "an inotify event");
    let stop = start;
    while (stop < end && buf[stop] !== 0) stop++;
    out.push(make(words[w]! | 0, words[w + 1]!, words[w + 2]!, stop === start ? "" : fsdecode(buf, start, stop)));
    off = end;
  }
  return out;
}

/**
 * One read(2) of an inotify fd, decoded with `make`. Returns null when the fd is
 * non-blocking and has nothing (EAGAIN); blocks otherwise. EINTR is retried.
 */
export function readInotify<T>(fd: number, make: (wd: number, mask: number, cookie: number, name: string) => T): T[] | null {
  const buf = scratch();
  const n = readInto(fd, buf, INOTIFY_READ);
  if (n === null) return null;
  return decodeInotifyEvents(buf, n, make, fd);
}

const raw = (wd: number, mask: number, cookie: number, name: string): RawInotifyEvent => ({ wd, mask, cookie, name });

/**
 * read(2) of an inotify fd, 1:1: one read of `fd` as given, as C makes it, and the
 * events the kernel wrote. Blocks on a blocking fd; returns [] on a non-blocking fd with
 * nothing queued.
 * @throws {@link OSError} with an errno read(2) lists (a blocking fd waits instead of
 * EAGAIN), and OSError EIO naming the fd for a partial event or end of file (the fd is
 * not an inotify fd).
 */
export function inotifyRead(fd: number): RawInotifyEvent[] {
  return readInotify(v.fd(fd), raw) ?? [];
}
