/**
 * splice(2), tee(2), vmsplice(2), 1:1, and the calls used with them: pipe2(2), the pipe
 * size (fcntl F_GETPIPE_SZ/F_SETPIPE_SZ), FIONREAD, copy_file_range(2) and sendfile(2).
 *
 * A byte count is a number. One call moves at most MAX_RW_COUNT bytes (Linux's own limit
 * for one transfer, 2^31 - 4096); a larger `len` is taken as that, as the kernel would.
 */
import * as flags from "../core/open-flags.ts";
import { ptr } from "bun:ffi";
import { helpers } from "../../bunffi/load.ts";
import { type CallSpec, check, errorFor, EINTR } from "../core/errors.ts";
import { ERRNO } from "../core/errno.ts";
import { PIPE2 } from "../core/io.ts";
import { MMAP, mapPages } from "../core/pages.ts";
import * as v from "../core/validate.ts";
import { readProcFile } from "../core/proc.ts";

const lib = helpers("splice.c", {
  bt_splice: { args: ["i32", "ptr", "i32", "ptr", "i64", "i32"], returns: "i32" },
  bt_tee: { args: ["i32", "i32", "i64", "i32"], returns: "i32" },
  bt_vmsplice: { args: ["i32", "ptr", "i32", "i32", "ptr"], returns: "i32" },
  bt_copy_file_range: { args: ["i32", "ptr", "i32", "ptr", "i64", "i32"], returns: "i32" },
  bt_sendfile: { args: ["i32", "i32", "ptr", "i64"], returns: "i32" },
  bt_pipe2: { args: ["ptr", "i32"], returns: "i32" },
  bt_get_pipe_size: { args: ["i32"], returns: "i32" },
  bt_set_pipe_size: { args: ["i32", "i32"], returns: "i32" },
  bt_fionread: { args: ["i32"], returns: "i32" },
  bt_ready: { args: ["i32", "i32"], returns: "i32" },
});

/** splice(2)/tee(2)/vmsplice(2) flag: a hint to move pages instead of copying them. */
export const SPLICE_F_MOVE = 1;
/** splice(2)/tee(2)/vmsplice(2) flag: do not block on the pipe(s) (EAGAIN instead). */
export const SPLICE_F_NONBLOCK = 2;
/** splice(2) flag: more data follows (a hint for a socket, as MSG_MORE). */
export const SPLICE_F_MORE = 4;
/**
 * vmsplice(2) flag: give the pages to the kernel. Refused by butter's `vmsplice`: it
 * already hands the kernel pages that JS can no longer reach (see {@link vmsplice}).
 */
export const SPLICE_F_GIFT = 8;
const SPLICE_F_ALL = SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT;
/** pipe2(2) flag: close-on-exec (butter's default). */
export const O_CLOEXEC = flags.O_CLOEXEC;
/** pipe2(2) flag: reads and writes of the pipe say EAGAIN instead of blocking. */
export const O_NONBLOCK = flags.O_NONBLOCK;
/** pipe2(2) flag: a packet-mode pipe (each write a packet). Its value differs by architecture (0o40000 on x86-64, 0o200000 on arm64). */
export const O_DIRECT = flags.O_DIRECT;
/** Linux's largest transfer in one call (MAX_RW_COUNT): 2^31 minus a page. */
export const MAX_RW_COUNT = 0x7ffff000;

// EPIPE is on none of these pages, but it is what the kernel says when the pipe or
// socket written to has no reader left: documented here so that it is an OSError.
export const SPLICE: CallSpec = { syscall: "splice", errnos: ["EAGAIN", "EBADF", "EINVAL", "ENOMEM", "ESPIPE", "EPIPE"] };
export const TEE: CallSpec = { syscall: "tee", errnos: ["EAGAIN", "EINVAL", "ENOMEM", "EPIPE"] };
export const VMSPLICE: CallSpec = { syscall: "vmsplice", errnos: ["EAGAIN", "EBADF", "EINVAL", "ENOMEM", "EPIPE"] };
export const COPY_FILE_RANGE: CallSpec = { syscall: "copy_file_range", errnos: ["EBADF", "EFBIG", "EINVAL", "EIO", "EISDIR", "ENOMEM", "ENOSPC", "EOPNOTSUPP", "EOVERFLOW", "EPERM", "ETXTBSY", "EXDEV"] };
export const SENDFILE: CallSpec = { syscall: "sendfile", errnos: ["EAGAIN", "EBADF", "EFAULT", "EINVAL", "EIO", "ENOMEM", "EOVERFLOW", "ESPIPE", "EPIPE"] };
// fcntl(2) F_GETPIPE_SZ / F_SETPIPE_SZ
export const FCNTL_PIPE: CallSpec = { syscall: "fcntl", family: "splice", errnos: ["EBADF", "EBUSY", "EINVAL", "EPERM"] };
// ioctl(2) FIONREAD
export const IOCTL_FIONREAD: CallSpec = { syscall: "ioctl", family: "splice", errnos: ["EBADF", "EINVAL", "ENOTTY"] };
// poll(2): which end of a move is ready (a zero-timeout poll)
export const POLL_READY: CallSpec = { syscall: "poll", family: "splice", errnos: ["EFAULT", "EINTR", "EINVAL", "ENOMEM"] };

