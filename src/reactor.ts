/**
 * The one place that waits for an fd to become readable. Callers read first and come
 * here only after the kernel said EAGAIN (the tokio AsyncFd pattern).
 *
 * How: a helper thread per JS thread blocks in epoll_wait and reports a ready fd through
 * a threadsafe JSCallback (bunffi/reactor.c). Chosen by measurement over
 * `Bun.file(fd).stream()`, which wakes faster but reads the fd itself and reads ahead:
 * a counter written after a chunk was delivered was consumed into the stream's buffer,
 * so our own reads would see EAGAIN while data sat in Bun's buffer, and cancelling the
 * stream could drop it (README, "The reactor").
 *
 * A registration is one-shot. A report may arrive late (after a cancel, or for an fd
 * number since reused); that is harmless, because a waiter reads before it believes.
 */
import { JSCallback } from "bun:ffi";
import { helpers } from "../bunffi/load.ts";
import { defineCall, check, OSError } from "./errors.ts";

const lib = helpers("reactor.c", {
  bt_reactor_start: { args: ["ptr"], returns: "i32" },
  bt_reactor_arm: { args: ["i32"], returns: "i32" },
  bt_reactor_disarm: { args: ["i32"], returns: "i32" },
  bt_reactor_stop: { args: [], returns: "i32" },
});

// The union of epoll_create1(2), eventfd(2) and pthread_create(3) failures at start-up.
const START = defineCall("epoll_create1", ["EINVAL", "EMFILE", "ENFILE", "ENOMEM", "ENODEV", "EAGAIN"]);
// epoll_ctl(2): EPERM here means "this fd cannot be polled" (a regular file), not a
// missing privilege, so it stays a plain OSError.
const CTL = defineCall("epoll_ctl", ["EBADF", "EEXIST", "EINVAL", "ELOOP", "ENOENT", "ENOMEM", "ENOSPC", "EPERM"], {
  special: { EPERM: OSError },
});

const waiters = new Map<number, () => void>();
let epfd = -1;
let callback: JSCallback | undefined;
// A pending wait keeps the process alive, as a pending socket read does; an idle
// reactor does not.
let keepAlive: ReturnType<typeof setInterval> | undefined;

function onReady(fd: number): void {
  const wake = waiters.get(fd);
  if (wake === undefined) return; // late report after a cancel: nothing to do
  waiters.delete(fd);
  if (waiters.size === 0) keepAlive?.unref();
  wake();
}

function start(): void {
  const cb = new JSCallback(onReady, { args: ["i32"], returns: "void", threadsafe: true });
  try {
    epfd = check(lib().bt_reactor_start(cb.ptr), START);
  } catch (e) {
    cb.close();
    throw e;
  }
  callback = cb;
  keepAlive = setInterval(() => {}, 2 ** 31 - 1);
  keepAlive.unref();
}

/**
 * Calls `wake` once, on the JS thread, when `fd` is readable (or has an error or
 * hang-up pending). One waiter per fd: a second call replaces the first's callback.
 */
export function waitReadable(fd: number, wake: () => void): void {
  if (callback === undefined) start();
  check(lib().bt_reactor_arm(fd), CTL);
  waiters.set(fd, wake);
  keepAlive!.ref();
}

/** Forgets a pending wait on `fd`; call it before closing `fd`. */
export function cancel(fd: number): void {
  if (!waiters.delete(fd)) return;
  if (waiters.size === 0) keepAlive?.unref();
  // ENOENT/EBADF mean the registration is already gone; nothing else can fail here.
  lib().bt_reactor_disarm(fd);
}

/** The reactor's own epoll fd (-1 before first use): it lives as long as the thread. */
export function reactorFd(): number {
  return epfd;
}

/** How many fds are waited on now. */
export function pendingWaits(): number {
  return waiters.size;
}
