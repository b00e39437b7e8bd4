/**
 * `AioContext`: Linux AIO as promises. Requests made in one synchronous run of the
 * program go to the kernel together at its end (io_submit calls of `submitBatch`);
 * completions ring the context's eventfd
 * (IOCB_FLAG_RESFD), which butter's reactor waits on, and one wake-up reaps every
 * completion there is. docs/aio.md.
 */
import { ptr, type Pointer } from "bun:ffi";
import { FdObject } from "../core/fd.ts";
import { errorFor, OSError, EAGAIN } from "../core/errors.ts";
import { ERRNO } from "../core/errno.ts";
import { cancel, waitReadable } from "../core/reactor.ts";
import { eventfd, EFD_CLOEXEC, EFD_NONBLOCK } from "../eventfd/calls.ts";
import * as v from "../core/validate.ts";
import {
  address, aioLib, completionCall, iovec, setupError, IO_DESTROY, IO_GETEVENTS, IO_SUBMIT, RWF_ALL,
  IOCB_CMD_FDSYNC, IOCB_CMD_FSYNC, IOCB_CMD_POLL, IOCB_CMD_PREAD, IOCB_CMD_PREADV, IOCB_CMD_PWRITE, IOCB_CMD_PWRITEV,
  IOCB_FLAG_IOPRIO, IOCB_FLAG_RESFD,
} from "./calls.ts";
import { OWN_AT } from "../core/io.ts";

// A context dropped without close(): the collector destroys it (its eventfd is closed as
// every object's fd is). Holds the context's number only, never the object.
const destroyed = new FinalizationRegistry<bigint>((ctx) => {
  aioLib().bt_aio_release(ctx);
});

const EINVAL = ERRNO.EINVAL!;
const ECANCELED = ERRNO.ECANCELED!;
const EINPROGRESS = ERRNO.EINPROGRESS!;
// O_DIRECT's alignment: what a misaligned request is checked against for the explanation
const BLOCK = 512;

/**
 * The most iocbs one io_submit(2) of a context passes by default. io_submit holds the
 * block requests of a call of more than 2 (fs/aio.c's AIO_PLUG_THRESHOLD) until the call
 * ends, so a device waits for the whole batch's submission (about 120 us for 32 O_DIRECT
 * reads here) with nothing to do; calls of 2 reach it one by one. Measured at queue
 * depth 32: 0.85-0.88x fio in calls of 2, 0.72-0.82x in one call of 32 (docs/aio.md).
 */
export const DEFAULT_SUBMIT_BATCH = 2;

/** Options of a context. */
export interface AioContextOptions {
  /**
   * the most requests one io_submit passes, 1 to 65536; default
   * {@link DEFAULT_SUBMIT_BATCH}. More saves system calls where nothing waits on a
   * device (cached files, tmpfs); see the constant for what it costs a device.
   */
  submitBatch?: number;
}

/** Options of one request. */
export interface AioOptions {
  /** aborting it asks the kernel to cancel the request (see {@link AioContext}) */
  signal?: AbortSignal;
  /** RWF_* flags of this request (RWF_NOWAIT, RWF_DSYNC, ...) */
  rwFlags?: number;
  /** an I/O priority for this request (ioprio_set(2)'s encoding; sets IOCB_FLAG_IOPRIO) */
  ioprio?: number;
}

