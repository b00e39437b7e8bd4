/**
 * processSetns: setns(2) on every thread of the process, the process-wide form of the
 * per-thread call, as processSigmask is of pthread_sigmask.
 *
 * Why: a namespace belongs to each thread. After `unshare(CLONE_NEWNS)` on the JS thread,
 * Bun's pool threads (which serve `fs.promises` and `Bun.file().text()`) still see the old
 * mounts. A thread can only move itself, so each thread is reached by the same machinery
 * as processSigmask (SIGRTMAX and butter's handler, bunffi/signal.c), and there runs
 * `unshare(CLONE_FS)` (a mount namespace needs a thread with its own filesystem
 * attributes), `setns(fd, nstype)` and `chdir(cwd)`. Threads created later inherit the
 * namespace of the thread that creates them, so once every thread is moved, new ones are
 * too.
 *
 * Limits: a thread that blocks SIGRTMAX cannot be reached (Bun's allocator thread,
 * mi-scavenger, blocks nearly every signal; it does no file I/O): it stays, and the result
 * names it. After a mount namespace move every thread has its own working directory:
 * `process.chdir` then moves only the JS thread's. A user namespace cannot be entered by
 * a threaded process at all (EINVAL): that is refused before anything moves. All or
 * nothing: when a thread cannot enter, the threads already moved go back.
 */
import * as v from "../core/validate.ts";
import { lib, machineryError, PROCESS_SETNS, THREAD_TIMEOUT_MS } from "./calls.ts";
import { nodeFs } from "../core/lazy-node.ts";
import { readProcFile } from "../core/proc.ts";

// /proc/<pid>/ns names by CLONE_NEW* flag, for the way back (a switch, not an object
// keyed by these numbers: JSC makes such an object sparse, slow to build at import)
function nsName(nstype: number): string | undefined {
  switch (nstype) {
    case 0x20000: return "mnt";
    case 0x04000000: return "uts";
    case 0x08000000: return "ipc";
    case 0x40000000: return "net";
    case 0x02000000: return "cgroup";
    case 0x20000000: return "pid_for_children";
    case 0x80: return "time_for_children";
  }
  return undefined;
}
const CLONE_NEWUSER = 0x10000000;
const MAX_SKIPPED = 64;

/** A thread processSetns could not reach, and why it does not matter or does. */
export interface SkippedThread {
  /** its thread id */
  readonly tid: number;
  /** its name (/proc/self/task/<tid>/comm): "mi-scavenger" */
  readonly name: string;
}

/** What processSetns did. */
export interface ProcessSetnsResult {
  /** how many threads entered the namespace (the calling one included) */
  readonly moved: number;
  /** the threads that block SIGRTMAX and stayed where they were */
  readonly skipped: readonly SkippedThread[];
}

const threadName = (tid: number): string => {
  try {
    return readProcFile(`/proc/self/task/${tid}/comm`).toString("utf8").trim();
  } catch {
    return "(ended)";
  }
};

/**
 * Moves every thread of the process (existing ones, and so those they create later) into
 * the namespace of `fd` (a /proc/<pid>/ns/* fd from nsOpen), of type `nstype` (a
 * CLONE_NEW* flag: mount, UTS, IPC, network, cgroup; PID and time for the children made
 * afterwards). For a mount namespace each thread then changes to `cwd` (default:
 * process.cwd(), which must then exist in the namespace; setns itself leaves a thread at
 * the namespace's root, while Bun's process.cwd() would still say the old directory). Needs CAP_SYS_ADMIN (and CAP_SYS_CHROOT for a mount namespace).
 * Concurrent calls, and processSigmask, from any JS thread, wait their turn.
 * @throws {@link OSError} from the step that failed in the thread named in the message (setns EINVAL: `fd` is not of type `nstype`; chdir ENOENT: `cwd` is not in the namespace), every thread moved so far moved back; EBUSY when SIGRTMAX has a handler that is not butter's; ETIMEDOUT; RangeError for CLONE_NEWUSER (a threaded process cannot enter a user namespace) or another type; {@link PermissionError} EPERM.
 */
export function processSetns(fd: number, nstype: number, opts: { cwd?: string } = {}): ProcessSetnsResult {
  const f = v.fd(fd);
  if (nstype === CLONE_NEWUSER) throw new RangeError("a process with more than one thread cannot enter a user namespace (and a Bun process always has several)");
  const name = nsName(nstype);
  if (name === undefined) throw new RangeError("nstype must be one CLONE_NEW* flag: CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWPID or CLONE_NEWTIME");
  const o = v.options(opts);
  const mnt = nstype === 0x20000;
  // (Bun keeps its own idea of the cwd, process.cwd(): the threads go back to it, so that
  // the two agree, unless told otherwise)
  const here = process.cwd();
  const cwd = mnt ? v.cstring(o.cwd ?? here, "cwd") : null;
  // the way back, should a thread fail to enter: the calling thread's namespace now (every
  // thread shares it, or the call would mean little), and the cwd it has now
  const back = nodeFs().openSync(`/proc/thread-self/ns/${name}`, "r");
  const backDir = mnt ? v.cstring(here, "cwd") : null;
  const skipped = new Int32Array(MAX_SKIPPED);
  const nskipped = new Int32Array(1);
  const where = new Int32Array(2);
  try {
    const r = lib().bt_process_setns(f, nstype, cwd, back, backDir, THREAD_TIMEOUT_MS, skipped, MAX_SKIPPED, nskipped, where);
    if (r < 0) throw machineryError(r, where, PROCESS_SETNS);
    const list = [...skipped.subarray(0, Math.min(nskipped[0]!, MAX_SKIPPED))].map((tid) => Object.freeze({ tid, name: threadName(tid) }));
    return Object.freeze({ moved: r, skipped: Object.freeze(list) });
  } finally {
    nodeFs().closeSync(back);
  }
}
