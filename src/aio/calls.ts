/**
 * Linux AIO, 1:1: io_setup(2), io_destroy(2), io_submit(2), io_getevents(2),
 * io_pgetevents(2), io_cancel(2), the request (`Iocb`) and every IOCB_ and RWF_ constant.
 *
 * A context is a bigint (aio_context_t). The kernel reads a request's buffers after
 * io_submit returns and writes a read's bytes into them whenever it completes, so an
 * `Iocb` holds its buffers, and a submitted one is held by its context until
 * ioGetevents (or ioPgetevents) hands back its completion or ioDestroy ends the context:
 * the collector cannot free memory the kernel still uses.
 */
import { ptr } from "bun:ffi";
import { helpers } from "../../bunffi/load.ts";
import { check, errorFor, EAGAIN, EINTR, type CallSpec } from "../core/errors.ts";
import { ERRNO } from "../core/errno.ts";
import * as v from "../core/validate.ts";
import { readProcFile } from "../core/proc.ts";

const lib = helpers("aio.c", {
  bt_io_setup: { args: ["i32", "ptr"], returns: "i32" },
  bt_io_destroy: { args: ["u64"], returns: "i32" },
  bt_io_submit: { args: ["u64", "i32", "ptr"], returns: "i32" },
  bt_io_cancel: { args: ["u64", "ptr", "ptr"], returns: "i32" },
  bt_io_getevents: { args: ["u64", "i32", "i32", "ptr", "ptr"], returns: "i32" },
  bt_io_pgetevents: { args: ["u64", "i32", "i32", "ptr", "ptr", "ptr"], returns: "i32" },
  bt_iocb_pack: { args: ["ptr", "i32", "i32", "u64", "u64", "i64", "i32", "i32", "i32", "i32", "u64"], returns: "void" },
  bt_aio_reap: { args: ["u64", "i32", "ptr", "i32"], returns: "i32" },
  bt_aio_setup_owned: { args: ["i32", "ptr", "ptr"], returns: "i32" },
  bt_aio_release: { args: ["u64"], returns: "i32" },
});
/** The family's helpers, for its objects. @internal */
export const aioLib = lib;

/** io_submit opcode: pread into `buffer`. */
export const IOCB_CMD_PREAD = 0;
/** io_submit opcode: pwrite from `buffer`. */
export const IOCB_CMD_PWRITE = 1;
/** io_submit opcode: fsync the fd. */
export const IOCB_CMD_FSYNC = 2;
/** io_submit opcode: fdatasync the fd. */
export const IOCB_CMD_FDSYNC = 3;
/** io_submit opcode: wait for poll `events` on the fd; the result is the events that happened (since 4.18). */
export const IOCB_CMD_POLL = 5;
/** io_submit opcode: nothing (the kernel refuses it, EINVAL: it exists in the ABI only). */
export const IOCB_CMD_NOOP = 6;
/** io_submit opcode: preadv into `buffers`. */
export const IOCB_CMD_PREADV = 7;
/** io_submit opcode: pwritev from `buffers`. */
export const IOCB_CMD_PWRITEV = 8;
/** iocb flag: signal the eventfd `resfd` when the request completes. */
export const IOCB_FLAG_RESFD = 1;
/** iocb flag: `reqprio` is an I/O priority (ioprio_set(2)'s encoding). */
export const IOCB_FLAG_IOPRIO = 2;
/** Per-request flag (aio_rw_flags, as preadv2(2)): high-priority polled I/O. */
export const RWF_HIPRI = 1;
/** Per-request flag: a write with O_DSYNC's guarantee. */
export const RWF_DSYNC = 2;
/** Per-request flag: a write with O_SYNC's guarantee. */
export const RWF_SYNC = 4;
/** Per-request flag: fail with EAGAIN instead of waiting (for data not in the page cache, say). */
export const RWF_NOWAIT = 8;
/** Per-request flag: append, whatever the offset. */
export const RWF_APPEND = 0x10;
const EINPROGRESS = ERRNO.EINPROGRESS!;
/** Every RWF_ flag a request may carry. @internal */
export const RWF_ALL = RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND;
const OPCODES = [IOCB_CMD_PREAD, IOCB_CMD_PWRITE, IOCB_CMD_FSYNC, IOCB_CMD_FDSYNC, IOCB_CMD_POLL, IOCB_CMD_NOOP, IOCB_CMD_PREADV, IOCB_CMD_PWRITEV];

