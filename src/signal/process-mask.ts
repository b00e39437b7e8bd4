/**
 * processSigmask: a signal mask for every thread of the process, existing and future.
 *
 * Why: a signal sent to a process goes to any one thread that does not block it. Bun
 * runs helper threads beside the JS thread (JITWorker and others) with nothing blocked,
 * so blocking a signal on the JS thread alone (pthread_sigmask) does not hold it for
 * signalfd: it is delivered to a helper thread, and a default action such as SIGUSR1's
 * ends the whole process.
 *
 * How: a thread's mask can only be changed by that thread, so every other thread is
 * sent SIGRTMAX (reserved by butter for this) with tgkill(2), one at a time; butter's
 * handler, installed once for the life of the process, edits the mask that thread
 * resumes with and reports the old one (bunffi/signal.c, compiled once per process, so
 * calls from several JS threads wait their turn instead of colliding). Future threads
 * inherit the mask of the thread that creates them, so once every thread has it, new
 * ones do too; a thread created while the change was under way is found by listing
 * /proc/self/task again until no new thread appears. A thread that blocks every signal
 * is being born or is ending: it is looked at again for up to 50 ms.
 *
 * Limits: a thread that later sets its own mask undoes the change for itself. A thread
 * that blocks SIGRTMAX cannot be reached (Bun's allocator thread, mi-scavenger, blocks
 * nearly every signal, so it usually needs no change); if it would have to block more,
 * OSError EBUSY names it and nothing is changed; if it would only unblock, it is left
 * blocking. All or nothing: when a thread cannot be reached, the threads already changed
 * are put back before the error is thrown. Each thread is interrupted once (SA_RESTART);
 * the handler runs with every signal blocked, so no thread takes a signal between the
 * report and the new mask. Cost: one signal and one round trip per thread, about 0.1 ms
 * each on a 2-core VM (bench/signals.ts; docs/benchmarks.md, docs/signal.md).
 */
import { lib, machineryError, maskOf, refuseRuntimeSignals, setOf, sigbit, sigrtmax, sigset, word, SIG_BLOCK, SIG_UNBLOCK, THREAD_TIMEOUT_MS, type Signal } from "./calls.ts";
import * as v from "../core/validate.ts";

const ALL = (1n << 64n) - 1n;

/**
 * The process-wide form of pthread_sigmask: SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK the
 * set in every thread of the process, and in the threads they create later. Returns the
 * calling thread's old set. SIGRTMAX is butter's and cannot be blocked here. Concurrent
 * calls, from any JS thread, wait their turn.
 * @throws {@link OSError} EBUSY when a thread that blocks SIGRTMAX would have to block more, or when SIGRTMAX has another handler; ETIMEDOUT when a thread did not answer in 2 s (every thread already changed is put back first); RangeError for SIGRTMAX, a signal the runtime needs (see pthreadSigmask), or a bad signal.
 */
export function processSigmask(how: number, signals: Iterable<Signal>): Set<number> {
  const h = v.int(how, "how", 0, 2);
  const set = sigset(signals);
  if (h !== SIG_UNBLOCK) refuseRuntimeSignals(set, "processSigmask");
  const m = maskOf(set);
  const reserved = sigbit(sigrtmax());
  if (h !== SIG_UNBLOCK && m & reserved) throw new RangeError("SIGRTMAX is reserved: processSigmask uses it to reach every thread");
  const [clear, add] = h === SIG_BLOCK ? [0n, m] : h === SIG_UNBLOCK ? [m, 0n] : [ALL & ~reserved, m];
  const old = word();
  const where = new Int32Array(2);
  const r = lib().bt_process_mask(word(clear), word(add), old, THREAD_TIMEOUT_MS, where);
  if (r < 0) throw machineryError(r, where);
  return setOf(old[0]!);
}
