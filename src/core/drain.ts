/**
 * The drain (bunffi/drain.c), internal: a thread of butter's that reads an event fd (a
 * fanotify group, an inotify instance) as soon as the kernel has events, into a bounded
 * buffer that the family's object takes whole records from, so that the kernel's queue
 * does not overflow while the JS thread is busy. docs/reactor.md, "The drain".
 */
import type { Pointer } from "bun:ffi";
import { helpers } from "../../bunffi/load.ts";
import { check, errorFor, EINTR, type CallSpec } from "./errors.ts";
import { close, PTHREAD_KEY_CREATE } from "./io.ts";
import { scratch, SCRATCH_BYTES } from "./scratch.ts";
import * as v from "./validate.ts";

const lib = helpers("drain.c", {
  bt_drain_open: { args: ["i32", "i32", "i32", "i32", "i32", "i32", "i32", "ptr", "ptr"], returns: "i32" },
  bt_drain_take: { args: ["ptr", "ptr", "i32"], returns: "i32" },
  bt_drain_answer: { args: ["ptr", "i32", "ptr", "i32"], returns: "i32" },
  bt_drain_pending: { args: ["ptr", "i32"], returns: "i32" },
  bt_drain_wait: { args: ["ptr"], returns: "i32" },
  bt_drain_close: { args: ["ptr", "i32"], returns: "void" },
});

/** A drain of fanotify events: fds turned into paths, permission events answered (fanotify.md). */
export const DRAIN_FANOTIFY = 0;
/** A drain of inotify events, copied as the kernel wrote them. */
export const DRAIN_INOTIFY = 1;

// Which call failed in bt_drain_open (its memory, its two eventfds, the key that closes a
// JS thread's drains when it ends: the one every thread's objects share, its thread).
export const DRAIN_MMAP: CallSpec = { syscall: "mmap", family: "drain", errnos: ["EACCES", "EAGAIN", "EBADF", "EEXIST", "EINVAL", "ENFILE", "ENODEV", "ENOMEM", "EOVERFLOW", "EPERM", "ETXTBSY"] };
export const DRAIN_EVENTFD: CallSpec = { syscall: "eventfd", family: "drain", errnos: ["EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM"] };
export const DRAIN_THREAD: CallSpec = { syscall: "pthread_create", family: "drain", errnos: ["EAGAIN", "EINVAL", "EPERM"] };
const DRAIN_AT = [undefined, DRAIN_MMAP, DRAIN_EVENTFD, PTHREAD_KEY_CREATE, DRAIN_THREAD];

/** The default bound of a drain's buffer, in bytes (FanotifyOptions, InotifyOptions). */
export const DEFAULT_DRAIN_BUFFER = 4 * 1024 * 1024;
/** The most bytes a drain reads at once (bunffi/drain.c's scratch), and hands over at once. */
export const MAX_DRAIN_READ = SCRATCH_BYTES;
/** The smallest buffer a drain takes: one read's worth. */
export const MIN_DRAIN_BUFFER = MAX_DRAIN_READ;

/** A drain's buffer size option (`bufferSize`), checked: the default when undefined. */
export function drainBufferSize(size: number | undefined): number {
  return v.int(size ?? DEFAULT_DRAIN_BUFFER, "bufferSize", MIN_DRAIN_BUFFER, 0x40000000);
}

/** A drain of an fd: its handle and the bell fd to wait on. */
export interface Drain {
  readonly handle: Pointer;
  readonly bell: number;
}

/** fanotify's part of a drain: permission events' deadline, its answer, and fds kept. */
export interface FanotifyDrainOptions {
  deadlineMs: number;
  response: number;
  keep: boolean;
}

/**
 * Starts the drain thread of `fd` (non-blocking: the drain reads it): a buffer of `cap`
 * bytes, reads of at most `maxRead` bytes. When it cannot start, `fd` is closed and the
 * error thrown (the object that would have owned it does not exist).
 */
export function drainOpen(kind: typeof DRAIN_FANOTIFY | typeof DRAIN_INOTIFY, fd: number, cap: number, maxRead: number, fan?: FanotifyDrainOptions): Drain {
  const out = new BigUint64Array(1);
  const at = new Int32Array(1);
  const bell = lib().bt_drain_open(kind, fd, cap, maxRead, fan?.deadlineMs ?? 0, fan?.response ?? 0, fan?.keep ? 1 : 0, out, at);
  if (bell < 0) {
    close(fd);
    throw errorFor(bell, DRAIN_AT[at[0]!]!);
  }
  return { handle: Number(out[0]) as Pointer, bell };
}

/**
 * Whole records from the drain (what it holds, then what the fd has now): a view of the
 * thread's read buffer (scratch.ts), valid until its next read, empty when none is ready.
 * `blocking`: an object without O_NONBLOCK waits for some, in poll(2) of the drain's bell
 * and the fd (`wait` names it in its errors). The drain's read error (a failed read(2)
 * of the fd, `read`'s) is thrown once.
 */
export function drainRead(d: Drain, blocking: boolean, read: CallSpec, wait: CallSpec): Uint8Array {
  let n = take(d, read);
  while (n === 0 && blocking) {
    waitFor(d, wait);
    n = take(d, read);
  }
  return scratch().subarray(0, n);
}

function take(d: Drain, read: CallSpec): number {
  const buf = scratch();
  const n = lib().bt_drain_take(d.handle, buf, buf.length);
  if (n < 0) throw errorFor(n, read);
  return n;
}

function waitFor(d: Drain, wait: CallSpec): void {
  for (;;) {
    const r = lib().bt_drain_wait(d.handle);
    if (r !== -EINTR) return void check(r, wait);
  }
}

/**
 * Writes a fanotify permission event's response through the drain: 0, -ENOENT when the
 * drain had answered it (the deadline), or the write's -errno.
 */
export function drainAnswer(d: Drain, fd: number, response: Uint8Array): number {
  return lib().bt_drain_answer(d.handle, fd, response, response.length);
}

/** Whether a fanotify permission event JS took still waits for an answer. */
export function drainPending(d: Drain, fd: number): boolean {
  return lib().bt_drain_pending(d.handle, fd) === 1;
}

/** Stops the drain; `closeSource` closes the fd too (the collector's release). */
export function drainClose(d: Drain, closeSource: boolean): void {
  lib().bt_drain_close(d.handle, closeSource ? 1 : 0);
}