/**
 * A file offset the kernel reads and moves on: pass `{ offset }` to see where the call
 * left it. A plain number or bigint is a start position whose update is not kept; null
 * means the fd's own file position (and is required for a pipe or socket).
 */
export interface FileOffset {
  /** the byte position; the call leaves it where the transfer ended */
  offset: bigint;
}
/** An offset argument: a {@link FileOffset} to update, a start position, or null for the fd's own position. */
export type OffsetArg = FileOffset | bigint | number | null;

const offsets = new BigInt64Array(2);
// the kernel's two loff_t slots, made at the first call and kept (a subarray per call
// would be an allocation; at import, JSC would first compile subarray, a JS builtin)
let slots: readonly [BigInt64Array, BigInt64Array] | undefined;

function offsetIn(value: unknown, what: string, slot: 0 | 1): BigInt64Array | null {
  if (value === null || value === undefined) return null;
  const given = typeof value === "object" ? (value as FileOffset).offset : value;
  offsets[slot] = v.bigint(given, typeof value === "object" ? `${what}.offset` : what, 0n, v.I64_MAX);
  slots ??= [offsets.subarray(0, 1), offsets.subarray(1, 2)];
  return slots[slot];
}

function offsetOut(value: unknown, slot: 0 | 1): void {
  if (value !== null && typeof value === "object") (value as FileOffset).offset = offsets[slot]!;
}

type TwoOffsetFn = (a: number, pin: BigInt64Array | null, b: number, pout: BigInt64Array | null, n: number, flags: number) => number;

/** splice and copy_file_range: the same arguments, checked once, offsets moved on after. */
function withOffsets(fn: TwoOffsetFn, call: CallSpec, fdIn: number, offIn: OffsetArg, fdOut: number, offOut: OffsetArg, len: number, flags: number, allowed: number): number {
  const a = v.fd(fdIn, "fdIn");
  const b = v.fd(fdOut, "fdOut");
  const pin = offsetIn(offIn, "offIn", 0);
  const pout = offsetIn(offOut, "offOut", 1);
  const r = check(fn(a, pin, b, pout, length(len), v.flags(flags, "flags", allowed)), call);
  offsetOut(offIn, 0);
  offsetOut(offOut, 1);
  return r;
}

function length(value: unknown, what = "len"): number {
  return Math.min(v.int(value, what, 0, Number.MAX_SAFE_INTEGER), MAX_RW_COUNT);
}

/**
 * splice(2): moves up to `len` bytes from `fdIn` to `fdOut`, one of which must be a
 * pipe, without copying them through user memory. Returns the bytes moved: 0 at the end
 * of the input (or for `len` 0).
 * @param offIn - where to read a file from (see {@link FileOffset}); null for a pipe or socket
 * @param offOut - where to write a file at; null for a pipe or socket
 * @param flags - SPLICE_F_MOVE, SPLICE_F_NONBLOCK, SPLICE_F_MORE
 * @throws {@link OSError} with an errno splice(2) lists: EAGAIN (non-blocking and nothing to move), EINVAL (neither end a pipe, an O_APPEND target, the same pipe twice), ESPIPE (an offset for a pipe), EBADF; RangeError or TypeError for a bad argument.
 */
export function splice(fdIn: number, offIn: OffsetArg, fdOut: number, offOut: OffsetArg, len: number, flags = 0): number {
  return withOffsets(lib().bt_splice, SPLICE, fdIn, offIn, fdOut, offOut, len, flags, SPLICE_F_ALL);
}

/**
 * tee(2): copies up to `len` bytes from pipe `fdIn` into pipe `fdOut` without consuming
 * them (the two pipes share the pages). Returns the bytes copied, 0 when `fdIn` is empty
 * and has no writer left.
 * @throws {@link OSError} EAGAIN (non-blocking and nothing to copy or no room), EINVAL (not two pipes, or the same pipe), ENOMEM.
 */
