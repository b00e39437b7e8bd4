/**
 * Moving bytes between fds without copying them through JS: spliceAll and teeTo. Each
 * step is a non-blocking splice(2) or tee(2); on EAGAIN the mover asks which end is not
 * ready and waits for it through the reactor (readable or writable), so the JS thread
 * never blocks on a pipe or a socket.
 */
import { OSError, EAGAIN, EBADF, EINTR, errorFor } from "../core/errors.ts";
import { ERRNO } from "../core/errno.ts";
import { READABLE, WRITABLE, ready } from "../core/reactor.ts";
import * as v from "../core/validate.ts";
import { MAX_RW_COUNT, SPLICE, SPLICE_F_MOVE, SPLICE_F_NONBLOCK, TEE, getPipeSize, growPipe, pipeMaxSize, readyNow, splice, tee } from "./calls.ts";
import { Pipe } from "./pipe.ts";

/** An fd, or anything that has one: a butter object, a Bun socket (`socket.fd`). */
export type FdLike =
  | number
  | {
      /** the fd; -1 for a closed butter object */
      readonly fd: number;
    };

/** What spliceAll and teeTo take besides their fds. */
export interface MoveOptions {
  /** Move at most this many bytes (default: until the input's end). */
  length?: number;
  /** Stop early: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The error a mover rejects with carries how far it got: `bytesMoved` is what reached
 * the output (for teeTo, every output) before the failure or the abort.
 */
export interface MoveProgress {
  /** bytes that reached the output (every output, for teeTo) */
  bytesMoved?: number;
}

const FLAGS = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;

function fdOf(x: unknown, what: string): number {
  if (typeof x === "number") return v.fd(x, what);
  if (x !== null && typeof x === "object" && "fd" in x) {
    const fd = (x as { fd: unknown }).fd;
    if (fd === -1) throw new OSError(EBADF, "splice", undefined, `${what} is closed`);
    return v.fd(fd, `${what}.fd`);
  }
  throw new TypeError(`${what} must be an fd number or an object with an fd`);
}

function isPipe(fd: number): boolean {
  try {
    getPipeSize(fd);
    return true;
  } catch {
    return false;
  }
}

/** Waits until the end that made a step say EAGAIN is ready. */
function whenReady(fdIn: number, fdOut: number, signal: AbortSignal | undefined): Promise<void> {
  const bits = readyNow(fdIn, fdOut);
  if (!(bits & 1)) return ready(fdIn, READABLE, signal);
  if (!(bits & 2)) return ready(fdOut, WRITABLE, signal);
  // Both looked ready between the step and the poll: try again on the next turn.
  return new Promise((resolve) => setImmediate(resolve));
}

/** One step: bytes moved (0 at the end), or null for EAGAIN. EINTR is retried. */
function step(run: () => number): number | null {
  for (;;) {
    try {
      return run();
    } catch (e) {
      if ((e as OSError).errno === EAGAIN) return null;
      if ((e as OSError).errno !== EINTR) throw e;
    }
  }
}

/** Moves exactly `n` bytes from pipe `fdIn` to `fdOut` (the pipe must hold them). */
async function drain(fdIn: number, fdOut: number, n: number, signal: AbortSignal | undefined): Promise<void> {
  while (n > 0) {
    signal?.throwIfAborted();
    const r = step(() => splice(fdIn, null, fdOut, null, n, FLAGS));
    if (r === null) await whenReady(fdIn, fdOut, signal);
    else if (r === 0) throw errorFor(-EAGAIN, SPLICE, undefined, "a pipe butter filled gave end of file early");
    else n -= r;
  }
}

/** A bigger pipe moves more per splice (fewer calls): 1 MiB, or what the system allows. */
const roomy = (p: Pipe): number => growPipe(p.writer.fd, Math.min(1 << 20, pipeMaxSize()));

/** The options both movers take, checked: how many bytes at most, and the signal. */
function moveOptions(opts: MoveOptions | undefined): { limit: number; signal: AbortSignal | undefined } {
  const o = v.options(opts, "move options");
  const limit = o.length === undefined ? Number.MAX_SAFE_INTEGER : v.int(o.length, "length", 0, Number.MAX_SAFE_INTEGER);
  return { limit, signal: v.waitOptions({ signal: o.signal }).signal };
}

/**
 * Splices from `a` to `b`, one of them a pipe, until the end or `limit`; `progress.moved`
 * says how far it got, also when it throws.
 */
async function direct(a: number, b: number, limit: number, signal: AbortSignal | undefined, progress: { moved: number }): Promise<number> {
  while (progress.moved < limit) {
    signal?.throwIfAborted();
    const r = step(() => splice(a, null, b, null, Math.min(limit - progress.moved, MAX_RW_COUNT), FLAGS));
    if (r === null) await whenReady(a, b, signal);
    else if (r === 0) break;
    else progress.moved += r;
  }
  return progress.moved;
}

function withProgress(e: unknown, moved: number): unknown {
  if (e !== null && typeof e === "object") {
    try {
      (e as MoveProgress).bytesMoved = moved;
    } catch {
      // a frozen reason: leave it as it is
    }
  }
  return e;
}

/**
 * Moves every byte from `from` to `to` (or `length` of them) with splice(2), and
 * resolves with the count. Either end may be a pipe, a socket, a file or a device; when
 * neither is a pipe, the bytes go through a pipe of butter's own. Ends that would block
 * are waited for (readable or writable) without blocking the JS thread.
 *
 * A Bun socket's fd works as either end; a socket Bun also reads from must be paused
 * first, or Bun and the splice take turns at its bytes.
 * @throws {@link OSError} (as a rejection) from splice(2), for example EPIPE when the
 * reader of `to` is gone (never SIGPIPE) or EINVAL for ends splice cannot join; with
 * `bytesMoved` set on the error (and on an abort's reason) to what reached `to`.
 */
export async function spliceAll(from: FdLike, to: FdLike, opts?: MoveOptions): Promise<number> {
  const a = fdOf(from, "from");
  const b = fdOf(to, "to");
  const { limit, signal } = moveOptions(opts);
  const progress = { moved: 0 };
  try {
    if (isPipe(a) || isPipe(b)) return await direct(a, b, limit, signal, progress);
    using p = new Pipe();
    const [pr, pw] = [p.reader.fd, p.writer.fd];
    const room = roomy(p);
    while (progress.moved < limit) {
      signal?.throwIfAborted();
      const r = step(() => splice(a, null, pw, null, Math.min(limit - progress.moved, room), FLAGS));
      if (r === null) {
        await whenReady(a, pw, signal);
        continue;
      }
      if (r === 0) break;
      await drain(pr, b, r, signal);
      progress.moved += r;
    }
    return progress.moved;
  } catch (e) {
    throw withProgress(e, progress.moved);
  }
}

/**
 * Copies the stream of pipe `from` to every fd of `to` (any kind: pipes, files,
 * sockets) without copying it through JS, until `from`'s end (or `length` bytes), and
 * resolves with the count each received. tee(2) copies the pipe's pages into a pipe of
 * butter's own per extra output; the last output takes the bytes from `from` itself.
 * Outputs are fed together: the slowest sets the pace, and nothing is dropped for it.
 * @throws {@link OSError} (as a rejection) EINVAL when `from` is not a pipe, or any
 * error of splice(2) on an output; `bytesMoved` on the error says what every output got.
 */
export async function teeTo(from: FdLike, to: readonly FdLike[], opts?: MoveOptions): Promise<number> {
  const a = fdOf(from, "from");
  if (!Array.isArray(to) || to.length === 0) throw new TypeError("to must be an array of one or more fds");
  const outs = to.map((x, i) => fdOf(x, `to[${i}]`));
  // (one wait per fd and direction: the same output twice would wait on itself)
  if (new Set([a, ...outs]).size !== outs.length + 1) throw new TypeError("from and every fd of to must be different fds");
  const { limit, signal } = moveOptions(opts);
  if (!isPipe(a)) throw errorFor(-ERRNO.EINVAL!, TEE, undefined, "from must be a pipe");
  const progress = { moved: 0 };
  const copies: Pipe[] = [];
  try {
    const last = outs[outs.length - 1]!;
    if (outs.length === 1) return await direct(a, last, limit, signal, progress);
    // Each copy's pipe is as large as `from`, so one tee takes all that `from` holds.
    const size = getPipeSize(a);
    for (let i = 0; i < outs.length - 1; i++) {
      const p = new Pipe();
      copies.push(p);
      if (p.size < size) p.resize(size);
    }
    while (progress.moved < limit) {
      signal?.throwIfAborted();
      const want = Math.min(limit - progress.moved, MAX_RW_COUNT);
      const n = step(() => tee(a, copies[0]!.writer.fd, want, SPLICE_F_NONBLOCK));
      if (n === null) {
        await whenReady(a, copies[0]!.writer.fd, signal);
        continue;
      }
      if (n === 0) break;
      for (let i = 1; i < copies.length; i++) {
        const got = step(() => tee(a, copies[i]!.writer.fd, n, SPLICE_F_NONBLOCK));
        if (got !== n) throw errorFor(-EAGAIN, TEE, undefined, `a copy took ${got} of ${n} bytes`);
      }
      await Promise.all([drain(a, last, n, signal), ...copies.map((p, i) => drain(p.reader.fd, outs[i]!, n, signal))]);
      progress.moved += n;
    }
    return progress.moved;
  } catch (e) {
    throw withProgress(e, progress.moved);
  } finally {
    for (const p of copies) p.close();
  }
}