interface Request {
  opcode: number;
  fd: number;
  buf: number;
  nbytes: number;
  offset: bigint;
  rwFlags: number;
  ioprio: number | undefined;
  // the memory the kernel reads or writes, held until the completion
  hold: unknown;
  // for the O_DIRECT explanation: [address, length] of each piece
  pieces: [number, number][];
  resolve(n: number): void;
  reject(e: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  slot: number;
  cancelled: boolean;
}

/** What a request hands the kernel: the iocb's buf and nbytes, and what must live as long. */
interface Memory {
  buf: number;
  nbytes: number;
  hold: unknown;
  pieces: [number, number][];
}

const none = (): Memory => ({ buf: 0, nbytes: 0, hold: undefined, pieces: [] });

function one(buffer: ArrayBufferView): Memory {
  const [buf, len] = address(buffer, "buffer");
  return { buf, nbytes: len, hold: buffer, pieces: [[buf, len]] };
}

function vector(buffers: readonly ArrayBufferView[]): Memory {
  const { iov, pieces, hold } = iovec(buffers, "");
  return { buf: ptr(iov) as number, nbytes: pieces.length, hold, pieces };
}

/**
 * A Linux AIO context whose requests are promises: `read`, `readv`, `write`, `writev`,
 * `fsync`, `fdsync` and `poll`. Up to `capacity` requests are in the kernel at once; more
 * wait in line (never EAGAIN for the caller). Owns the context and the eventfd its
 * completions ring; `close()` or `using` gives both back, and so do the collector and the
 * end of the thread that made it.
 *
 * A request's buffer must stay as it is until its promise settles: the kernel reads or
 * writes it then. The request holds it, so the collector cannot take it; do not
 * transfer() or resize its ArrayBuffer meanwhile.
 */
export class AioContext extends FdObject implements AsyncDisposable {
  /** the kernel's context (aio_context_t), for the 1:1 calls */
  readonly ctx: bigint;
  /** how many requests can be in the kernel at once */
  readonly capacity: number;
  /** the most requests one io_submit passes */
  readonly submitBatch: number;
  // one iocb of 64 bytes per slot, at a stable address; a slot is a request in flight
  readonly #slab: Uint8Array;
  readonly #base: number;
  readonly #slots: (Request | undefined)[];
  readonly #free: number[];
  readonly #queue: Request[] = [];
  readonly #list: BigUint64Array;
  readonly #events: BigInt64Array;
  #inFlight = 0;
  #flushing = false;
  #waiting = false;
  #drained: (() => void)[] = [];
  #submits = 0;
  // false until the context exists: a constructor that fails closes the eventfd alone
  #made = false;
  #closeError: Error | undefined;

