/**
 * The read-only async queue every `XxxAsync` class is: `get()`, `getNowait()`, `size`,
 * `empty()`, `for await`, `close()`, `await using`, and an AbortSignal on waits.
 *
 * It is a mixin over a family's event-like class, so `EventfdAsync` is an `Eventfd`
 * (same decoder, same `write()`) with a non-blocking fd and a queue in front.
 *
 * Contract:
 * - `get()` reads first and waits (in the reactor) only when the kernel says EAGAIN.
 *   Concurrent `get()`s are served in call order, one event each.
 * - An aborted `get()` rejects with `signal.reason` and consumes nothing.
 * - `close()` closes the fd at once. Events already read from the kernel stay
 *   available: `get()`/`getNowait()` hand them out, then `get()` rejects with
 *   `QueueClosed` and `for await` ends. `get()`s pending at close reject with `QueueClosed`.
 * - An error from the kernel (e.g. ClockChangedError from a timerfd) rejects the one
 *   `get()` it was read for; the queue stays usable.
 */
import type { EventSource } from "./events.ts";
import { cancel, waitReadable } from "./reactor.ts";
import * as v from "./validate.ts";

/** `getNowait()` found nothing ready. */
export class QueueEmpty extends Error {
  /** "QueueEmpty" */
  override name = "QueueEmpty";
  constructor() {
    super("no event is ready");
  }
}

/** The queue was closed and holds no more events. */
export class QueueClosed extends Error {
  /** "QueueClosed" */
  override name = "QueueClosed";
  constructor() {
    super("the queue is closed");
  }
}

/**
 * `for await` over anything with a queue's `get()`: ends at QueueClosed, throws any
 * other error. Every queue-like object (the XxxAsync classes, InotifyTree) uses it.
 */
export async function* drain<T>(get: () => Promise<T>): AsyncGenerator<T, void, undefined> {
  for (;;) {
    let e: T;
    try {
      e = await get();
    } catch (err) {
      if (err instanceof QueueClosed) return;
      throw err;
    }
    yield e;
  }
}

/** Options of a queue's `get()`. */
export interface WaitOptions {
  /** aborting it rejects the `get()` with `signal.reason`, consuming nothing */
  signal?: AbortSignal;
}

