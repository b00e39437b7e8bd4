/**
 * `Eventfd` (event-like) and `EventfdAsync` (queue) over one eventfd. The events are
 * the counter values read, as bigints.
 */
import { CounterSource } from "../core/counter.ts";
import { Queued } from "../core/queue.ts";
import { errorFor, EAGAIN } from "../core/errors.ts";
import { writeCounter } from "../core/io.ts";
import { eventfd, EFD_CLOEXEC, EFD_SEMAPHORE, EFD_NONBLOCK, EVENTFD_MAX, EVENTFD_READ, EVENTFD_WRITE } from "./calls.ts";
import * as v from "../core/validate.ts";

/**
 * An eventfd: a 64-bit counter in the kernel that threads and processes signal each
 * other through. `write(n)` adds, `read()` takes the whole value (or 1 with
 * EFD_SEMAPHORE). Blocking unless made with EFD_NONBLOCK. docs/eventfd.md.
 */
export class Eventfd extends CounterSource {
  /** The read(2) this family's events come from. @internal */
  protected readonly readCall = EVENTFD_READ;

  /**
   * @param initval - the counter's start value (0 to 2^32-1)
   * @param flags - EFD_SEMAPHORE and/or EFD_NONBLOCK; EFD_CLOEXEC is always added
   */
  constructor(initval: number = 0, flags: number = 0) {
    super(eventfd(initval, v.flags(flags, "flags", EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC) | EFD_CLOEXEC));
  }

  /**
   * Adds `n` (default 1) to the counter. When the counter is full this blocks on a
   * blocking fd; on a non-blocking one (every EventfdAsync) it throws OSError EAGAIN.
   */
  write(n: bigint | number = 1n): void {
    const value = v.bigint(n, "n", 0n, EVENTFD_MAX);
    if (!writeCounter(this.openFd("write"), value, EVENTFD_WRITE)) throw errorFor(-EAGAIN, EVENTFD_WRITE);
  }
}

/** An Eventfd with a non-blocking fd and an async queue: `await efd.get()` is the next counter value. */
export class EventfdAsync extends Queued<bigint, typeof Eventfd>(Eventfd) {
  constructor(initval: number = 0, flags: number = 0) {
    super(initval, v.flags(flags, "flags", EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC) | EFD_NONBLOCK);
  }
}
