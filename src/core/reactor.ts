/**
 * The one place that waits for an fd to become readable or writable. Callers read (or
 * write) first and come here only after the kernel said EAGAIN (the tokio AsyncFd
 * pattern). Every family's waits go through it: queues, and the writes that wait for
 * room.
 *
 Both backends keep an epoll set per JS thread (EPOLLONESHOT registrations); they
 * differ in who waits on it (docs/reactor.md):
 * - "aio" (the default; bunffi/reactor_aio.c): the kernel. One Linux AIO poll request on
 *   the epoll fd rings an eventfd doorbell when any fd in it is ready; Bun's own loop
 *   reads the doorbell with its fd stream (`Bun.file(fd).stream()`), so a wake-up is one
 *   thread hop. Bun reading the doorbell ahead is harmless: it carries no data, only
 *   "look"; JS then lists the ready fds (epoll_wait without waiting).
 * - "thread" (bunffi/reactor.c), where AIO is not available (io_setup refused: a seccomp
 *   profile, or the system's aio-max-nr used up): a helper thread blocked in epoll_wait
 *   writes each ready fd into a pipe that Bun's stream reads. Two hops.
 * Both report "fd * 2 + direction" (0: readable, 1: writable); an error or hang-up wakes
 * a waiter in either direction. BUTTER_REACTOR=thread chooses the fallback (for tests and
 * measurement).
 *
 * Why not the alternatives (measured, docs/reactor.md): `Bun.file(targetFd).stream()` on
 * the fd itself reads ahead, so data sits in Bun's buffer where our reads cannot see it;
 * a threadsafe JSCallback into a Worker that has ended crashes the process.
 *
 * An open stream keeps the process alive, so the stream is open only while some wait is
 * pending; when the last one ends, it is closed on the next turn of the loop. A request
 * is one-shot. A report may arrive late (after a cancel, or for an fd number since
 * reused); that is harmless, because a waiter reads before it believes.
 */
import { helpers } from "../../bunffi/load.ts";
import { check, errorFor, OSError, type CallSpec } from "./errors.ts";
import { PIPE2, PTHREAD_KEY_CREATE } from "./io.ts";

// (the fallback: compiled only when it is used)
const threadLib = helpers(
  "reactor.c",
  {
    bt_reactor_start: { args: ["ptr"], returns: "i32" },
    bt_reactor_fds: { args: ["ptr"], returns: "void" },
    bt_reactor_arm: { args: ["i32", "i32"], returns: "i32" },
    bt_reactor_disarm: { args: ["i32"], returns: "i32" },
  },
  { alone: true },
);
const aioLib = helpers("reactor_aio.c", {
  bt_reactor_aio_start: { args: ["ptr"], returns: "i32" },
  bt_reactor_aio_fds: { args: ["ptr"], returns: "void" },
  bt_reactor_aio_arm: { args: ["i32", "i32", "ptr"], returns: "i32" },
  bt_reactor_aio_disarm: { args: ["i32"], returns: "i32" },
  bt_reactor_aio_reap: { args: ["ptr", "i32", "ptr"], returns: "i32" },
});

// The thread backend's start (bunffi/reactor.c reports which call failed): its epoll
// set, its report pipe, the eventfd that stops it, the key whose destructor stops it when
// this thread ends, and its thread.
export const EPOLL_CREATE1: CallSpec = { syscall: "epoll_create1", errnos: ["EINVAL", "EMFILE", "ENFILE", "ENOMEM"] };
export const START_EVENTFD: CallSpec = { syscall: "eventfd", family: "reactor", errnos: ["EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM"] };
export const PTHREAD_CREATE: CallSpec = { syscall: "pthread_create", errnos: ["EAGAIN", "EINVAL", "EPERM"] };
// epoll_ctl(2): EPERM here means "this fd cannot be polled" (a regular file), not a
// missing privilege, so it stays a plain OSError.
export const CTL: CallSpec = { syscall: "epoll_ctl", errnos: ["EBADF", "EEXIST", "EINVAL", "ELOOP", "ENOENT", "ENOMEM", "ENOSPC", "EPERM"], special: { EPERM: OSError } };
// The AIO backend: io_setup(2) (its failure chooses the thread backend instead), its
// epoll set and doorbell (eventfd), io_submit(2) of the poll request on the epoll fd,
// and, after each doorbell, io_getevents(2) and epoll_wait(2) without waiting.
export const AIO_EVENTFD: CallSpec = { syscall: "eventfd", family: "reactor-aio", errnos: ["EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM"] };
export const IO_SUBMIT: CallSpec = { syscall: "io_submit", errnos: ["EAGAIN", "EBADF", "EFAULT", "EINVAL", "ENOSYS", "EPERM"] };
export const IO_GETEVENTS: CallSpec = { syscall: "io_getevents", errnos: ["EFAULT", "EINTR", "EINVAL", "ENOSYS"] };
export const EPOLL_WAIT: CallSpec = { syscall: "epoll_wait", errnos: ["EBADF", "EFAULT", "EINTR", "EINVAL"] };
// bunffi/reactor_aio.c's AT_* codes
const AIO_AT: readonly (CallSpec | undefined)[] = [undefined, undefined, EPOLL_CREATE1, AIO_EVENTFD, PTHREAD_KEY_CREATE, IO_SUBMIT, IO_GETEVENTS, EPOLL_WAIT];

