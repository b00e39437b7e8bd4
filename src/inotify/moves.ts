/**
 * Rename pairing: joins the IN_MOVED_FROM and IN_MOVED_TO of one rename(2), by cookie,
 * into one `InotifyMove`. A half whose partner never comes is reported as a move with
 * only `from` (moved out of the watched directories) or only `to` (moved in).
 *
 * - An IN_MOVED_TO with no IN_MOVED_FROM before it is a move in, reported at once (the
 *   kernel queues the FROM half first).
 * - An IN_MOVED_FROM waits for its partner at most `timeout` ms (default 20), and other
 *   events are not held back meanwhile: an unpaired FROM is reported after the events
 *   that came while it waited.
 */
import { QueueClosed, type WaitOptions } from "../core/queue.ts";
import type { InotifyAsync, InotifyEvent } from "./inotify.ts";
import { IN_ISDIR, IN_MOVED_FROM, IN_MOVED_TO } from "./calls.ts";
import * as v from "../core/validate.ts";

/**
 * A rename, its IN_MOVED_FROM and IN_MOVED_TO joined by their cookie: what
 * {@link pairMoves} yields instead of the two halves. A move into the watched directories
 * has no `fromEvent`; a move out of them has no `toEvent`.
 */
export class InotifyMove {
  /** Tells a move from an {@link InotifyEvent} in a stream that mixes both. */
  readonly kind = "move";
  constructor(
    /** the cookie the kernel gave both halves */
    readonly cookie: number,
    /** the IN_MOVED_FROM half; undefined for a move into the watched directories */
    readonly fromEvent: InotifyEvent | undefined,
    /** the IN_MOVED_TO half; undefined for a move out of them */
    readonly toEvent: InotifyEvent | undefined,
  ) {}

  /** The old path, undefined for a move in. */
  get from(): string | undefined {
    return this.fromEvent?.path;
  }

  /** The new path, undefined for a move out. */
  get to(): string | undefined {
    return this.toEvent?.path;
  }

  /** True when a directory was moved. */
  get isDir(): boolean {
    return (((this.fromEvent ?? this.toEvent)!.mask) & IN_ISDIR) !== 0;
  }
}

/** How long (ms) {@link pairMoves} waits for the IN_MOVED_TO of an IN_MOVED_FROM before calling it a move out. */
export const DEFAULT_MOVE_TIMEOUT = 20;

/** The pairing itself, with the clock passed in (pure: `pairMoves` drives it). */
export class MovePairer {
  #pending = new Map<number, { ev: InotifyEvent; deadline: number }>();

  /** ms a FROM waits for its TO (0 to 2^31-1, what a JS timer takes) */
  readonly timeout: number;

  constructor(timeout: number = DEFAULT_MOVE_TIMEOUT) {
    this.timeout = v.milliseconds(timeout, "timeout");
  }

  /** What `ev`, arriving at `now`, releases: expired halves first, then `ev` or its move. */
  push(ev: InotifyEvent, now: number): (InotifyEvent | InotifyMove)[] {
    const out: (InotifyEvent | InotifyMove)[] = this.expire(now);
    if (ev.mask & IN_MOVED_FROM) {
      this.#pending.set(ev.cookie, { ev, deadline: now + this.timeout });
    } else if (ev.mask & IN_MOVED_TO) {
      const from = this.#pending.get(ev.cookie);
      this.#pending.delete(ev.cookie);
      out.push(new InotifyMove(ev.cookie, from?.ev, ev));
    } else out.push(ev);
    return out;
  }

  /** The FROM halves whose wait is over at `now`, as moves out. */
  expire(now: number): InotifyMove[] {
    const out: InotifyMove[] = [];
    for (const [cookie, p] of this.#pending) {
      if (p.deadline > now) break; // deadlines grow in insertion order
      this.#pending.delete(cookie);
      out.push(new InotifyMove(cookie, p.ev, undefined));
    }
    return out;
  }

  /** Every FROM half still waiting, as moves out (the source ended). */
  flush(): InotifyMove[] {
    return this.expire(Number.POSITIVE_INFINITY);
  }

  /** When the oldest waiting half expires, or undefined when none waits. */
  get nextDeadline(): number | undefined {
    return this.#pending.values().next().value?.deadline;
  }
}

const expired = Symbol("move wait expired");

/**
 * The events of `source` with renames paired (see the module comment). Ends when the
 * source is closed (after reporting the halves still waiting); throws `signal.reason`
 * when `signal` aborts.
 */
export function pairMoves(
  source: InotifyAsync,
  options: { timeout?: number } & WaitOptions = {},
): AsyncGenerator<InotifyEvent | InotifyMove, void, undefined> {
  // checked at the call, not at the first next(): a generator's body runs late
  const opts = v.waitOptions(options) as { timeout?: number } & WaitOptions;
  if (typeof (source as { get?: unknown })?.get !== "function") throw new TypeError("source must be an InotifyAsync");
  return pairing(source, new MovePairer(opts.timeout ?? DEFAULT_MOVE_TIMEOUT), opts);
}

async function* pairing(
  source: InotifyAsync,
  pairer: MovePairer,
  opts: WaitOptions,
): AsyncGenerator<InotifyEvent | InotifyMove, void, undefined> {
  for (;;) {
    const deadline = pairer.nextDeadline;
    let ev: InotifyEvent;
    const ac = new AbortController();
    const onAbort = () => ac.abort(opts.signal!.reason);
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const timer = deadline === undefined ? undefined : setTimeout(() => ac.abort(expired), Math.max(0, deadline - performance.now()));
    try {
      if (opts.signal?.aborted) throw opts.signal.reason;
      ev = await source.get({ signal: ac.signal });
    } catch (err) {
      if (err === expired) {
        yield* pairer.expire(performance.now());
        continue;
      }
      if (err instanceof QueueClosed) {
        yield* pairer.flush();
        return;
      }
      throw err;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    }
    yield* pairer.push(ev, performance.now());
  }
}
