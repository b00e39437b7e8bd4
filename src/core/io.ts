/**
 * The fd I/O every family shares: close(2), and the 8-byte counter
 * read(2)/write(2) of eventfd and timerfd. EINTR is retried here, once for everyone.
 */
import { helpers } from "../../bunffi/load.ts";
import { type CallSpec, check, errorFor, shortTransfer, EAGAIN, EINTR } from "./errors.ts";
import * as v from "./validate.ts";

const lib = helpers("io.c", {
  bt_read: { args: ["i32", "ptr", "i32"], returns: "i32" },
  bt_close: { args: ["i32"], returns: "i32" },
  bt_read_u64: { args: ["i32", "ptr"], returns: "i32" },
  bt_write_u64: { args: ["i32", "u64"], returns: "i32" },
});

// close(2) ERRORS
export const CLOSE: CallSpec = { syscall: "close", errnos: ["EBADF", "EINTR", "EIO", "ENOSPC", "EDQUOT"] };
// pipe2(2) ERRORS: the pipes the helpers make (the reactor's, a held Signalfd's).
export const PIPE2: CallSpec = { syscall: "pipe2", errnos: ["EFAULT", "EINVAL", "EMFILE", "ENFILE"] };
// pthread_key_create(3) ERRORS: the keys whose destructors give back what a JS thread
// held when it ends (the reactor's thread, a Worker's signal holds).
export const PTHREAD_KEY_CREATE: CallSpec = { syscall: "pthread_key_create", errnos: ["EAGAIN", "ENOMEM"] };
// malloc(3)/realloc(3) ERRORS (ENOMEM alone): the records of what a JS thread's objects
// own (fds, mounts, AIO contexts), which let its end give them back.
export const OWN_MEMORY: CallSpec = { syscall: "malloc", family: "owned", errnos: ["ENOMEM"] };
/** Which call a record's failure names, by the helpers' at code (bunffi/owned.c, aio.c): 1 its key, 2 its memory. */
export const OWN_AT = [undefined, PTHREAD_KEY_CREATE, OWN_MEMORY] as const;

/**
 * close(2). Linux releases the fd even when close reports an error (EINTR, EIO), so
 * this never retries: a retry could close an fd another thread just opened.
 */
/**
 * Compiles this thread's io helpers now, if not yet: an object's close() must never be
 * the first use (a process out of fds could not compile them then).
 */
export function ioReady(): void {
  lib();
}

export function close(fd: number): void {
  check(lib().bt_close(v.fd(fd)), CLOSE);
}

const counter = new BigUint64Array(1);

// A counter moves 8 bytes or nothing; anything else is surfaced, never taken for a value.
const partial = (fd: number, n: number, call: CallSpec) => shortTransfer(call, fd, n, 8, "a counter");

/**
 * One read(2) of an 8-byte counter. Returns the value, or null when the fd is
 * non-blocking and nothing is there (EAGAIN); throws the call's error otherwise.
 */
export function readCounter(fd: number, call: CallSpec): bigint | null {
  const read = lib().bt_read_u64;
  for (;;) {
    const r = read(fd, counter);
    if (r === 8) return counter[0]!;
    if (r === -EAGAIN) return null;
    if (r === -EINTR) continue;
    if (r < 0) throw errorFor(r, call);
    throw partial(fd, r, call);
  }
}

/** One write(2) of an 8-byte counter. Returns false on EAGAIN, throws on other errors. */
export function writeCounter(fd: number, value: bigint, call: CallSpec): boolean {
  const write = lib().bt_write_u64;
  for (;;) {
    const r = write(fd, value);
    if (r === 8) return true;
    if (r === -EAGAIN) return false;
    if (r === -EINTR) continue;
    if (r < 0) throw errorFor(r, call);
    throw partial(fd, r, call);
  }
}

/** Generic read(2) into `buf`; returns the byte count, or null on EAGAIN. */
export function readInto(fd: number, buf: Uint8Array, call: CallSpec): number | null {
  const read = lib().bt_read;
  for (;;) {
    const r = read(fd, buf, buf.byteLength);
    if (r >= 0) return r;
    if (r === -EAGAIN) return null;
    if (r !== -EINTR) throw errorFor(r, call);
  }
}
