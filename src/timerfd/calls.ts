/**
 * timerfd_create(2), timerfd_settime(2), timerfd_gettime(2), 1:1, and clock_gettime(2)
 * for computing absolute deadlines. Times cross as bigint nanoseconds: exact, and
 * without the {sec, nsec} bookkeeping (the helper splits them).
 */
import { helpers } from "../../bunffi/load.ts";
import { check, ClockChangedError, type CallSpec } from "../core/errors.ts";
import * as v from "../core/validate.ts";

const lib = helpers("timerfd.c", {
  bt_timerfd_create: { args: ["i32", "i32"], returns: "i32" },
  bt_timerfd_settime: { args: ["i32", "i32", "ptr"], returns: "i32" },
  bt_timerfd_gettime: { args: ["i32", "ptr"], returns: "i32" },
  bt_clock_gettime: { args: ["i32", "ptr"], returns: "i32" },
});

/** The settable wall clock. clock_gettime(2). */
export const CLOCK_REALTIME = 0;
/** A clock that never jumps and does not count suspend: butter's default. clock_gettime(2). */
export const CLOCK_MONOTONIC = 1;
/** Like CLOCK_MONOTONIC, but counts time the system was suspended. clock_gettime(2). */
export const CLOCK_BOOTTIME = 7;
/** CLOCK_REALTIME that wakes a suspended system (needs CAP_WAKE_ALARM). timerfd_create(2). */
export const CLOCK_REALTIME_ALARM = 8;
/** CLOCK_BOOTTIME that wakes a suspended system (needs CAP_WAKE_ALARM). timerfd_create(2). */
export const CLOCK_BOOTTIME_ALARM = 9;
/** timerfd_create(2) flag: close-on-exec (butter's default). */
export const TFD_CLOEXEC = 0o2000000;
/** timerfd_create(2) flag: reads say EAGAIN instead of blocking. */
export const TFD_NONBLOCK = 0o4000;
/** timerfd_settime(2) flag: `value` is an absolute time on the timer's clock. */
export const TFD_TIMER_ABSTIME = 1;
/** timerfd_settime(2) flag, with TFD_TIMER_ABSTIME on a CLOCK_REALTIME timer: a read fails with ECANCELED (ClockChangedError) when the clock is set. */
export const TFD_TIMER_CANCEL_ON_SET = 2;

/**
 * The longest time a timer takes, in nanoseconds (2^63-1, about 292 years): the kernel
 * keeps timer times as signed 64-bit nanoseconds and silently clamps a longer timespec,
 * so butter refuses one instead.
 */
export const MAX_NS = v.I64_MAX;

/** A timer setting: both fields in nanoseconds; a zero `value` means disarmed. */
export interface Itimerspec {
  /** period after the first expiry; 0 for a one-shot timer */
  readonly interval: bigint;
  /** time to the first expiry (or the absolute time, with TFD_TIMER_ABSTIME) */
  readonly value: bigint;
}

export const TIMERFD_CREATE: CallSpec = { syscall: "timerfd_create", errnos: ["EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM", "EPERM"] };
// ECANCELED: re-arming a TFD_TIMER_CANCEL_ON_SET timer whose clock jumped before it was
// read (timerfd_create(2), NOTES): the same condition as the read's.
export const TIMERFD_SETTIME: CallSpec = { syscall: "timerfd_settime", errnos: ["EBADF", "EFAULT", "EINVAL", "ECANCELED"], special: { ECANCELED: ClockChangedError } };
export const TIMERFD_GETTIME: CallSpec = { syscall: "timerfd_gettime", errnos: ["EBADF", "EFAULT", "EINVAL"] };
export const CLOCK_GETTIME: CallSpec = { syscall: "clock_gettime", errnos: ["EFAULT", "EINVAL", "ENODEV", "EOPNOTSUPP", "EOVERFLOW"] };
// read(2) on a timerfd: timerfd_create(2) lists EAGAIN, ECANCELED and EINVAL.
export const TIMERFD_READ: CallSpec = { syscall: "read", family: "timerfd", errnos: ["EAGAIN", "ECANCELED", "EINVAL", "EBADF", "EINTR", "EIO", "EISDIR"], special: { ECANCELED: ClockChangedError } };

const io = new BigInt64Array(8);
const BILLION = 1_000_000_000n;

function fromSpec(a: BigInt64Array, at: number): Itimerspec {
  return { interval: a[at]! * BILLION + a[at + 1]!, value: a[at + 2]! * BILLION + a[at + 3]! };
}

/**
 * timerfd_create(2): a new timer on `clockid`; close-on-exec unless `flags` says otherwise.
 * @throws {@link OSError} with an errno timerfd_create(2) lists, {@link PermissionError} EPERM for an _ALARM clock without CAP_WAKE_ALARM; RangeError for unknown flags.
 */
export function timerfdCreate(clockid: number = CLOCK_MONOTONIC, flags: number = TFD_CLOEXEC): number {
  return check(
    lib().bt_timerfd_create(v.int(clockid, "clockid", 0, 0x7fffffff), v.flags(flags, "flags", TFD_CLOEXEC | TFD_NONBLOCK)),
    TIMERFD_CREATE,
  );
}

/**
 * timerfd_settime(2): arms (or, with value 0, disarms) the timer; returns the old setting.
 * @throws {@link OSError} with an errno timerfd_settime(2) lists, {@link ClockChangedError} ECANCELED; RangeError for a time over 2^63-1 ns or unknown flags.
 */
export function timerfdSettime(fd: number, flags: number, newValue: Itimerspec): Itimerspec {
  const f = v.fd(fd);
  const fl = v.flags(flags, "flags", TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET);
  if (typeof newValue !== "object" || newValue === null) throw new TypeError("newValue must be { interval, value }");
  const interval = v.bigint(newValue.interval, "newValue.interval", 0n, MAX_NS);
  const value = v.bigint(newValue.value, "newValue.value", 0n, MAX_NS);
  io[0] = interval / BILLION;
  io[1] = interval % BILLION;
  io[2] = value / BILLION;
  io[3] = value % BILLION;
  check(lib().bt_timerfd_settime(f, fl, io), TIMERFD_SETTIME);
  return fromSpec(io, 4);
}

/**
 * timerfd_gettime(2): time left to the next expiry (relative, even for an absolute timer) and the interval.
 * @throws {@link OSError} EBADF or EINVAL when `fd` is not a timerfd.
 */
export function timerfdGettime(fd: number): Itimerspec {
  check(lib().bt_timerfd_gettime(v.fd(fd), io), TIMERFD_GETTIME);
  return fromSpec(io, 0);
}

/**
 * clock_gettime(2) in nanoseconds.
 * @throws {@link OSError} EINVAL for a clock the kernel does not have.
 */
export function clockGettime(clockid: number = CLOCK_MONOTONIC): bigint {
  check(lib().bt_clock_gettime(v.int(clockid, "clockid", -0x80000000, 0x7fffffff), io), CLOCK_GETTIME);
  return io[0]! * BILLION + io[1]!;
}