export function tee(fdIn: number, fdOut: number, len: number, flags = 0): number {
  const a = v.fd(fdIn, "fdIn");
  const b = v.fd(fdOut, "fdOut");
  return check(lib().bt_tee(a, b, length(len), v.flags(flags, "flags", SPLICE_F_ALL)), TEE);
}

// The ArrayBuffers vmspliceBuffer() made: vmsplice takes memory from nowhere else.
const ours = new WeakSet<ArrayBufferLike>();

/**
 * Memory that {@link vmsplice} can hand to the kernel: `length` bytes of whole,
 * page-aligned anonymous pages of butter's own, zero-filled, given back (munmap) when
 * the returned array is collected.
 * @throws {@link OSError} from mmap (ENOMEM) when the memory cannot be had; RangeError for a bad length.
 */
export function vmspliceBuffer(length: number): Uint8Array {
  const buf = mapPages(v.int(length, "length", 1, MAX_RW_COUNT));
  ours.add(buf);
  return new Uint8Array(buf);
}

/**
 * vmsplice(2): hands the bytes of `segments` to pipe `fd` without copying them. Returns
 * the bytes the pipe took (fewer than given when it filled up).
 *
 * The rule that makes it safe from a garbage-collected language: the segments must be
 * views into memory from {@link vmspliceBuffer}, and every page the kernel took is
 * replaced under the view by a fresh zero page before this returns. The pipe keeps the
 * old pages, which nothing can write any more, so what its reader gets is what was
 * there at the call, whatever the program writes next or whenever the buffer is
 * collected. The bytes handed over read as 0 afterwards; the bytes not taken (after a
 * partial vmsplice) are kept. SPLICE_F_GIFT is refused: it is never needed this way.
 * @throws {@link OSError} EAGAIN (SPLICE_F_NONBLOCK and the pipe is full), EBADF (not a pipe), ENOMEM; TypeError for memory not from vmspliceBuffer(); RangeError for SPLICE_F_GIFT. If the fresh pages cannot be had after the kernel took the bytes (mmap ENOMEM), the error says how many were taken and the buffer is detached, so that it can never be written.
 */
export function vmsplice(fd: number, segments: Uint8Array | readonly Uint8Array[], flags = 0): number {
  const f = v.fd(fd);
  const fl = v.flags(flags, "flags", SPLICE_F_ALL);
  if (fl & SPLICE_F_GIFT) throw new RangeError("vmsplice: SPLICE_F_GIFT is refused; butter hands the kernel pages that JS can no longer reach without it");
  const list = segments instanceof Uint8Array ? [segments] : segments;
  if (!Array.isArray(list) || list.length === 0 || list.length > 1024) {
    throw new TypeError("segments must be a Uint8Array or an array of 1 to 1024 of them");
  }
  const iov = new BigUint64Array(list.length * 2);
  let total = 0;
  list.forEach((s, i) => {
    if (!(s instanceof Uint8Array) || !ours.has(s.buffer)) {
      throw new TypeError(`segments[${i}] is not memory from vmspliceBuffer(): the kernel may read what it is given after vmsplice returns, so only that memory is taken`);
    }
    const take = Math.min(s.byteLength, MAX_RW_COUNT - total);
    total += take;
    iov[i * 2] = BigInt(take === 0 ? 0 : ptr(s));
    iov[i * 2 + 1] = BigInt(take);
  });
  const replaceErr = new Int32Array(1);
  const r = check(lib().bt_vmsplice(f, iov, list.length, fl, replaceErr), VMSPLICE);
  if (replaceErr[0] !== 0) {
    // The kernel has the bytes but JS still maps their pages: detach so nobody writes them.
    for (const s of list) if (s.byteLength > 0) (s.buffer as ArrayBuffer).transfer(0);
    throw errorFor(replaceErr[0]!, MMAP, undefined, `vmsplice took ${r} bytes; their buffer is detached, since its pages could not be replaced`);
  }
  return r;
}

/**
 * pipe2(2): a new pipe, `[readFd, writeFd]`; close-on-exec unless `flags` says otherwise.
 * @param flags - O_CLOEXEC, O_NONBLOCK, O_DIRECT
 * @throws {@link OSError} EMFILE, ENFILE; RangeError for unknown flags.
 */
export function pipe2(flags = O_CLOEXEC): [number, number] {
  const fds = new Int32Array(2);
  check(lib().bt_pipe2(fds, v.flags(flags, "flags", O_CLOEXEC | O_NONBLOCK | O_DIRECT)), PIPE2);
  return [fds[0]!, fds[1]!];
}

