/**
 * butter/timerfd: timerfd.
 *
 * One family's entry point, for a program that uses only it: importing it loads this
 * family's modules and core's, not the other families' (their parse and their helpers'
 * compile are the bulk of butter's start-up; docs/benchmarks.md). The root entry point
 * (`butter`) re-exports every family's. Names are listed by hand, so a name a module
 * adds for its own use never leaks.
 */
export {
  CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM,
  TFD_CLOEXEC, TFD_NONBLOCK, TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET,
  timerfdCreate, timerfdSettime, timerfdGettime, clockGettime,
} from "./calls.ts";
export type { Itimerspec } from "./calls.ts";
export { Timerfd, TimerfdAsync } from "./timerfd.ts";
export type { Duration, AtOptions } from "./timerfd.ts";
