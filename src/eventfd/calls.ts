/** eventfd(2), 1:1. The counter is a u64 and crosses as a bigint. */
import { helpers } from "../../bunffi/load.ts";
import { check, errorFor, EAGAIN, type CallSpec } from "../core/errors.ts";
import { readCounter, writeCounter } from "../core/io.ts";
import * as v from "../core/validate.ts";

const lib = helpers("eventfd.c", {
  // (initval crosses as i32: bun:ffi mangles a u32 argument above 2^31)
  bt_eventfd: { args: ["i32", "i32"], returns: "i32" },
});

/** eventfd(2) flag: each read takes 1 from the counter instead of all of it. */
export const EFD_SEMAPHORE = 0o1;
/** eventfd(2) flag: close-on-exec (butter's default). */
export const EFD_CLOEXEC = 0o2000000;
/** eventfd(2) flag: reads and writes say EAGAIN instead of blocking. */
export const EFD_NONBLOCK = 0o4000;
const EFD_ALL = EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK;
/** The largest value the counter can hold (and the largest single write). */
export const EVENTFD_MAX = 0xfffffffffffffffen;

export const EVENTFD: CallSpec = { syscall: "eventfd", errnos: ["EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM"] };
// read(2)/write(2) on an eventfd: eventfd(2) lists EAGAIN and EINVAL; read(2)/write(2)
// add the generic fd errors.
export const EVENTFD_READ: CallSpec = { syscall: "read", family: "eventfd", errnos: ["EAGAIN", "EINVAL", "EBADF", "EINTR", "EIO", "EISDIR"] };
export const EVENTFD_WRITE: CallSpec = { syscall: "write", family: "eventfd", errnos: ["EAGAIN", "EINVAL", "EBADF", "EINTR", "EIO", "EDESTADDRREQ", "EDQUOT", "EFBIG", "ENOSPC", "EPERM", "EPIPE"] };

/**
 * eventfd(2): a new eventfd; close-on-exec unless `flags` says otherwise.
 * @throws {@link OSError} with an errno eventfd(2) lists (EMFILE, ENFILE, ENOMEM, ...); RangeError or TypeError for a bad `initval` or `flags`.
 */
export function eventfd(initval: number = 0, flags: number = EFD_CLOEXEC): number {
  return check(
    lib().bt_eventfd(v.int(initval, "initval", 0, 0xffffffff) | 0, v.flags(flags, "flags", EFD_ALL)),
    EVENTFD,
  );
}

/**
 * read(2) of the counter: its value (reset to 0), or 1 in EFD_SEMAPHORE mode. Blocks on
 * a blocking fd; throws OSError EAGAIN on a non-blocking fd whose counter is 0.
 * @throws {@link OSError} EAGAIN on a non-blocking fd whose counter is 0, or another errno read(2) lists; OSError EIO naming the fd for a read of other than 8 bytes (the fd is not an eventfd). One read(2) of `fd` as given, as C makes it.
 */
export function eventfdRead(fd: number): bigint {
  const value = readCounter(v.fd(fd), EVENTFD_READ);
  if (value === null) throw errorFor(-EAGAIN, EVENTFD_READ);
  return value;
}

/**
 * write(2) that adds `value` (0 to EVENTFD_MAX) to the counter. Blocks while the sum
 * would overflow; on a non-blocking fd throws OSError EAGAIN instead.
 * @throws {@link OSError} EAGAIN on a non-blocking fd when the counter would pass EVENTFD_MAX, or another errno write(2) lists; RangeError for a value outside 0 to 2^64-2.
 */
export function eventfdWrite(fd: number, value: bigint | number): void {
  if (!writeCounter(v.fd(fd), v.bigint(value, "value", 0n, EVENTFD_MAX), EVENTFD_WRITE)) {
    throw errorFor(-EAGAIN, EVENTFD_WRITE);
  }
}
