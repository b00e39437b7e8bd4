/**
 * The one place that waits for an fd to become readable. Callers read first and come
 * here only after the kernel said EAGAIN (the tokio AsyncFd pattern).
 *
 * How (bunffi/reactor.c): a helper thread per JS thread blocks in epoll_wait and writes
 * the number of each ready fd into a pipe; this thread reads the pipe with Bun's own
 * fd stream (`Bun.file(fd).stream()`), so the wake-up arrives through Bun's event loop.
 *
 * Why not the alternatives (measured, docs/reactor.md):
 * - `Bun.file(targetFd).stream()` on the fd itself wakes fastest, but Bun then reads the
 *   fd and reads ahead: data sits in Bun's buffer where our own reads cannot see it
 *   (reordering), and cancelling the stream drops it.
 * - A threadsafe JSCallback from the helper thread: a call into a Worker that was
 *   terminated crashes the process, and terminate() runs no hook to stop the thread.
 *
 * An open stream keeps the process alive, so the stream is open only while some wait
 * is pending; when the last one ends, it is closed on the next turn of the loop (reports
 * it held can only be for waits that are over). A registration is one-shot. A report
 * may arrive late (after a cancel, or for an fd number since reused); that is harmless,
 * because a waiter reads before it believes.
 */
import { helpers } from "../../bunffi/load.ts";
import { defineCall, check, OSError, type CallSpec } from "./errors.ts";
import { PIPE2, PTHREAD_KEY_CREATE } from "./io.ts";

const lib = helpers("reactor.c", {
  bt_reactor_start: { args: ["ptr"], returns: "i32" },
  bt_reactor_fds: { args: ["ptr"], returns: "void" },
  bt_reactor_arm: { args: ["i32"], returns: "i32" },
  bt_reactor_disarm: { args: ["i32"], returns: "i32" },
});

// The reactor's start (bunffi/reactor.c reports which call failed): its epoll set, its
// report pipe, the eventfd that stops it, the key whose destructor stops it when this
// thread ends, and its thread.
const EPOLL_CREATE1 = defineCall("epoll_create1", ["EINVAL", "EMFILE", "ENFILE", "ENOMEM"]);
const START_EVENTFD = defineCall("eventfd", ["EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM"], { family: "reactor" });
const PTHREAD_CREATE = defineCall("pthread_create", ["EAGAIN", "EINVAL", "EPERM"]);
// epoll_ctl(2): EPERM here means "this fd cannot be polled" (a regular file), not a
// missing privilege, so it stays a plain OSError.
const CTL = defineCall("epoll_ctl", ["EBADF", "EEXIST", "EINVAL", "ELOOP", "ENOENT", "ENOMEM", "ENOSPC", "EPERM"], {
  special: { EPERM: OSError },
});

const waiters = new Map<number, () => void>();
let reportFd = -1;
interface Reader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(): Promise<void>;
}
let reader: Reader | undefined;
let closeScheduled = false;
/**
 * Decodes the report stream: 4-byte fd numbers, host byte order. The thread writes whole
 * reports, but nothing promises how Bun cuts the stream into chunks, so a report split
 * across two chunks is carried over.
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

let decoder = new ReportDecoder();

function dispatch(chunk: Uint8Array): void {
  for (const fd of decoder.push(chunk)) {
    const wake = waiters.get(fd);
    if (wake === undefined) continue; // late report after a cancel: nothing to do
    waiters.delete(fd);
    wake();
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
    decoder = new ReportDecoder(); // what the cancelled stream held is stale
    r.cancel().catch(() => {});
  });
}

// Which call failed at start, by bunffi/reactor.c's AT_* code.
function startCall(at: number): CallSpec {
  return [EPOLL_CREATE1, EPOLL_CREATE1, PIPE2, START_EVENTFD, CTL, PTHREAD_KEY_CREATE, PTHREAD_CREATE][at] ?? EPOLL_CREATE1;
}

function open(): void {
  if (reportFd < 0) {
    const at = new Int32Array(1);
    const r = lib().bt_reactor_start(at);
    reportFd = check(r, startCall(at[0]!));
  }
  const r: Reader = Bun.file(reportFd).stream().getReader();
  reader = r;
  pump(r).catch(() => {
    // the stream failed (it cannot, short of a bug in Bun): let the next wait reopen it
    if (reader === r) reader = undefined;
  });
}

/**
 * Calls `wake` once, on the JS thread, when `fd` is readable (or has an error or
 * hang-up pending). One waiter per fd: a second call replaces the first's callback.
 */
export function waitReadable(fd: number, wake: () => void): void {
  if (reader === undefined) open();
  const r = lib().bt_reactor_arm(fd);
  if (r < 0) {
    // Nothing waits after all: the stream opened for this wait must not stay open
    // (it would hold Bun's copy of the pipe, and keep the process alive).
    if (waiters.size === 0) scheduleClose();
    check(r, CTL);
  }
  waiters.set(fd, wake);
}

/** Forgets a pending wait on `fd`; call it before closing `fd`. */
export function cancel(fd: number): void {
  if (!waiters.delete(fd)) return;
  // ENOENT/EBADF mean the registration is already gone; nothing else can fail here.
  lib().bt_reactor_disarm(fd);
  if (waiters.size === 0) scheduleClose();
}

/** This thread's reactor's own fds ([] before first use); they live as long as this JS thread. */
export function reactorFds(): number[] {
  if (reportFd < 0) return [];
  const out = new Int32Array(4);
  lib().bt_reactor_fds(out);
  return [...out];
}

/** How many fds are waited on now. */
export function pendingWaits(): number {
  return waiters.size;
}
