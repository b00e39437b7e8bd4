/**
 * Process-wide holds on signals, counted: what a Signalfd takes so that its signals
 * really arrive, and gives back when the last holder of a signal lets go.
 *
 * A hold on a signal is two things (docs/signal.md, bunffi/signal.c):
 * - the signal is blocked in every thread (process-mask.ts), so it stays pending
 *   for signalfd while JS runs instead of interrupting some thread;
 * - it is caught by butter's parking handler, because Bun's event loop waits with an
 *   empty mask and would otherwise take the signal, and its default action, while idle.
 *   The handler writes it to the pipe of the newest Signalfd holding it.
 *
 * On release each thread gets back its own old bit for the signal (a thread that
 * blocked it before still does; one born during the hold gets the holder's bit), and the
 * disposition there was before (Bun's own, if `process.on(sig)` had installed one).
 */
import { editProcessMask } from "./process-mask.ts";
import { gettid } from "../process/calls.ts";
import { check } from "../core/errors.ts";
import { lib, sigbit } from "./calls.ts";
import { SIGACTION } from "./process-mask.ts";

interface Hold {
  /** the holders' pipes (write ends), newest last: the signal is routed to the last */
  pipes: number[];
  /** every thread's mask before the signal was first held */
  before: Map<number, bigint>;
  /** the thread that took the hold: the default for threads born since */
  holder: number;
}

const holds = new Map<number, Hold>();

/** Holds `signals` for the pipe whose write end is `pipe`; returns the release. */
export function holdSignals(signals: ReadonlySet<number>, pipe: number): () => void {
  const f = lib();
  const fresh = [...signals].filter((n) => !holds.has(n));
  // Routed and caught before blocked: an idle loop thread takes signals whatever its
  // mask, so a signal must never find the hold half-made with its default action.
  for (const n of signals) f.bt_route(n, pipe);
  const caught: number[] = [];
  try {
    for (const n of fresh) {
      check(f.bt_catch(n), SIGACTION);
      caught.push(n);
    }
    if (fresh.length > 0) {
      const before = editProcessMask(() => [0n, fresh.reduce((m, n) => m | sigbit(n), 0n)]);
      for (const n of fresh) holds.set(n, { pipes: [], before, holder: gettid() });
    }
  } catch (e) {
    // All or nothing (editProcessMask has put the masks back itself).
    for (const n of caught) f.bt_uncatch(n);
    for (const n of signals) f.bt_route(n, holds.get(n)?.pipes.at(-1) ?? 0);
    throw e;
  }
  for (const n of signals) holds.get(n)!.pipes.push(pipe);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const ending: [number, Hold][] = [];
    for (const n of signals) {
      const h = holds.get(n)!;
      h.pipes.splice(h.pipes.lastIndexOf(pipe), 1);
      f.bt_route(n, h.pipes.at(-1) ?? 0);
      if (h.pipes.length === 0) {
        holds.delete(n);
        ending.push([n, h]);
        f.bt_uncatch(n);
      }
    }
    if (ending.length === 0) return;
    // One broadcast per group of signals first held together (they share `before`).
    const groups = new Map<Map<number, bigint>, { signals: number[]; holder: number }>();
    for (const [n, h] of ending) {
      const g = groups.get(h.before) ?? { signals: [], holder: h.holder };
      g.signals.push(n);
      groups.set(h.before, g);
    }
    for (const [before, g] of groups) restoreMasks(g.signals, before, g.holder);
  };
}

/** Gives every thread back its old bits for `signals` (a thread born since: the holder's). */
function restoreMasks(signals: number[], before: Map<number, bigint>, holder: number): void {
  const clear = signals.reduce((m, n) => m | sigbit(n), 0n);
  editProcessMask((tid) => [clear, (before.get(tid) ?? before.get(holder)!) & clear]);
}

/** The signals held now, and by how many holders (for tests and diagnostics). */
export function heldSignals(): Map<number, number> {
  return new Map([...holds].map(([n, h]) => [n, h.pipes.length]));
}

/**
 * Signals caught for a Signalfd that did not fit in its pipe (it was not read while more
 * than 8,192 arrived), by signal number, since the process started.
 */
export function lostSignals(sig: number): number {
  return Number(lib().bt_lost(sig));
}