export const IO_SETUP: CallSpec = { syscall: "io_setup", family: "aio", errnos: ["EAGAIN", "EFAULT", "EINVAL", "ENOMEM", "ENOSYS"] };
export const IO_DESTROY: CallSpec = { syscall: "io_destroy", family: "aio", errnos: ["EFAULT", "EINVAL", "ENOSYS"] };
// EOPNOTSUPP is not on the page: it is the kernel's answer to an RWF_ flag the file
// cannot honour (RWF_NOWAIT on a filesystem without it), documented here so that it is an OSError.
export const IO_SUBMIT: CallSpec = { syscall: "io_submit", family: "aio", errnos: ["EAGAIN", "EBADF", "EFAULT", "EINVAL", "ENOSYS", "EPERM", "EOPNOTSUPP"] };
export const IO_GETEVENTS: CallSpec = { syscall: "io_getevents", family: "aio", errnos: ["EFAULT", "EINTR", "EINVAL", "ENOSYS"] };
export const IO_PGETEVENTS: CallSpec = { syscall: "io_pgetevents", family: "aio", errnos: ["EFAULT", "EINTR", "EINVAL", "ENOSYS"] };
export const IO_CANCEL: CallSpec = { syscall: "io_cancel", family: "aio", errnos: ["EAGAIN", "EFAULT", "EINVAL", "ENOSYS"] };
// A completion's negative result is the errno of the operation the kernel ran: the
// errors read(2), write(2), fsync(2) and poll(2) list. ECANCELED: a cancelled request.
export const AIO_READ: CallSpec = { syscall: "read", family: "aio-result", errnos: ["EAGAIN", "EBADF", "EFAULT", "EINTR", "EINVAL", "EIO", "EISDIR", "ECANCELED"] };
export const AIO_WRITE: CallSpec = { syscall: "write", family: "aio-result", errnos: ["EAGAIN", "EBADF", "EDESTADDRREQ", "EDQUOT", "EFAULT", "EFBIG", "EINTR", "EINVAL", "EIO", "ENOSPC", "EPERM", "EPIPE", "ECANCELED"] };
export const AIO_FSYNC: CallSpec = { syscall: "fsync", family: "aio-result", errnos: ["EBADF", "EDQUOT", "EINTR", "EINVAL", "EIO", "ENOSPC", "EROFS", "ECANCELED"] };
export const AIO_POLL: CallSpec = { syscall: "poll", family: "aio-result", errnos: ["EFAULT", "EINTR", "EINVAL", "ENOMEM", "ECANCELED"] };
/** The call a completion's errno belongs to, by opcode. @internal */
export function completionCall(opcode: number) {
  if (opcode === IOCB_CMD_PREAD || opcode === IOCB_CMD_PREADV) return AIO_READ;
  if (opcode === IOCB_CMD_PWRITE || opcode === IOCB_CMD_PWRITEV) return AIO_WRITE;
  return opcode === IOCB_CMD_POLL ? AIO_POLL : AIO_FSYNC;
}

/** What a request is made of: the opcode, the fd, and what that opcode reads. */
export interface IocbInit {
  /** an IOCB_CMD_* opcode */
  opcode: number;
  /** the file (or, for IOCB_CMD_POLL, anything pollable) */
  fd: number;
  /** IOCB_CMD_PREAD/PWRITE: the memory read into or written from */
  buffer?: ArrayBufferView;
  /** IOCB_CMD_PREADV/PWRITEV: the memory, in order (at most 1024 pieces) */
  buffers?: readonly ArrayBufferView[];
  /** the file position (reads and writes); default 0 */
  offset?: bigint | number;
  /** IOCB_CMD_POLL: the poll(2) events waited for (POLLIN = 1, POLLOUT = 4, ...) */
  events?: number;
  /** RWF_* flags of this request */
  rwFlags?: number;
  /** with IOCB_FLAG_IOPRIO: the request's I/O priority */
  reqprio?: number;
  /** IOCB_FLAG_* flags; IOCB_FLAG_RESFD is set when `resfd` is given */
  flags?: number;
  /** an eventfd to signal at completion (sets IOCB_FLAG_RESFD) */
  resfd?: number;
  /** the caller's tag, handed back in the completion (aio_data); default 0 */
  data?: bigint;
}

/**
 * The address and length of memory the kernel will use after the call returns. Reading
 * `.buffer` first gives a small typed array an ArrayBuffer of its own, where its bytes
 * then stay: JSC would otherwise move them there later, under the kernel. @internal
 */