/** Readable or writable: the two directions a wait can be for. */
export const READABLE = 0;
export const WRITABLE = 1;

interface Backend {
  readonly name: "aio" | "thread";
  /** the fd whose stream tells this thread to look: the doorbell, or the report pipe */
  readonly fd: number;
  /** one report of fd, for every direction in mask (bit 1: readable, bit 2: writable) */
  arm(fd: number, mask: number): void;
  disarm(fd: number): void;
  /** fd * 2 + dir for each wait that is ready, from what the stream delivered */
  ready(chunk: Uint8Array): number[];
  fds(): number[];
}

function startAio(): Backend | undefined {
  const f = aioLib();
  const at = new Int32Array(1);
  const r = f.bt_reactor_aio_start(at);
  if (r < 0) {
    if (at[0] === 1) return undefined; // io_setup refused: the thread backend instead
    check(r, AIO_AT[at[0]!]!);
  }
  const out = new Int32Array(256);
  return {
    name: "aio",
    fd: r,
    arm(fd, mask) {
      const a = new Int32Array(1);
      check(f.bt_reactor_aio_arm(fd, mask, a), a[0] ? AIO_AT[a[0]]! : CTL);
    },
    disarm(fd) {
      f.bt_reactor_aio_disarm(fd); // ENOENT/EBADF: the registration is already gone
    },
    ready() {
      const found: number[] = [];
      const a = new Int32Array(1);
      for (;;) {
        const n = f.bt_reactor_aio_reap(out, out.length, a);
        if (n < 0) throw errorFor(n, AIO_AT[a[0]!]!);
        for (let i = 0; i < n; i++) found.push(out[i]!);
        if (n < out.length - 1) return found;
      }
    },
    fds() {
      const o = new Int32Array(2);
      f.bt_reactor_aio_fds(o);
      return [...o];
    },
  };
}

function startThread(): Backend {
  const f = threadLib();
  const at = new Int32Array(1);
  const r = f.bt_reactor_start(at);
  const fd = check(r, [EPOLL_CREATE1, EPOLL_CREATE1, PIPE2, START_EVENTFD, CTL, PTHREAD_KEY_CREATE, PTHREAD_CREATE][at[0]!]!);
  let decoder = new ReportDecoder();
  return {
    name: "thread",
    fd,
    arm(fd, mask) {
      check(f.bt_reactor_arm(fd, mask), CTL);
    },
    disarm(fd) {
      f.bt_reactor_disarm(fd); // ENOENT/EBADF: the registration is already gone
    },
    ready(chunk) {
      if (chunk.length === 0) decoder = new ReportDecoder(); // a new stream: what the old one held is stale
      return decoder.push(chunk);
    },
    fds() {
      const o = new Int32Array(4);
      f.bt_reactor_fds(o);
      return [...o];
    },
  };
}

/**
 * Decodes the thread backend's report stream: 4-byte ints, host byte order. The thread
 * writes whole reports, but nothing promises how Bun cuts the stream into chunks, so a
 * report split across two chunks is carried over.
 */
export class ReportDecoder {
  #carry = new Uint8Array(0);

