/**
 * The event-like half every fd family shares: an fd whose read(2) yields events, one
 * decoder per family, and a buffer so that no event a read returned is ever dropped
 * (a read may return more events than the caller asked for).
 */
import { FdObject } from "./fd.ts";
import { errorFor, EAGAIN, type CallSpec } from "./errors.ts";

/**
 * The event-like half of every fd family: `readEvent()` and `readEvents()` over an fd
 * whose read(2) yields events. Events one read returned beyond what was asked for are
 * kept and handed out next: nothing the kernel gave is dropped.
 */
export abstract class EventSource<T> extends FdObject {
  #buffer: T[] = [];
  #head = 0;

  /** The read(2) this family's events come from, for its errors. @internal */
  protected abstract readonly readCall: CallSpec;

  /**
   * One read(2) of the fd, decoded. Returns null when the fd is non-blocking and has
   * nothing (EAGAIN); throws the family's error for anything else.
   * @internal
   */
  protected abstract readBatch(fd: number): T[] | null;

  /**
   * The fds whose readability says events may be ready: the object's own fd, and (for a
   * family that also reads its fd on a thread of butter's) that thread's bell. @internal
   */
  protected get readyFds(): readonly number[] {
    return [this.fd];
  }

  /** Events already read from the kernel and not yet handed out. @internal */
  protected get buffered(): number {
    return this.#buffer.length - this.#head;
  }

  /**
   * The next event: buffered first, else one read(2). Undefined when nothing is there
   * (non-blocking fd) or the object is closed with nothing buffered.
   * @internal
   */
  protected take(): T | undefined {
    if (this.#head < this.#buffer.length) {
      const e = this.#buffer[this.#head++]!;
      if (this.#head === this.#buffer.length) {
        this.#buffer = [];
        this.#head = 0;
      }
      return e;
    }
    if (this.closed) return undefined;
    const batch = this.readBatch(this.fd);
    if (batch === null || batch.length === 0) return undefined;
    if (batch.length > 1) {
      this.#buffer = batch;
      this.#head = 1;
    }
    return batch[0];
  }

  /** Puts back an event that take() handed out, at the front (a peek, for `empty()`). @internal */
  protected pushFront(e: T): void {
    if (this.#head > 0) this.#buffer[--this.#head] = e;
    else this.#buffer.unshift(e);
  }

  /**
   * The next event. On a blocking fd this waits in the kernel (blocking the JS thread);
   * on a non-blocking fd with nothing ready it throws OSError EAGAIN.
   */
  readEvent(): T {
    if (this.buffered === 0) this.openFd(this.readCall.syscall);
    const e = this.take();
    if (e === undefined) throw errorFor(-EAGAIN, this.readCall);
    return e;
  }

  /**
   * Everything buffered, or else the events of one read(2): on a blocking fd this waits
   * for at least one; on a non-blocking fd it returns [] when nothing is ready.
   */
  readEvents(): T[] {
    if (this.buffered > 0) {
      const out = this.#buffer.slice(this.#head);
      this.#buffer = [];
      this.#head = 0;
      return out;
    }
    return this.readBatch(this.openFd(this.readCall.syscall)) ?? [];
  }
}