interface Getter<T> {
  resolve(e: T): void;
  reject(err: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * What every `XxxAsync` class adds to its event-like class: a read-only async queue of
 * the events its fd yields (the contract is in docs/design.md, "The async queue").
 */
export interface AsyncQueue<T> extends AsyncIterable<T>, AsyncDisposable {
  /** Events already read from the kernel and not yet handed out. */
  readonly size: number;
  /** True when nothing is buffered and the kernel has nothing ready either (it peeks;
   *  a peeked event stays first in line). */
  empty(): boolean;
  /** The next event if one is ready. @throws {@link QueueEmpty} when none is ready,
   *  {@link QueueClosed} once closed and drained. */
  getNowait(): T;
  /** The next event, waiting for it without blocking the JS thread. Concurrent calls are
   *  served in call order. Rejects with `signal.reason` when aborted (consuming nothing),
   *  with {@link QueueClosed} once closed and drained, or with the error the kernel
   *  reported for the read made for it. */
  get(opts?: WaitOptions): Promise<T>;
  /** `get()` in a loop; ends when the queue is closed. */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined>;
}

// biome-ignore lint: mixin constructors must take any[]
type Ctor<T> = abstract new (...args: any[]) => EventSource<T>;
// biome-ignore lint: mixin constructors must take any[]
type WithQueue<T> = abstract new (...args: any[]) => AsyncQueue<T>;

/** Makes a family's `XxxAsync` class from its event-like class (internal). */
export function Queued<T, B extends Ctor<T>>(Base: B): B & WithQueue<T> {
  abstract class Queue extends Base implements AsyncQueue<T> {
    #getters: Getter<T>[] = [];
    // the fds a wait is armed on (readyFds, read once per wait), or undefined: not armed
    #armedOn: readonly number[] | undefined;

    /** Events read from the kernel and not yet handed out. */
    get size(): number {
      return this.buffered;
    }

    /** True when nothing is buffered and the kernel has nothing ready either. */
    empty(): boolean {
      if (this.buffered > 0) return false;
      if (this.closed) return true;
      const e = this.take();
      if (e === undefined) return true;
      this.pushFront(e);
      return false;
    }

    /** The next event if one is ready; throws QueueEmpty (or QueueClosed) otherwise. */
    getNowait(): T {
      if (this.#getters.length === 0) {
        const e = this.take();
        if (e !== undefined) return e;
      }
      throw this.closed ? new QueueClosed() : new QueueEmpty();
    }

    /** The next event, waiting for it without blocking the JS thread. */
    get(opts?: WaitOptions): Promise<T> {
      const signal = v.waitOptions(opts).signal;
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (this.#getters.length === 0) {
        let e: T | undefined;
        try {
          e = this.take();
        } catch (err) {
          return Promise.reject(err);
        }
        if (e !== undefined) return Promise.resolve(e);
        if (this.closed) return Promise.reject(new QueueClosed());
      }
      return new Promise<T>((resolve, reject) => {
        const g: Getter<T> = { resolve, reject };
        if (signal) {
          g.signal = signal;
          g.onAbort = () => {
            // (a getter that was served has no listener any more: it is still in line here)
            this.#getters = this.#getters.filter((x) => x !== g);
            if (this.#getters.length === 0) this.#disarm();
            reject(signal.reason);
          };
          signal.addEventListener("abort", g.onAbort, { once: true });
        }
        this.#getters.push(g);
        try {
          this.#arm();
        } catch (err) {
          // The wait could not be set up: this get() fails, and must not stay in line,
          // or the next event would go to a promise that already rejected.
          this.#getters.pop();
          this.#detach(g);
          throw err;
        }
      });
    }

    [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
      return drain(() => this.get());
    }

    async [Symbol.asyncDispose](): Promise<void> {
      this.close();
    }

    protected override beforeClose(fd: number): void {
      this.#disarm();
      const getters = this.#getters;
      this.#getters = [];
      for (const g of getters) this.#settle(g, undefined, new QueueClosed());
      super.beforeClose(fd);
    }

    #arm(): void {
      if (this.#armedOn !== undefined) return;
      const fds = this.readyFds;
      this.#armedOn = fds;
      try {
        for (const f of fds) waitReadable(f, this.#onReadable);
      } catch (err) {
        this.#disarm(); // (an fd armed before the one that failed does not stay armed)
        throw err;
      }
    }

    #disarm(): void {
      const fds = this.#armedOn;
      this.#armedOn = undefined;
      if (fds !== undefined) for (const f of fds) cancel(f); // (idempotent per fd)
    }

    #onReadable = (): void => {
      // the fd that fired is no longer armed; any other the wait was armed on still is
      if (this.#armedOn !== undefined && this.#armedOn.length > 1) this.#disarm();
      else this.#armedOn = undefined;
      while (this.#getters.length > 0) {
        let e: T | undefined;
        try {
          e = this.take();
        } catch (err) {
          this.#settle(this.#getters.shift()!, undefined, err);
          continue;
        }
        if (e === undefined) break;
        this.#settle(this.#getters.shift()!, e);
      }
      if (this.#getters.length > 0 && !this.closed) this.#arm();
    };

    #detach(g: Getter<T>): void {
      if (g.onAbort) g.signal!.removeEventListener("abort", g.onAbort);
    }

    #settle(g: Getter<T>, e: T | undefined, err?: unknown): void {
      this.#detach(g);
      if (err !== undefined) g.reject(err);
      else g.resolve(e as T);
    }
  }
  return Queue;
}
