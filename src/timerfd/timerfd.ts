/**
 * `Timerfd` (event-like) and `TimerfdAsync` (queue). An event is the number of
 * expirations since the last read, as a bigint (more than 1 when reads fell behind a
 * periodic timer: ticks are counted, never lost).
 *
 * Durations are milliseconds when given as a number (fractions allowed, like
 * setTimeout) and nanoseconds when given as a bigint.
 */
import { CounterSource } from "../core/counter.ts";
import { Queued } from "../core/queue.ts";
import {
  timerfdCreate,
  timerfdSettime,
  timerfdGettime,
  CLOCK_MONOTONIC,
  CLOCK_REALTIME,
  CLOCK_REALTIME_ALARM,
  TFD_CLOEXEC,
  TFD_NONBLOCK,
  TFD_TIMER_ABSTIME,
  TFD_TIMER_CANCEL_ON_SET,
  TIMERFD_READ,
  MAX_NS,
  type Itimerspec,
} from "./calls.ts";
import * as v from "../core/validate.ts";

/** Milliseconds (number) or nanoseconds (bigint). */
export type Duration = number | bigint;

/** A Duration in nanoseconds, exactly: whole milliseconds are never rounded. */
export function toNanoseconds(d: Duration, what: string): bigint {
  if (typeof d === "bigint") return v.bigint(d, what, 0n, MAX_NS);
  if (typeof d !== "number") throw new TypeError(`${what} must be milliseconds (number) or nanoseconds (bigint), got type ${typeof d}`);
  if (!Number.isFinite(d) || d < 0) throw new RangeError(`${what} must be a finite, non-negative number of milliseconds, got ${d}`);
  const whole = Math.trunc(d);
  const ns = BigInt(whole) * 1_000_000n + BigInt(Math.round((d - whole) * 1e6));
  if (ns > MAX_NS) throw new RangeError(`${what} is longer than a timer can be set (2^63-1 ns)`);
  return ns;
}

/** Options of {@link Timerfd.at}. */
export interface AtOptions {
  /** period after the deadline; default: one-shot */
  interval?: Duration;
  /**
   * TFD_TIMER_CANCEL_ON_SET (realtime clocks only): if the clock is set while the timer
   * waits, the next read throws ClockChangedError instead of waiting for a deadline
   * that moved.
   */
  cancelOnSet?: boolean;
}

/**
 * A timerfd: a timer whose expirations are read from an fd. `read()` gives the number
 * of expirations since the last read (a bigint: late ticks are counted, not lost).
 * Durations are milliseconds (a number, fractions allowed) or nanoseconds (a bigint).
 * docs/timerfd.md.
 */
export class Timerfd extends CounterSource {
  /** The read(2) this family's events come from. @internal */
  protected readonly readCall = TIMERFD_READ;
  /** The clock this timer runs on. */
  readonly clockid: number;

  /**
   * @param clockid - CLOCK_MONOTONIC (default), CLOCK_REALTIME, CLOCK_BOOTTIME, or an _ALARM clock
   * @param flags - TFD_NONBLOCK; TFD_CLOEXEC is always added
   */
  constructor(clockid: number = CLOCK_MONOTONIC, flags: number = 0) {
    super(timerfdCreate(clockid, v.flags(flags, "flags", TFD_NONBLOCK | TFD_CLOEXEC) | TFD_CLOEXEC));
    // (as a number: a clock given as a bigint is the same clock)
    this.clockid = v.int(clockid, "clockid", 0, 0x7fffffff);
  }

  /** Fires once, `delay` from now. A delay of 0 fires at once (the kernel reads 0 as "disarm"). */
  after(delay: Duration): this {
    const ns = toNanoseconds(delay, "delay");
    return this.#set(0, { interval: 0n, value: ns === 0n ? 1n : ns });
  }

  /** Fires every `interval`, the first time after `first` (default: one interval). */
  every(interval: Duration, first?: Duration): this {
    const period = toNanoseconds(interval, "interval");
    if (period === 0n) throw new RangeError("interval must be more than 0");
    const start = first === undefined ? period : toNanoseconds(first, "first");
    return this.#set(0, { interval: period, value: start === 0n ? 1n : start });
  }

  /**
   * Fires at an absolute time on the timer's clock: nanoseconds (bigint) or milliseconds
   * (number) as `clockGettime(clockid)` counts them, or a Date for a realtime clock.
   * A deadline already past fires at once.
   */
  at(deadline: Duration | Date, options: AtOptions = {}): this {
    const opts = v.options(options);
    const realtime = this.clockid === CLOCK_REALTIME || this.clockid === CLOCK_REALTIME_ALARM;
    let ns: bigint;
    if (deadline instanceof Date) {
      if (!realtime) throw new TypeError("a Date deadline needs a CLOCK_REALTIME timer; give nanoseconds of this timer's clock instead");
      ns = toNanoseconds(deadline.getTime(), "deadline");
    } else ns = toNanoseconds(deadline, "deadline");
    if (opts.cancelOnSet && !realtime) throw new RangeError("cancelOnSet needs a CLOCK_REALTIME timer");
    const interval = opts.interval === undefined ? 0n : toNanoseconds(opts.interval, "interval");
    const flags = TFD_TIMER_ABSTIME | (opts.cancelOnSet ? TFD_TIMER_CANCEL_ON_SET : 0);
    return this.#set(flags, { interval, value: ns === 0n ? 1n : ns });
  }

  /** Stops the timer; expirations not yet read stay readable. */
  disarm(): this {
    return this.#set(0, { interval: 0n, value: 0n });
  }

  /** Time to the next expiry and the interval, in nanoseconds (value 0n: disarmed). */
  gettime(): Itimerspec {
    return timerfdGettime(this.openFd("timerfd_gettime"));
  }

  /** Sets the timer as timerfdSettime does; returns the previous setting. */
  settime(flags: number, value: Itimerspec): Itimerspec {
    return timerfdSettime(this.openFd("timerfd_settime"), flags, value);
  }

  #set(flags: number, value: Itimerspec): this {
    this.settime(flags, value);
    return this;
  }
}

/** A Timerfd with a non-blocking fd and an async queue: `for await (const n of timer)` yields ticks. */
export class TimerfdAsync extends Queued<bigint, typeof Timerfd>(Timerfd) {
  constructor(clockid: number = CLOCK_MONOTONIC, flags: number = 0) {
    super(clockid, v.flags(flags, "flags", TFD_NONBLOCK | TFD_CLOEXEC) | TFD_NONBLOCK);
  }
}
