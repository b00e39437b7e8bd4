/** butter/timerfd: timerfd. One family's entry point (why: src/index.ts). */
export {
  CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM,
  TFD_CLOEXEC, TFD_NONBLOCK, TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET,
  timerfdCreate, timerfdSettime, timerfdGettime, clockGettime,
} from "./calls.ts";
export type { Itimerspec } from "./calls.ts";
export { Timerfd, TimerfdAsync } from "./timerfd.ts";
export type { Duration, AtOptions } from "./timerfd.ts";