export function address(view: ArrayBufferView, what: string): [number, number] {
  if (!ArrayBuffer.isView(view)) throw new TypeError(`${what} must be a TypedArray, Buffer or DataView`);
  void view.buffer;
  return [view.byteLength === 0 ? 0 : (ptr(view as Uint8Array) as number), view.byteLength];
}

/**
 * The iovec array of IOCB_CMD_PREADV/PWRITEV for `buffers` (1 to 1024 views), with each
 * piece's [address, length] and what the request must hold while the kernel uses them.
 * `why` ends the TypeError for a bad list. @internal
 */
export function iovec(buffers: unknown, why: string): { iov: BigUint64Array; pieces: [number, number][]; hold: unknown[] } {
  if (!Array.isArray(buffers) || buffers.length === 0 || buffers.length > 1024) {
    throw new TypeError(`buffers must be an array of 1 to 1024 TypedArrays${why}`);
  }
  const pieces = buffers.map((b, i) => address(b, `buffers[${i}]`));
  const iov = new BigUint64Array(new ArrayBuffer(16 * pieces.length));
  pieces.forEach(([a, n], i) => {
    iov[2 * i] = BigInt(a);
    iov[2 * i + 1] = BigInt(n);
  });
  return { iov, pieces, hold: [iov, ...buffers] };
}

/**
 * One AIO request (struct iocb), packed by the C helper into 64 bytes of its own, which
 * stay at one address: io_cancel finds a request by that address. It holds the memory
 * its opcode reads or writes for as long as it lives.
 */
export class Iocb {
  /** the IOCB_CMD_* opcode */
  readonly opcode: number;
  /** the fd */
  readonly fd: number;
  /** the caller's tag (aio_data) */
  readonly data: bigint;
  /** the 64 bytes the kernel reads at submit, and whose address io_cancel takes. @internal */
  readonly bytes = new Uint8Array(new ArrayBuffer(64));
  /** Where the kernel knows this request by (its address). @internal */
  readonly address = ptr(this.bytes) as number;
  // what the kernel reads or writes while the request is in flight
  readonly #hold: unknown[];

  /**
   * @throws TypeError or RangeError for a bad field (an unknown opcode, a buffer missing
   * for its opcode, more than 1024 buffers, unknown flag bits).
   */
  constructor(init: IocbInit) {
    const o = v.options(init, "iocb");
    const op = v.int(o.opcode, "opcode", 0, 0xffff);
    if (!OPCODES.includes(op)) throw new RangeError(`opcode ${op} is not an IOCB_CMD_* opcode`);
    const fd = v.fd(o.fd);
    let buf = 0;
    let nbytes = 0;
    const hold: unknown[] = [];
    if (op === IOCB_CMD_PREAD || op === IOCB_CMD_PWRITE) {
      if (o.buffer === undefined) throw new TypeError("buffer is required for IOCB_CMD_PREAD and IOCB_CMD_PWRITE");
      [buf, nbytes] = address(o.buffer, "buffer");
      hold.push(o.buffer);
    } else if (op === IOCB_CMD_PREADV || op === IOCB_CMD_PWRITEV) {
      const vec = iovec(o.buffers, " for IOCB_CMD_PREADV and IOCB_CMD_PWRITEV");
      buf = ptr(vec.iov) as number;
      nbytes = vec.pieces.length;
      hold.push(...vec.hold);
    } else if (op === IOCB_CMD_POLL) {
      buf = v.int(o.events ?? 0, "events", 0, 0xffff);
    }
    const offset = v.bigint(o.offset ?? 0, "offset", 0n, v.I64_MAX);
    let flags = v.flags(o.flags ?? 0, "flags", IOCB_FLAG_RESFD | IOCB_FLAG_IOPRIO);
    const resfd = o.resfd === undefined ? 0 : v.fd(o.resfd, "resfd");
    if (o.resfd !== undefined) flags |= IOCB_FLAG_RESFD;
    const rw = v.flags(o.rwFlags ?? 0, "rwFlags", RWF_ALL);
    const prio = v.int(o.reqprio ?? 0, "reqprio", -0x8000, 0x7fff);
    const data = v.bigint(o.data ?? 0n, "data", 0n, v.U64_MAX);
    lib().bt_iocb_pack(this.bytes, op, fd, buf, nbytes, offset, flags, resfd, rw, prio, data);
    this.opcode = op;
    this.fd = fd;
    this.data = data;
    this.#hold = hold;
  }
}

