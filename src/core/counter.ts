/**
 * The event source of the counter families (eventfd, timerfd): each read(2) yields one
 * u64, as a bigint. `read()` is their hot path and skips the event buffer when it is
 * empty (it only fills when `empty()` peeks).
 */
import { EventSource } from "./events.ts";
import { errorFor, EAGAIN } from "./errors.ts";
import { readCounter } from "./io.ts";

export abstract class CounterSource extends EventSource<bigint> {
  protected readBatch(fd: number): bigint[] | null {
    const value = readCounter(fd, this.readCall);
    return value === null ? null : [value];
  }

  /**
   * The counter: waits for it on a blocking fd; throws OSError EAGAIN on a
   * non-blocking fd when there is nothing. Same as `readEvent()`.
   */
  read(): bigint {
    if (this.buffered > 0) return this.readEvent();
    const value = readCounter(this.openFd(this.readCall.syscall), this.readCall);
    if (value === null) throw errorFor(-EAGAIN, this.readCall);
    return value;
  }
}
