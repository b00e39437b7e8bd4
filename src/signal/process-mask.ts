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
 * sent SIGRTMAX (reserved by butter for this) with tgkill(2), one at a time; a handler
 * installed for the duration edits the mask that thread resumes with and reports the
 * old one (bunffi/signal.c). Future threads inherit the mask of the thread that creates
 * them, so once every thread has it, new ones do too; a thread created while the change
 * was under way is found by listing /proc/self/task again until no new thread appears.
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
import { readdirSync, readFileSync } from "node:fs";
import { defineCall, check, errorFor, OSError } from "../core/errors.ts";
import { ERRNO } from "../core/errno.ts";
import { getpid, gettid } from "../process/calls.ts";
import { lib, maskOf, refuseRuntimeSignals, setOf, sigbit, sigrtmax, sigset, word, SIG_BLOCK, SIG_UNBLOCK, PTHREAD_SIGMASK, type Signal } from "./calls.ts";
import * as v from "../core/validate.ts";

// Union of pipe2(2) and sigaction(2) failures while installing the handler. EBUSY is
// butter's own: SIGRTMAX already has a handler (the program's, or a processSigmask in
// flight on another JS thread).
export const SIGACTION = defineCall("sigaction", ["EFAULT", "EINVAL", "EMFILE", "ENFILE", "EBUSY"]);
// Reaching one thread: tgkill(2), then poll(2) for its answer. ETIMEDOUT is butter's
// own (the thread did not run the handler in time); ESRCH means the thread has exited
// and is not an error.
export const REACH = defineCall("tgkill", ["EAGAIN", "EINVAL", "EPERM", "ESRCH", "EFAULT", "EINTR", "ENOMEM", "ETIMEDOUT"], { family: "processSigmask" });

/** How long one thread may take to answer, in ms. */
export const THREAD_TIMEOUT_MS = 2000;
const ALL = (1n << 64n) - 1n;
// SIGKILL and SIGSTOP cannot be blocked: the kernel drops them from any mask.
const UNBLOCKABLE = maskOf([9, 19]);

/** What one thread's mask becomes: (mask & ~clear) | add. */
export type MaskEdit = readonly [clear: bigint, add: bigint];


function tasks(): number[] {
  return readdirSync("/proc/self/task").map(Number);
}

/** A thread's blocked set and name from /proc, or undefined once it has exited. */
function threadState(tid: number): { blocked: bigint; name: string } | undefined {
  try {
    const status = readFileSync(`/proc/self/task/${tid}/status`, "utf8");
    const blocked = BigInt(`0x${/^SigBlk:\s*([0-9a-f]+)/m.exec(status)![1]}`);
    const name = /^Name:\s*(.*)$/m.exec(status)![1]!;
    return { blocked, name };
  } catch {
    return undefined;
  }
}

const apply = (mask: bigint, [clear, add]: MaskEdit) => (mask & ~clear) | (add & ~UNBLOCKABLE);

/**
 * Edits the mask of every thread of the process with `edit(tid)`; returns each thread's
 * old mask by tid (the calling thread's too). The building block of processSigmask and
 * of Signalfd's hold on its signals.
 */