/** A completion (struct io_event). */
export interface IoEvent {
  /** the request's `data` tag */
  data: bigint;
  /** the request, when it was submitted through ioSubmit and its context still holds it */
  iocb: Iocb | undefined;
  /** the result: bytes moved, the poll events, 0 for a sync, or -errno */
  res: number;
  /** a second result (0 for files) */
  res2: number;
}

// What each context has in flight, by the request's address: held until reaped.
const inFlight = new Map<bigint, Map<number, Iocb>>();

const ctxOut = new BigUint64Array(1);
/**
 * io_setup(2): a context for `nrEvents` requests in flight at once. Returns it; give it
 * back with ioDestroy.
 * @throws {@link OSError} EAGAIN (the system's aio-max-nr would be exceeded, or `nrEvents` is above it; the message gives the figures), ENOMEM; RangeError for a bad `nrEvents`.
 */
export function ioSetup(nrEvents: number): bigint {
  const n = v.int(nrEvents, "nrEvents", 1, 0x7fffffff);
  const r = lib().bt_io_setup(n, ctxOut);
  if (r < 0) throw setupError(r);
  return ctxOut[0]!;
}

/** io_setup's error; EAGAIN says what the system allows and what is taken. @internal */
export function setupError(r: number): Error {
  return errorFor(r, IO_SETUP, undefined, r === -EAGAIN ? aioLimits() : undefined);
}

/** What EAGAIN from io_setup means, with the system's figures. */
function aioLimits(): string {
  const read = (f: string) => {
    try {
      return readProcFile(`/proc/sys/fs/${f}`).toString("latin1").trim();
    } catch {
      return "?";
    }
  };
  return `the system allows ${read("aio-max-nr")} requests in all AIO contexts together (/proc/sys/fs/aio-max-nr) and ${read("aio-nr")} are taken (/proc/sys/fs/aio-nr: each context counts its capacity)`;
}

function ctxArg(ctx: unknown): bigint {
  return v.bigint(ctx, "ctx", 0n, v.U64_MAX);
}

/**
 * io_destroy(2): cancels what can be cancelled, waits for every request in flight, and
 * ends the context. Its unreaped completions are gone with it (and so is the hold on
 * their requests).
 * @throws {@link OSError} EINVAL (not a context of this process).
 */
export function ioDestroy(ctx: bigint): void {
  const c = ctxArg(ctx);
  check(lib().bt_io_destroy(c), IO_DESTROY);
  inFlight.delete(c);
}

/**
 * io_submit(2): hands `iocbs` to the kernel, in order. Returns how many it took: fewer
 * than given when it stopped at one it could not take (the rest were not submitted; a
 * second call from that one reports why). 0 for an empty list.
 * @throws {@link OSError} for the first request: EAGAIN (no room, or resources), EBADF (a bad fd), EINVAL (a bad context, opcode or field, or an fd that does not support the opcode), EOPNOTSUPP (an RWF_ flag the file cannot honour, such as RWF_NOWAIT on a filesystem without it).
 */
export function ioSubmit(ctx: bigint, iocbs: readonly Iocb[]): number {
  const c = ctxArg(ctx);
  if (!Array.isArray(iocbs) || iocbs.some((x) => !(x instanceof Iocb))) throw new TypeError("iocbs must be an array of Iocb");
  if (iocbs.length === 0) return 0;
  const list = new BigUint64Array(iocbs.length);
  iocbs.forEach((x, i) => (list[i] = BigInt(x.address)));
  const n = check(lib().bt_io_submit(c, iocbs.length, list), IO_SUBMIT);
  let held = inFlight.get(c);
  if (held === undefined) inFlight.set(c, (held = new Map()));
  for (let i = 0; i < n; i++) held.set(iocbs[i]!.address, iocbs[i]!);
  return n;
}

/** A wait's limit: milliseconds (0: do not wait), or null for none. */
function timespec(timeout: unknown): BigInt64Array | null {
  if (timeout === null || timeout === undefined) return null;
  if (typeof timeout !== "number" || !(timeout >= 0) || !Number.isFinite(timeout)) {
    throw new RangeError(`timeout must be a finite number of milliseconds >= 0, or null, got ${String(timeout)}`);
  }
  const ms = Math.floor(timeout);
  return BigInt64Array.of(BigInt(Math.floor(ms / 1000)), BigInt((ms % 1000) * 1e6 + Math.round((timeout - ms) * 1e6)));
}

