/**
 * Holds beside Bun's own `process.on("SIGxxx")` listeners, in any order.
 *
 * What Bun does (measured with strace, Bun 1.4.5): adding the first listener for a signal
 * installs Bun's handler (on the main thread only: a Worker's listeners install nothing);
 * removing the last one sets the default action, then puts back the handler it found
 * there if that was not its own, but without SA_SIGINFO. Two consequences for a held
 * signal, both handled here:
 * - after every listener method, butter's handler is checked and put back (with
 *   SA_SIGINFO), and what the last release restores follows the listeners
 *   (bunffi/signal.c: bt_reassert);
 * - between Bun's two calls, for a few microseconds, the signal has its default action:
 *   a held signal arriving then (a Worker idles with an empty mask) ends the process. So
 *   on the main thread the count of listeners of a held signal never drops to zero: a
 *   hidden listener of butter's stays while the signal is held, and Bun never removes
 *   its handler. When the hold ends the hidden listener goes too (settleListeners), and
 *   if a signal reaches it after a release made on another thread, it removes itself and
 *   raises the signal again, so that what would have happened without it happens.
 */
import { heldSignals } from "./holds.ts";
import { helpersLoaded, lib, SIGACTION } from "./calls.ts";
import { errorFor } from "../core/errors.ts";
import { nodeOs } from "../core/lazy-node.ts";

type Listener = (...args: unknown[]) => void;
type Method = (this: unknown, event?: unknown, ...rest: unknown[]) => unknown;

/** What is guarded: `process`, or (in tests) an EventEmitter standing in for it. */
export interface ListenerTarget {
  listeners(event: string): Function[];
  listenerCount(event: string): number;
  eventNames(): (string | symbol)[];
}
export interface GuardOptions {
  /** whether the target's listeners install OS handlers (Bun: the main thread's process) */
  main: boolean;
  /** raises a signal again (process.kill of this process) */
  raise: (event: string) => void;
}

// (node:os at first use: see core/lazy-node.ts)
const signals = () => nodeOs().constants.signals as Record<string, number>;
// Arrays, not Sets: this runs at import, where JSC interprets, and a Set made from a
// list, spreading one, or Object.keys first compiles the builtins behind them (an
// array's spread has its own fast path).
const ADDERS = ["on", "addListener", "prependListener", "once", "prependOnceListener"];
const REMOVERS = ["off", "removeListener"];
const METHODS = [...ADDERS, ...REMOVERS, "removeAllListeners"];
const patched = Symbol.for("butter.signalListeners");

const isSignal = (event: unknown): event is string => typeof event === "string" && signals()[event] !== undefined;
// (no hold can exist before some thread compiled signal.c)
const held = (event: string): boolean => helpersLoaded() && heldSignals().has(signals()[event]!);

interface Guard {
  target: ListenerTarget;
  original: Record<string, Method>;
  /** event -> butter's hidden listener */
  hidden: Map<string, Listener>;
  opts: GuardOptions;
}
const guards: Guard[] = [];

const others = (g: Guard, event: string) => g.target.listeners(event).filter((l) => l !== g.hidden.get(event));

function keepListening(g: Guard, event: string): void {
  if (g.hidden.has(event)) return;
  const fn: Listener = () => {
    if (held(event)) return;
    dropHidden(g, event);
    if (others(g, event).length === 0) g.opts.raise(event);
  };
  g.hidden.set(event, fn);
  g.original.on!.call(g.target, event, fn);
}

function dropHidden(g: Guard, event: string): void {
  const fn = g.hidden.get(event);
  if (fn === undefined) return;
  g.hidden.delete(event);
  g.original.removeListener!.call(g.target, event, fn);
  reassert(); // Bun may have put back a stale copy of butter's handler
}

/**
 * Puts butter's handler back where Bun replaced it (bunffi/signal.c). A failure is not
 * thrown from the listener method (the listener was added or removed as asked), but not
 * dropped either: it is emitted as a process warning, an OSError naming sigaction; the
 * signal then goes to Bun's handler instead of the Signalfd until the next try.
 */
function reassert(): void {
  const r = lib().bt_reassert();
  if (r < 0) process.emitWarning(errorFor(r, SIGACTION, undefined, "butter could not put its handler back on a held signal"));
}

/** After a release: the hidden listeners of signals no longer held go. */
export function settleListeners(): void {
  for (const g of guards) for (const event of [...g.hidden.keys()]) if (!held(event)) dropHidden(g, event);
}

/**
 * Patches the listener methods of `target` (see the module comment). Done once for
 * `process` when this module loads; idempotent per target.
 */
export function guardListeners(target: ListenerTarget, opts: GuardOptions): void {
  const t = target as unknown as Record<string | symbol, unknown>;
  if (t[patched]) return;
  t[patched] = true;
  const g: Guard = { target, original: {}, hidden: new Map(), opts };
  guards.push(g);
  for (let i = 0; i < METHODS.length; i++) {
    const name = METHODS[i]!;
    const fn = t[name];
    if (typeof fn !== "function") continue;
    g.original[name] = fn as Method;
    t[name] = function (this: unknown, event?: unknown, ...rest: unknown[]) {
      let result: unknown;
      const guard = opts.main && (event === undefined || isSignal(event));
      if (guard && (REMOVERS.includes(name) || name === "removeAllListeners")) {
        // the count of a held signal's listeners must not reach zero (see above)
        const events = event === undefined ? Object.keys(signals()).filter((e) => target.listenerCount(e) > 0) : [event as string];
        for (const e of events) if (held(e)) keepListening(g, e);
      }
      if (name === "removeAllListeners" && guard && g.hidden.size > 0) {
        // the user's listeners go one by one; butter's hidden ones stay
        const events = event === undefined ? target.eventNames().map(String) : [event as string];
        for (const e of events) {
          if (g.hidden.has(e)) for (const l of others(g, e)) g.original.removeListener!.call(this, e, l);
          else g.original.removeAllListeners!.call(this, e);
        }
        result = this;
      } else {
        result = g.original[name]!.call(this, event, ...rest);
      }
      if (guard && ADDERS.includes(name) && g.hidden.has(event as string) && others(g, event as string).length > 0) {
        dropHidden(g, event as string); // two listeners down to one: Bun keeps its handler
      }
      if ((event === undefined || isSignal(event)) && helpersLoaded()) reassert();
      return result;
    };
  }
}

guardListeners(process as unknown as ListenerTarget, {
  main: Bun.isMainThread, // (not node:worker_threads: importing it costs 2 ms at start-up)
  raise: (event) => process.kill(process.pid, event as NodeJS.Signals),
});