  /**
   * @param capacity - requests in the kernel at once (io_setup's nr_events), 1 to 65536; default 128
   * @param options - `submitBatch`: see {@link AioContextOptions}
   * @throws {@link OSError} from io_setup: EAGAIN when the system's aio-max-nr
   * (/proc/sys/fs/aio-max-nr) would be exceeded, ENOSYS without AIO; from eventfd:
   * EMFILE, ENFILE.
   */
  constructor(capacity = 128, options: AioContextOptions = {}) {
    const n = v.int(capacity, "capacity", 1, 65536);
    const o = v.options(options);
    const batch = o.submitBatch === undefined ? DEFAULT_SUBMIT_BATCH : v.int(o.submitBatch, "submitBatch", 1, 65536);
    super(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    // io_setup and the record that destroys the context at this thread's end, in one call
    // (a Worker ended between two would leave the context behind)
    const out = new BigUint64Array(1);
    const at = new Int32Array(1);
    const r = aioLib().bt_aio_setup_owned(n, out, at);
    if (r < 0) {
      super.close();
      throw at[0] ? errorFor(r, OWN_AT[at[0]]!) : setupError(r);
    }
    const ctx = out[0]!;
    destroyed.register(this, ctx, this);
    this.#made = true;
    this.ctx = ctx;
    this.capacity = n;
    this.submitBatch = batch;
    this.#slab = new Uint8Array(new ArrayBuffer(64 * n));
    this.#base = ptr(this.#slab) as number;
    this.#slots = new Array(n).fill(undefined);
    this.#free = Array.from({ length: n }, (_, i) => n - 1 - i);
    this.#list = new BigUint64Array(n);
    this.#events = new BigInt64Array(4 * n);
  }

  /** Requests in the kernel now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests waiting for room in the context. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Reads into `buffer` from `fd` at `offset` (IOCB_CMD_PREAD). Resolves with the bytes
   * read (fewer at the end of the file; 0 past it).
   * @throws (as a rejection) {@link OSError} with read(2)'s errno, EINVAL with an explanation for a misaligned O_DIRECT request, EBADF; the signal's reason when aborted and cancelled.
   */
  read(fd: number, buffer: ArrayBufferView, offset: bigint | number, opts?: AioOptions): Promise<number> {
    return this.#request(IOCB_CMD_PREAD, fd, () => one(buffer), offset, opts);
  }

  /** Reads into `buffers`, in order, from `fd` at `offset` (IOCB_CMD_PREADV): a scatter read. Resolves with the bytes read. */
  readv(fd: number, buffers: readonly ArrayBufferView[], offset: bigint | number, opts?: AioOptions): Promise<number> {
    return this.#request(IOCB_CMD_PREADV, fd, () => vector(buffers), offset, opts);
  }

  /** Writes `buffer` to `fd` at `offset` (IOCB_CMD_PWRITE). Resolves with the bytes written. */
  write(fd: number, buffer: ArrayBufferView, offset: bigint | number, opts?: AioOptions): Promise<number> {
    return this.#request(IOCB_CMD_PWRITE, fd, () => one(buffer), offset, opts);
  }

  /** Writes `buffers`, in order, to `fd` at `offset` (IOCB_CMD_PWRITEV): a gather write. Resolves with the bytes written. */
  writev(fd: number, buffers: readonly ArrayBufferView[], offset: bigint | number, opts?: AioOptions): Promise<number> {
    return this.#request(IOCB_CMD_PWRITEV, fd, () => vector(buffers), offset, opts);
  }

  /** fsync(2) of `fd`, in the kernel's time (IOCB_CMD_FSYNC). Resolves with 0. Not every filesystem has it: EINVAL then. */
  fsync(fd: number, opts?: AioOptions): Promise<number> {
    return this.#request(IOCB_CMD_FSYNC, fd, none, 0, opts);
  }

  /** fdatasync(2) of `fd` (IOCB_CMD_FDSYNC). Resolves with 0. */
  fdsync(fd: number, opts?: AioOptions): Promise<number> {
    return this.#request(IOCB_CMD_FDSYNC, fd, none, 0, opts);
  }

  /**
   * Waits until `fd` has one of the poll(2) `events` (POLLIN = 1, POLLOUT = 4, ...)
   * (IOCB_CMD_POLL, Linux 4.18). Resolves with the events that happened. Sockets, eventfds
   * and pipes can be polled this way; a file the kernel cannot poll so says EINVAL.
   */
  poll(fd: number, events: number, opts?: AioOptions): Promise<number> {
    return this.#request(IOCB_CMD_POLL, fd, () => ({ buf: v.int(events, "events", 1, 0xffff), nbytes: 0, hold: undefined, pieces: [] }), 0, opts);
  }

  /**
   * Closes the context now. Requests still in the kernel are cancelled where the kernel
   * can, and io_destroy(2) waits for the others to end, so no memory is given back while
   * the kernel may still write into it. Their promises reject with OSError ECANCELED (the
   * kernel does not say how they ended); requests still waiting in line reject the same
   * way. To let them finish, `await ctx.drain()` first, or use `await using`.
   */
  override close(): void {
    super.close();
    const e = this.#closeError;
    this.#closeError = undefined;
    if (e !== undefined) throw e;
  }

  /** Resolves once no request is in flight or waiting. */
  drain(): Promise<void> {
    if (this.#inFlight === 0 && this.#queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.#drained.push(r));
  }

  /** `await using`: waits for every request, then closes. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.closed) await this.drain();
    this.close();
  }

  /** Takes the context down before the eventfd closes. @internal */
  protected override beforeClose(fd: number): void {
    if (!this.#made) return;
    if (this.#waiting) cancel(fd);
    this.#waiting = false;
    // what completed already is delivered; what is still in the kernel, io_destroy waits for
    if (this.#inFlight > 0) {
      try {
        this.#take(fd);
      } catch {
        // then those requests end as the others in the kernel do, below
      }
    }
    destroyed.unregister(this);
    const r = aioLib().bt_aio_release(this.ctx);
    const gone = (why: string) => new OSError(ECANCELED, "io_destroy", undefined, why);
    for (const req of this.#slots) {
      if (req !== undefined) this.#settle(req, undefined, gone("the AioContext was closed with this request in the kernel; the kernel finished or cancelled it, and io_destroy does not say which"));
    }
    this.#slots.fill(undefined);
    this.#inFlight = 0;
    for (const req of this.#queue.splice(0)) this.#settle(req, undefined, gone("the AioContext was closed before this request was submitted"));
    this.#wakeDrained();
    // thrown by close() once the object is closed: Linux has let go of the context either way
    if (r < 0) this.#closeError = errorFor(r, IO_DESTROY);
  }

  // Every argument error is a rejection, as every kernel error is.
  #request(opcode: number, fd: number, what: () => Memory, offset: bigint | number, opts: AioOptions | undefined): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.openFd(opcode === IOCB_CMD_POLL ? "poll" : "io_submit");
      const o = v.waitOptions(opts) as AioOptions;
      const m = what();
      const req: Request = {
        opcode,
        fd: v.fd(fd),
        buf: m.buf,
        nbytes: m.nbytes,
        offset: v.bigint(offset, "offset", 0n, v.I64_MAX),
        rwFlags: v.flags(o.rwFlags ?? 0, "rwFlags", RWF_ALL),
        ioprio: o.ioprio === undefined ? undefined : v.int(o.ioprio, "ioprio", 0, 0xffff),
        hold: m.hold,
        pieces: m.pieces,
        resolve,
        reject,
        signal: o.signal,
        onAbort: undefined,
        slot: -1,
        cancelled: false,
      };
      if (o.signal?.aborted) return reject(o.signal.reason);
      if (o.signal) {
        req.onAbort = () => this.#abort(req);
        o.signal.addEventListener("abort", req.onAbort, { once: true });
      }
      this.#queue.push(req);
      this.#schedule();
    });
  }

  /** Submits what waits in line, as far as there is room: io_submit calls of `submitBatch`. Returns how many the kernel took. */
  #flush(): number {
    this.#flushing = false;
    if (this.closed) return 0;
    const lib = aioLib();
    const n = Math.min(this.#queue.length, this.#free.length);
    if (n === 0) return 0;
    const batch = this.#queue.splice(0, n);
    for (let i = 0; i < n; i++) {
      const req = batch[i]!;
      const slot = this.#free.pop()!;
      req.slot = slot;
      const at = (this.#base + 64 * slot) as Pointer;
      const flags = IOCB_FLAG_RESFD | (req.ioprio === undefined ? 0 : IOCB_FLAG_IOPRIO);
      lib.bt_iocb_pack(at, req.opcode, req.fd, req.buf, req.nbytes, req.offset, flags, this.fd, req.rwFlags, req.ioprio ?? 0, slot);
      this.#list[i] = BigInt(at);
    }
    let k = 0;
    let taken = 0;
    while (k < n) {
      this.#submits++;
      const r = lib.bt_io_submit(this.ctx, Math.min(n - k, this.submitBatch), ptr(this.#list, 8 * k));
      if (r > 0) {
        for (let i = k; i < k + r; i++) this.#slots[batch[i]!.slot] = batch[i]!;
        this.#inFlight += r;
        taken += r;
        k += r;
        continue;
      }
      const req = batch[k]!;
      if (r === -EAGAIN && this.#inFlight > 0) {
        // no room in the kernel now: what is left waits for the next completion
        for (let i = n - 1; i >= k; i--) this.#free.push(batch[i]!.slot);
        this.#queue.unshift(...batch.slice(k));
        break;
      }
      // this request cannot be taken (its fd, its opcode, its flags): it fails alone
      this.#free.push(req.slot);
      this.#settle(req, undefined, errorFor(r === 0 ? -EAGAIN : r, IO_SUBMIT));
      k++;
    }
    if (this.#inFlight === 0) {
      this.#idle();
      return taken;
    }
    // Completions that came while JS handled the last ones (or at submit: a cached file's
    // read completes there) are taken now, without waiting for the eventfd's wake-up, a
    // thread hop away: at depth this keeps the device busy. Their callers' next requests
    // come back here in one batch.
    if (!this.#takeOrRetry(this.fd)) return taken;
    if (this.#queue.length > 0 && this.#free.length > 0) this.#schedule();
    else if (this.#inFlight > 0) this.#wait();
    else this.#idle();
    return taken;
  }

  // One flush per synchronous run: requests made before it goes are in its batch.
  #schedule(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    queueMicrotask(() => this.#flush());
  }

  #wait(): void {
    if (this.#waiting) return;
    this.#waiting = true;
    const fd = this.fd;
    waitReadable(fd, () => {
      this.#waiting = false;
      this.#reapOrRetry(fd);
    });
  }

  // A failed reap has reset the eventfd already, so nothing would ring for the
  // completions left in the kernel's ring: look again on a timer until a reap works.
  #reapOrRetry(fd: number): void {
    if (!this.closed && this.#takeOrRetry(fd)) this.#next();
  }

  // What completed, taken; false when the reap failed and a timer will look again.
  #takeOrRetry(fd: number): boolean {
    try {
      this.#take(fd);
      return true;
    } catch {
      this.#retryLater(fd);
      return false;
    }
  }

  #retryLater(fd: number): void {
    this.#waiting = true;
    setTimeout(() => {
      this.#waiting = false;
      this.#reapOrRetry(fd);
    }, 1);
  }

  /**
   * Takes the completions that are there now, without waiting, and settles their
   * promises; returns how many. The context does this by itself when its eventfd rings;
   * a program that polls can call it sooner.
   * @throws {@link OSError} from io_getevents(2) (its completions stay in the kernel, for the next reap).
   */
  reap(): number {
    const fd = this.openFd("io_getevents");
    let n: number;
    try {
      n = this.#take(fd);
    } catch (e) {
      if (this.#inFlight > 0) {
        // a pending wait would not ring: the eventfd was reset
        if (this.#waiting) cancel(fd);
        this.#retryLater(fd);
      }
      throw e;
    }
    this.#next();
    return n;
  }

  /**
   * Hands what waits in line to the kernel now (io_submit calls of `submitBatch`), instead of at the end of
   * this synchronous run of the program; returns how many requests went.
   */
  submit(): number {
    this.openFd("io_submit");
    return this.#flush();
  }

  /** How many io_submit(2) calls this context made (batching shows here). */
  get submits(): number {
    return this.#submits;
  }

  // every completion there is, settled; throws what io_getevents said
  #take(fd: number): number {
    const lib = aioLib();
    const cap = this.capacity;
    const ev = this.#events;
    let total = 0;
    for (;;) {
      const r = lib.bt_aio_reap(this.ctx, fd, ev, cap);
      if (r < 0) throw errorFor(r, IO_GETEVENTS);
      for (let i = 0; i < r; i++) {
        const slot = Number(ev[4 * i]!);
        // every completion is of a slot in flight: a slot is freed only here, or with the context
        const req = this.#slots[slot]!;
        this.#slots[slot] = undefined;
        this.#free.push(slot);
        this.#inFlight--;
        this.#settle(req, Number(ev[4 * i + 2]!));
      }
      total += r;
      if (r < cap || this.#inFlight === 0) return total;
    }
  }

  // after a reap: what waits goes in, and the context waits while anything is in flight
  #next(): void {
    if (this.#queue.length > 0) this.#flush();
    else if (this.#inFlight > 0) this.#wait();
    else this.#idle();
  }

  // Nothing in flight: a wait still armed (after a reap the program made) would keep the
  // process alive for nothing.
  #idle(): void {
    if (this.#waiting) {
      cancel(this.fd);
      this.#waiting = false;
    }
    this.#wakeDrained();
  }

  #settle(req: Request, res: number | undefined, err?: unknown): void {
    if (req.onAbort) req.signal!.removeEventListener("abort", req.onAbort);
    req.hold = undefined;
    if (err !== undefined) return req.reject(err);
    if (req.cancelled) return req.reject(req.signal!.reason);
    if (res! >= 0) return req.resolve(res!);
    req.reject(errorFor(res!, completionCall(req.opcode), undefined, res === -EINVAL ? misaligned(req) : undefined));
  }

  #abort(req: Request): void {
    const queued = this.#queue.indexOf(req);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      this.#settle(req, undefined, req.signal!.reason);
      if (this.#inFlight === 0 && this.#queue.length === 0) this.#idle();
      return;
    }
    // Not in line, so in the kernel (a settled request has no listener left). The kernel
    // cancels what it can (a poll); a file's read or write runs to its end, and its
    // promise then settles with what the kernel did.
    const r = aioLib().bt_io_cancel(this.ctx, (this.#base + 64 * req.slot) as Pointer, this.#events);
    if (r === -EINPROGRESS || r === 0) req.cancelled = true;
  }

  #wakeDrained(): void {
    for (const r of this.#drained.splice(0)) r();
  }
}

/** For EINVAL: why, when the request is not aligned as O_DIRECT needs (a read or write; others have no pieces). */
function misaligned(req: Request): string | undefined {
  const bad = req.offset % BigInt(BLOCK) !== 0n || req.pieces.some(([a, n]) => a % BLOCK !== 0 || n % BLOCK !== 0);
  return bad
    ? "the request is not aligned: on an fd opened with O_DIRECT, the buffer's address, its length and the offset must be multiples of the device's logical block size (512 or 4096 bytes); alignedBuffer() gives such memory"
    : undefined;
}