/** Decodes `n` io_events and lets go of the requests they complete. @internal */
export function decodeEvents(ctx: bigint, raw: BigInt64Array, n: number): IoEvent[] {
  const held = inFlight.get(ctx);
  const out: IoEvent[] = [];
  for (let i = 0; i < n; i++) {
    const obj = Number(BigInt.asUintN(64, raw[4 * i + 1]!));
    const iocb = held?.get(obj);
    held?.delete(obj);
    out.push({ data: BigInt.asUintN(64, raw[4 * i]!), iocb, res: Number(raw[4 * i + 2]!), res2: Number(raw[4 * i + 3]!) });
  }
  return out;
}

function getevents(call: typeof IO_GETEVENTS, ctx: bigint, minNr: number, nr: number, timeout: number | null | undefined, mask: BigUint64Array | null): IoEvent[] {
  const c = ctxArg(ctx);
  const max = v.int(nr, "nr", 1, 0x7fffffff);
  const min = v.int(minNr, "minNr", 0, max);
  const ts = timespec(timeout);
  const raw = new BigInt64Array(4 * max);
  const deadline = ts === null ? 0 : Bun.nanoseconds() + Number(ts[0]!) * 1e9 + Number(ts[1]!);
  for (;;) {
    const r = call === IO_GETEVENTS ? lib().bt_io_getevents(c, min, max, raw, ts) : lib().bt_io_pgetevents(c, min, max, raw, ts, mask);
    if (r === -EINTR && call === IO_GETEVENTS) {
      // interrupted by a signal: wait again for what is left of the time
      if (ts !== null) {
        const left = Math.max(0, deadline - Bun.nanoseconds());
        ts[0] = BigInt(Math.floor(left / 1e9));
        ts[1] = BigInt(Math.floor(left % 1e9));
      }
      continue;
    }
    if (r < 0) throw errorFor(r, call);
    return decodeEvents(c, raw, r);
  }
}

/**
 * io_getevents(2): at least `minNr` and at most `nr` completions, waiting up to
 * `timeout` ms (null: as long as it takes; 0: not at all). This blocks the JS thread
 * while it waits; AioContext waits without blocking. A signal's interruption (EINTR) is
 * waited through, for what is left of the time.
 * @throws {@link OSError} EINVAL (a bad context, or `minNr` above `nr`); RangeError for a bad count or timeout.
 */
export function ioGetevents(ctx: bigint, minNr: number, nr: number, timeout: number | null = null): IoEvent[] {
  return getevents(IO_GETEVENTS, ctx, minNr, nr, timeout, null);
}

/**
 * io_pgetevents (Linux 4.18): ioGetevents with the thread's signal mask set to `mask`
 * while it waits (null: unchanged), as pselect(2) does. The mask is 64 bits, one per
 * signal, as `maskOf(["SIGUSR1"])` makes it. A signal that interrupts it is OSError
 * EINTR: the point of the mask is to be woken by it.
 * @throws {@link OSError} EINTR, EINVAL, ENOSYS (a kernel without it); RangeError for a bad mask.
 */
export function ioPgetevents(ctx: bigint, minNr: number, nr: number, timeout: number | null, mask: bigint | null): IoEvent[] {
  return getevents(IO_PGETEVENTS, ctx, minNr, nr, timeout, mask === null ? null : BigUint64Array.of(v.bigint(mask, "mask", 0n, v.U64_MAX)));
}

/**
 * io_cancel(2): asks the kernel to cancel `iocb`. Returns true when it will (the
 * kernel's EINPROGRESS): the cancelled request's completion then arrives through
 * io_getevents, as every other. Only some requests can be
 * cancelled at all (IOCB_CMD_POLL, and some devices' reads and writes): for a read or
 * write of a regular file the kernel says EINVAL, and the request runs to its end.
 * @throws {@link OSError} EINVAL (a request this kind of file cannot cancel, not in flight, or a bad context), EAGAIN (it was not cancelled).
 */
export function ioCancel(ctx: bigint, iocb: Iocb): boolean {
  const c = ctxArg(ctx);
  if (!(iocb instanceof Iocb)) throw new TypeError("iocb must be an Iocb");
  const result = new BigInt64Array(4);
  const r = lib().bt_io_cancel(c, iocb.bytes, result);
  if (r === -EINPROGRESS || r === 0) return true;
  throw errorFor(r, IO_CANCEL);
}