/**
 * fcntl(fd, F_GETPIPE_SZ): the pipe's capacity in bytes.
 * @throws {@link OSError} EBADF (not an fd, or not a pipe).
 */
export function getPipeSize(fd: number): number {
  return check(lib().bt_get_pipe_size(v.fd(fd)), FCNTL_PIPE);
}

/**
 * fcntl(fd, F_SETPIPE_SZ): sets the pipe's capacity to at least `size` bytes; returns
 * the capacity set (a power-of-two number of pages). Above {@link pipeMaxSize} only a
 * process with CAP_SYS_RESOURCE may go.
 * @throws {@link PermissionError} EPERM above the limit (the message names it); OSError EBUSY (smaller than what the pipe holds), EBADF (not a pipe), EINVAL.
 */
export function setPipeSize(fd: number, size: number): number {
  const f = v.fd(fd);
  const n = v.int(size, "size", 0, 0x7fffffff);
  const r = lib().bt_set_pipe_size(f, n);
  if (r === -ERRNO.EPERM!) {
    throw errorFor(r, FCNTL_PIPE, undefined, `${n} bytes is above /proc/sys/fs/pipe-max-size (${pipeMaxSize()}) and this process lacks CAP_SYS_RESOURCE`);
  }
  return check(r, FCNTL_PIPE);
}

/**
 * F_SETPIPE_SZ as a wish: the capacity the pipe has afterwards, `size` or, when the
 * system refuses it (a limit on pipe memory), what it had. @internal
 */
export function growPipe(fd: number, size: number): number {
  const r = lib().bt_set_pipe_size(fd, size);
  return r > 0 ? r : getPipeSize(fd);
}

/** /proc/sys/fs/pipe-max-size: the largest pipe an unprivileged process may ask for. */
export function pipeMaxSize(): number {
  return Number(readProcFile("/proc/sys/fs/pipe-max-size").toString("latin1"));
}

/**
 * ioctl(fd, FIONREAD): how many bytes are waiting to be read (in a pipe, a socket, a tty).
 * @throws {@link OSError} EBADF, ENOTTY or EINVAL (an fd that cannot say).
 */
export function fionread(fd: number): number {
  return check(lib().bt_fionread(v.fd(fd)), IOCTL_FIONREAD);
}

/**
 * copy_file_range(2): copies up to `len` bytes between two regular files inside the
 * kernel (a reflink or server-side copy where the filesystem can). Returns the bytes
 * copied, 0 at the end of the input.
 * @throws {@link OSError} with an errno copy_file_range(2) lists: EXDEV, EINVAL (not regular files, overlapping ranges of one file), EBADF (an O_APPEND target), EFBIG, ENOSPC, EISDIR, ...
 */
export function copyFileRange(fdIn: number, offIn: OffsetArg, fdOut: number, offOut: OffsetArg, len: number, flags = 0): number {
  return withOffsets(lib().bt_copy_file_range, COPY_FILE_RANGE, fdIn, offIn, fdOut, offOut, len, flags, 0);
}

/**
 * sendfile(2): copies up to `count` bytes from `inFd` (a file that can be mapped) to
 * `outFd` (any fd) inside the kernel. With an `offset`, reads from there and leaves the
 * file position alone. Returns the bytes copied.
 * @throws {@link OSError} with an errno sendfile(2) lists: EAGAIN (a non-blocking `outFd` is full), EINVAL (an O_APPEND `outFd`, an `inFd` that cannot be mapped), ESPIPE (an offset for an unseekable `inFd`), EBADF, EIO, EOVERFLOW.
 */
export function sendfile(outFd: number, inFd: number, offset: OffsetArg, count: number): number {
  const o = v.fd(outFd, "outFd");
  const i = v.fd(inFd, "inFd");
  const p = offsetIn(offset, "offset", 0);
  const r = check(lib().bt_sendfile(o, i, p, length(count, "count")), SENDFILE);
  offsetOut(offset, 0);
  return r;
}

/**
 * Which of two ends is ready now (a zero-timeout poll(2)): bit 0 `fdIn` readable or at
 * its end, bit 1 `fdOut` writable or failed. What a mover asks after EAGAIN. @internal
 */
export function readyNow(fdIn: number, fdOut: number): number {
  for (;;) {
    const r = lib().bt_ready(fdIn, fdOut);
    if (r !== -EINTR) return check(r, POLL_READY);
  }
}