export function editProcessMask(edit: (tid: number) => MaskEdit): Map<number, bigint> {
  const pid = getpid();
  const self = gettid();
  const sig = sigrtmax();
  const sigBit = sigbit(sig);
  const old = word();
  const olds = new Map<number, bigint>();
  const f = lib();

  // Refuse before changing anything when a thread must block more and cannot be sent
  // the request. One that would only unblock keeps blocking: the safe side, since a
  // signal it blocks is never delivered to it.
  // (The states read here serve the first pass below too: /proc is read once per thread.)
  const unreachable = (st: { blocked: bigint }) => (st.blocked & sigBit) !== 0n;
  const seen = new Map<number, ReturnType<typeof threadState>>();
  for (const tid of tasks()) {
    if (tid === self) continue;
    const st = threadState(tid);
    seen.set(tid, st);
    if (st && apply(st.blocked, edit(tid)) & ~st.blocked && unreachable(st)) {
      throw new OSError(ERRNO.EBUSY!, "processSigmask", undefined,
        `thread ${tid} (${st.name}) blocks SIGRTMAX, which processSigmask uses to reach it`);
    }
  }

  check(f.bt_broadcast_begin(sig), SIGACTION);
  const reach = (tid: number, [clear, add]: MaskEdit) =>
    f.bt_broadcast_thread(pid, tid, sig, word(clear), word(add & ~UNBLOCKABLE), old, THREAD_TIMEOUT_MS);
  const changed = new Set<number>();
  try {
    const [clear, add] = edit(self);
    check(f.bt_sigmask_edit(word(clear), word(add & ~UNBLOCKABLE), old), PTHREAD_SIGMASK);
    olds.set(self, old[0]!);
    changed.add(self);
    for (let fresh = true, passes = 0; fresh; passes++) {
      fresh = false;
      for (const tid of tasks()) {
        if (olds.has(tid)) continue;
        fresh = true;
        const st = seen.has(tid) ? seen.get(tid) : threadState(tid);
        seen.delete(tid);
        if (st === undefined) continue; // exited
        const e = edit(tid);
        // Every reachable thread is asked, even one whose /proc mask already looks right:
        // a thread idle in Bun's loop shows the loop's empty wait mask, not its own.
        if (unreachable(st) && !(apply(st.blocked, e) & ~st.blocked)) {
          olds.set(tid, st.blocked);
          continue;
        }
        const r = reach(tid, e);
        if (r === -ERRNO.ESRCH!) continue;
        if (r < 0) throw errorFor(r, REACH, undefined, `thread ${tid} (${st.name})`);
        olds.set(tid, old[0]!);
        changed.add(tid);
      }
      // Threads keep being created only as fast as a program makes them; a process that
      // makes them faster than they can be signalled is not one this can serve.
      if (passes > 1000) throw new OSError(ERRNO.EAGAIN!, "processSigmask", undefined, "threads are created faster than they can be reached");
    }
  } catch (e) {
    // All or nothing: the threads already changed get their old bits back (best effort:
    // one that cannot be reached now could not be reached a moment ago either).
    for (const tid of changed) {
      const [clear, add] = edit(tid);
      const bits = clear | add;
      const back: MaskEdit = [bits, olds.get(tid)! & bits];
      if (tid === self) f.bt_sigmask_edit(word(back[0]), word(back[1]), old);
      else reach(tid, back);
    }
    throw e;
  } finally {
    f.bt_broadcast_end(sig);
  }
  return olds;
}

/**
 * The process-wide form of pthread_sigmask: SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK the
 * set in every thread of the process, and in the threads they create later. Returns the
 * calling thread's old set. SIGRTMAX is butter's and cannot be blocked here.
 * @throws {@link OSError} EBUSY when a thread that blocks SIGRTMAX would have to block more, or when SIGRTMAX has another handler; ETIMEDOUT when a thread did not answer in 2 s (every thread already changed is put back first); RangeError for SIGRTMAX, a signal the runtime needs (see pthreadSigmask), or a bad signal.
 */
export function processSigmask(how: number, signals: Iterable<Signal>): Set<number> {
  const h = v.int(how, "how", 0, 2);
  const set = sigset(signals);
  if (h !== SIG_UNBLOCK) refuseRuntimeSignals(set, "processSigmask");
  const m = maskOf(set);
  const reserved = sigbit(sigrtmax());
  if (h !== SIG_UNBLOCK && m & reserved) throw new RangeError("SIGRTMAX is reserved: processSigmask uses it to reach every thread");
  const e: MaskEdit = h === SIG_BLOCK ? [0n, m] : h === SIG_UNBLOCK ? [m, 0n] : [ALL & ~reserved, m];
  return setOf(editProcessMask(() => e).get(gettid())!);
}

