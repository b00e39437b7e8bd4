/**
 * Process-wide holds on signals, counted: what a Signalfd takes so that its signals
 * really arrive, and gives back when the last holder of a signal lets go. The holds live
 * in bunffi/signal.c, compiled once per process, so a hold taken on one JS thread (a
 * Worker) and one taken on another are counted together, whichever closes first.
 *
 * A hold on a signal is two things (docs/signal.md):
 * - the signal is caught by butter's handler, because Bun's event loop waits with an
 *   empty mask and would otherwise take the signal, and its default action, while idle.
 *   The handler writes it to the pipe of the newest Signalfd holding it;
 * - it is blocked in every thread, so that it stays pending for the signalfd while JS
 *   runs instead of interrupting some thread.
 *
 * On release each thread gets back its own old bit for the signal (a thread born during
 * the hold: the holding thread's), and the disposition there was before. A hold belongs
 * to the JS thread that took it: when that thread ends (its Worker ended), its holds are
 * released and their fds closed; a Signalfd the garbage collector takes does the same.
 *
 * Bun's own process.on listeners beside holds: listeners.ts.
 */
import { helpersLoaded, lib, machineryError, maskOf, THREAD_TIMEOUT_MS } from "./calls.ts";

/** Holds `signals` for a Signalfd: its pipe (read and write ends) and its signalfd. */
export function holdSignals(signals: ReadonlySet<number>, pipeRd: number, pipeWr: number, sfd: number): void {
  const where = new Int32Array(2);
  const r = lib().bt_hold(BigUint64Array.of(maskOf(signals)), pipeRd, pipeWr, sfd, THREAD_TIMEOUT_MS, where);
  if (r < 0) throw machineryError(r, where);
}

/** Closes the holder's pipe write end and signalfd besides releasing (`CLOSE_OTHERS`), and its read end too (`CLOSE_ALL`). */
export const CLOSE_OTHERS = 1;
export const CLOSE_ALL = 3;

/**
 * Releases the holds of the Signalfd whose pipe's write end is `pipeWr`, all or nothing:
 * on an error nothing is released (a close() that throws leaves the object open).
 */
export function releaseSignals(pipeWr: number, close: number): void {
  const where = new Int32Array(2);
  const r = lib().bt_release(pipeWr, close, THREAD_TIMEOUT_MS, where);
  if (r < 0) throw machineryError(r, where);
}

/**
 * The signals held now in this process, by signal number, with how many holders each
 * has (from every JS thread). For diagnostics and tests.
 */
export function heldSignals(): Map<number, number> {
  const counts = new Int32Array(65);
  lib().bt_held(counts);
  const out = new Map<number, number>();
  for (let s = 1; s <= 64; s++) if (counts[s]! > 0) out.set(s, counts[s]!);
  return out;
}

/**
 * Signals caught for a Signalfd that did not fit in its pipe (it was not read while more
 * than 8,192 arrived), by signal number, since the process started.
 */
export function lostSignals(sig: number): number {
  return Number(lib().bt_lost(sig));
}

/**
 * The fds the process-wide machinery keeps for the life of the process (two pipes, made
 * on the first processSigmask or hold), for leak accounting; [] before that.
 */
export function machineryFds(): number[] {
  if (!helpersLoaded()) return [];
  const out = new Int32Array(4);
  lib().bt_machinery_fds(out);
  return [...out].filter((fd) => fd >= 0);
}
