/**
 * A pipe with both ends owned: `using p = new Pipe()`. Each end is an FdObject of its
 * own (closed on close(), by the collector, and at its thread's end), so one end can be
 * handed on or closed early, as a writer must be after `Bun.spawn` took it.
 */
import { FdObject } from "../core/fd.ts";
import { close as closeFd } from "../core/io.ts";
import * as v from "../core/validate.ts";
import { O_CLOEXEC, O_DIRECT, O_NONBLOCK, fionread, getPipeSize, pipe2, pipeMaxSize, setPipeSize, vmsplice } from "./calls.ts";

/** How {@link Pipe} makes its pipe. */
export interface PipeOptions {
  /** O_NONBLOCK on both ends (default false; butter's movers do not need it). */
  nonblocking?: boolean;
  /** O_DIRECT: packet mode, each write one packet (default false). */
  packet?: boolean;
  /** Ask for this capacity in bytes at once (see {@link Pipe.resize}). */
  size?: number;
  /** Keep the ends across exec (default false: close-on-exec, as everywhere in butter). */
  inheritable?: boolean;
}

/** One end of a {@link Pipe}. */
export class PipeEnd extends FdObject {}

/**
 * A pipe whose two ends butter owns: `reader` and `writer` (each an {@link FdObject}),
 * its capacity (`size`, `resize()`), what it holds (`available()`), and `vmsplice`.
 */
export class Pipe implements Disposable {
  /** The read end. */
  readonly reader: PipeEnd;
  /** The write end. */
  readonly writer: PipeEnd;

  /**
   * pipe2(2), close-on-exec.
   * @throws {@link OSError} EMFILE, ENFILE; from F_SETPIPE_SZ for a `size` it refuses (both ends are closed then).
   */
  constructor(opts?: PipeOptions) {
    const o = v.options(opts, "pipe options");
    let flags = o.inheritable ? 0 : O_CLOEXEC;
    if (o.nonblocking) flags |= O_NONBLOCK;
    if (o.packet) flags |= O_DIRECT;
    const [r, w] = pipe2(flags);
    try {
      this.reader = new PipeEnd(r);
    } catch (e) {
      closeFd(w);
      throw e;
    }
    this.writer = new PipeEnd(w);
    if (o.size !== undefined) {
      try {
        this.resize(o.size);
      } catch (e) {
        this.close();
        throw e;
      }
    }
  }

  /** The capacity in bytes (F_GETPIPE_SZ). */
  get size(): number {
    return getPipeSize(this.reader.fileno());
  }

  /**
   * Sets the capacity to at least `bytes` (F_SETPIPE_SZ) and returns what it became.
   * @throws PermissionError (EPERM) above {@link Pipe.maxSize} without CAP_SYS_RESOURCE; OSError EBUSY below what the pipe holds.
   */
  resize(bytes: number): number {
    return setPipeSize(this.reader.fileno(), bytes);
  }

  /** /proc/sys/fs/pipe-max-size: the largest capacity an unprivileged process may set. */
  static get maxSize(): number {
    return pipeMaxSize();
  }

  /** Bytes waiting to be read (FIONREAD). */
  available(): number {
    return fionread(this.reader.fileno());
  }

  /** vmsplice(2) into the write end: see {@link vmsplice} for the rule that makes it safe. */
  vmsplice(segments: Uint8Array | readonly Uint8Array[], flags = 0): number {
    return vmsplice(this.writer.fileno(), segments, flags);
  }

  /** True once both ends are closed. */
  get closed(): boolean {
    return this.reader.closed && this.writer.closed;
  }

  /** Closes both ends (each idempotently). */
  close(): void {
    try {
      this.writer.close();
    } finally {
      this.reader.close();
    }
  }

  /** `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