  push(chunk: Uint8Array): number[] {
    const bytes = new Uint8Array(this.#carry.length + chunk.length);
    bytes.set(this.#carry);
    bytes.set(chunk, this.#carry.length);
    const whole = bytes.length & ~3;
    this.#carry = bytes.slice(whole);
    return Array.from(new Int32Array(bytes.buffer, 0, whole >> 2));
  }
}

// fd * 2 + dir -> the waiter's callback
const waiters = new Map<number, () => void>();
let backend: Backend | undefined;
interface Reader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(): Promise<void>;
}
let reader: Reader | undefined;
let closeScheduled = false;

// The directions still waited for on fd, as the backends' mask.
const maskOf = (fd: number) => (waiters.has(fd * 2) ? 1 : 0) | (waiters.has(fd * 2 + 1) ? 2 : 0);

function dispatch(chunk: Uint8Array): void {
  const b = backend!;
  let ready: number[];
  try {
    ready = b.ready(chunk);
  } catch {
    // The backend could not list what is ready: every waiter is woken (each reads first,
    // then waits again, and that wait reports the error to its own caller).
    ready = [...waiters.keys()];
  }
  const reported = new Set<number>();
  for (const key of ready) {
    reported.add(key >> 1);
    const wake = waiters.get(key);
    if (wake === undefined) continue; // late report after a cancel: nothing to do
    waiters.delete(key);
    wake();
  }
  // one registration covers both directions of an fd, and fired once: a direction still
  // waited for (and not armed again by its wake) is armed again
  for (const fd of reported) {
    const mask = maskOf(fd);
    if (mask !== 0) {
      try {
        b.arm(fd, mask);
      } catch {
        for (const d of [READABLE, WRITABLE]) {
          const wake = waiters.get(fd * 2 + d);
          if (wake === undefined) continue;
          waiters.delete(fd * 2 + d);
          wake(); // it reads first, and its own wait reports the error
        }
      }
    }
  }
  if (waiters.size === 0) scheduleClose();
}

async function pump(r: Reader): Promise<void> {
  for (;;) {
    const { value, done } = await r.read();
    if (done || r !== reader) return;
    dispatch(value!);
  }
}

function scheduleClose(): void {
  if (closeScheduled) return;
  closeScheduled = true;
  setImmediate(() => {
    closeScheduled = false;
    if (waiters.size > 0 || reader === undefined) return;
    const r = reader;
    reader = undefined;
    if (backend?.name === "thread") backend.ready(new Uint8Array(0)); // what the cancelled stream held is stale
    r.cancel().catch(() => {});
  });
}

let preferred: "aio" | "thread" | undefined;
/**
 * Chooses this thread's backend before its first wait (tests and benchmarks of the
 * fallback; BUTTER_REACTOR=thread does the same for a whole process).
 */
export function preferReactor(name: "aio" | "thread"): void {
  if (backend !== undefined && backend.name !== name) throw new Error(`this thread's reactor runs the ${backend.name} backend already`);
  preferred = name;
}

function backendOf(): Backend {
  const want = preferred ?? (process.env.BUTTER_REACTOR === "thread" ? "thread" : "aio");
  backend ??= (want === "thread" ? undefined : startAio()) ?? startThread();
  return backend;
}

function open(): void {
  const b = backendOf();
  const r: Reader = Bun.file(b.fd).stream().getReader();
  reader = r;
  pump(r).catch(() => {
    // the stream failed (it cannot, short of a bug in Bun): let the next wait reopen it
    if (reader === r) reader = undefined;
  });
}

function wait(fd: number, dir: number, wake: () => void): void {
  if (reader === undefined) open();
  const key = fd * 2 + dir;
  try {
    backend!.arm(fd, maskOf(fd) | (dir === READABLE ? 1 : 2));
  } catch (e) {
    // Nothing waits after all: the stream opened for this wait must not stay open
    // (it would hold Bun's copy of the pipe, and keep the process alive).
    if (waiters.size === 0) scheduleClose();
    throw e;
  }
  waiters.set(key, wake);
}

/**
 * Calls `wake` once, on the JS thread, when `fd` is readable (or has an error or
 * hang-up pending). One waiter per fd and direction: a second call replaces the first's
 * callback.
 * @throws {@link OSError} when fd cannot be waited on (EBADF, or EPERM/EINVAL for a file
 * that cannot be polled, such as a regular file), or the reactor cannot start.
 */
export function waitReadable(fd: number, wake: () => void): void {
  wait(fd, READABLE, wake);
}

/** As waitReadable, for `fd` becoming writable (room in a pipe or socket). */
export function waitWritable(fd: number, wake: () => void): void {
  wait(fd, WRITABLE, wake);
}

/**
 * The promise form of waitReadable/waitWritable, for code that awaits: resolves once
 * `fd` is ready in `dir`; with a `signal`, an abort forgets the wait and rejects with
 * the signal's reason.
 * @throws {@link OSError} (as a rejection) when `fd` cannot be waited on.
 */
export function ready(fd: number, dir: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      cancel(fd, dir);
      reject(signal!.reason);
    };
    wait(fd, dir, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Forgets the pending waits on `fd` (both directions, or `dir`); call it before closing `fd`. */
export function cancel(fd: number, dir?: number): void {
  let any = false;
  for (const d of dir === undefined ? [READABLE, WRITABLE] : [dir]) if (waiters.delete(fd * 2 + d)) any = true;
  if (!any) return;
  const mask = maskOf(fd);
  if (mask === 0) backend!.disarm(fd);
  else backend!.arm(fd, mask); // the other direction still waits
  if (waiters.size === 0) scheduleClose();
}

/** This thread's reactor's own fds ([] before first use); they live as long as this JS thread. */
export function reactorFds(): number[] {
  return backend === undefined ? [] : backend.fds().filter((fd) => fd >= 0);
}

/** Which backend this thread's reactor uses ("aio" or "thread"), once it has started. */
export function reactorBackend(): "aio" | "thread" | undefined {
  return backend?.name;
}

/** How many waits are pending. */
export function pendingWaits(): number {
  return waiters.size;
}
