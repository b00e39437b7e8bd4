/**
 * Signals, 1:1: names and numbers, signal sets, pthread_sigmask(3), sigpending(2),
 * signalfd(2) and its read(2), decoded.
 *
 * A set is a `Set<number>` of signal numbers; anywhere a set is taken, an iterable of
 * names ("SIGUSR1", "SIGRTMIN+1", "SIGRTMAX-2") and numbers is accepted.
 */
import { toArrayBuffer } from "bun:ffi";
import { helpers, sharedCompiled } from "../../bunffi/load.ts";
import { check, errorFor, shortTransfer, type CallSpec } from "../core/errors.ts";
import { PIPE2, PTHREAD_KEY_CREATE } from "../core/io.ts";
import { ERRNO } from "../core/errno.ts";
import { readInto } from "../core/io.ts";
import * as v from "../core/validate.ts";
import { nodeOs } from "../core/lazy-node.ts";

/**
 * signal.c's symbols. Compiled once per process (`shared`): its statics are the holds
 * and the mask-editing machinery, which are the process's, as the kernel's dispositions
 * and masks are.
 */
export const lib = helpers(
  "signal.c",
  {
    bt_pthread_sigmask: { args: ["i32", "ptr", "ptr"], returns: "i32" },
    bt_sigpending: { args: ["ptr"], returns: "i32" },
    bt_signalfd: { args: ["i32", "ptr", "i32"], returns: "i32" },
    bt_tgkill: { args: ["i32", "i32", "i32"], returns: "i32" },
    bt_sigqueue: { args: ["i32", "i32", "i32"], returns: "i32" },
    bt_wait_either: { args: ["i32", "i32"], returns: "i32" },
    bt_sigrtmin: { args: [], returns: "i32" },
    bt_sigrtmax: { args: [], returns: "i32" },
    bt_process_mask: { args: ["ptr", "ptr", "ptr", "i32", "ptr"], returns: "i32" },
    bt_process_setns: { args: ["i32", "i32", "ptr", "i32", "ptr", "i32", "ptr", "i32", "ptr", "ptr"], returns: "i32" },
    bt_catch_pipe: { args: ["ptr"], returns: "i32" },
    bt_hold: { args: ["ptr", "i32", "i32", "i32", "i32", "ptr"], returns: "i32" },
    bt_release: { args: ["i32", "i32", "i32", "ptr"], returns: "i32" },
    bt_reassert: { args: [], returns: "i32" },
    bt_held: { args: ["ptr"], returns: "void" },
    bt_lost: { args: ["i32"], returns: "i64" },
    bt_caught_seq: { args: [], returns: "ptr" },
    bt_machinery_fds: { args: ["ptr"], returns: "void" },
  },
  { shared: true },
);

/**
 * Whether some JS thread of this process has loaded signal.c already (without loading
 * it): the process-wide holds and machinery exist only then.
 */
export const helpersLoaded = (): boolean => sharedCompiled("signal.c");

/** pthread_sigmask(3) / processSigmask: add the signals to the mask. */
export const SIG_BLOCK = 0;
/** pthread_sigmask(3) / processSigmask: remove the signals from the mask. */
export const SIG_UNBLOCK = 1;
/** pthread_sigmask(3) / processSigmask: the mask becomes exactly the signals. */
export const SIG_SETMASK = 2;
/** signalfd(2) flag: close-on-exec (butter's default). */
export const SFD_CLOEXEC = 0o2000000;
/** signalfd(2) flag: reads say EAGAIN instead of blocking. */
export const SFD_NONBLOCK = 0o4000;

/** The highest signal number Linux has (64): sets are 64 bits. */
export const NSIG = 64;

/**
 * The first real-time signal a program may use. Not a constant: glibc keeps the first
 * two (32 and 33) for its own threads, so this is 34 with glibc; it is read from the C
 * library once.
 */
export function sigrtmin(): number {
  return (rtmin ??= lib().bt_sigrtmin());
}
/** The last real-time signal (64 on Linux). */
export function sigrtmax(): number {
  return (rtmax ??= lib().bt_sigrtmax());
}
let rtmin: number | undefined;
let rtmax: number | undefined;

// The standard signals by name (node:os has this machine's numbers), and the first
// name of each number (SIGABRT, not SIGIOT; SIGIO, not SIGPOLL); made at first use.
let standard: { byName: Map<string, number>; nameOf: Map<number, string> } | undefined;
function standardSignals() {
  if (standard === undefined) {
    const byName = new Map(Object.entries(nodeOs().constants.signals as Record<string, number>));
    const nameOf = new Map<number, string>();
    for (const [name, n] of byName) if (!nameOf.has(n)) nameOf.set(n, name);
    standard = { byName, nameOf };
  }
  return standard;
}

/** A signal, by name ("SIGUSR1", "USR1", "SIGRTMIN+2", "SIGRTMAX-1") or number. */
export type Signal = string | number;

/**
 * The number of a signal, checked: a name this system has, or a number from 1 to 64
 * that is not one of glibc's internal signals (32, 33: RangeError).
 * @throws RangeError for a name or number that is not a signal, or glibc's own 32 and 33; TypeError for another type.
 */
export function signum(sig: Signal): number {
  let n: number;
  if (typeof sig === "string") {
    const known = resolved.get(sig);
    if (known !== undefined) return known;
    n = nameToNumber(sig);
    if (resolved.size < 256) resolved.set(sig, n); // (a hot path sends by name: sigqueue, tgkill)
    return n;
  }
  n = v.int(sig, "signal", 1, NSIG);
  if (n > 31 && n < sigrtmin()) throw new RangeError(`signal ${n} is reserved by the C library for its threads`);
  return n;
}

// names already checked, as given ("SIGRTMIN+2", "USR1"): their numbers
const resolved = new Map<string, number>();

function nameToNumber(sig: string): number {
  const name = sig.startsWith("SIG") ? sig : `SIG${sig}`;
  const rt = /^SIGRT(MIN|MAX)(?:([+-])(\d+))?$/.exec(name);
  if (rt) {
    const base = rt[1] === "MIN" ? sigrtmin() : sigrtmax();
    const n = base + (rt[2] === "-" ? -1 : 1) * Number(rt[3] ?? 0);
    if (n < sigrtmin() || n > sigrtmax()) throw new RangeError(`${sig} is outside SIGRTMIN..SIGRTMAX (${sigrtmin()}..${sigrtmax()})`);
    return n;
  }
  const found = standardSignals().byName.get(name);
  if (found === undefined) throw new RangeError(`unknown signal name ${JSON.stringify(sig)}`);
  return found;
}

/**
 * The name of a signal number: "SIGUSR1", "SIGRTMIN+3", "SIGRTMAX".
 * @throws RangeError for a number that is not a signal.
 */
export function signame(n: number): string {
  const num = signum(n);
  const std = standardSignals().nameOf.get(num);
  if (std !== undefined) return std;
  return num === sigrtmax() ? "SIGRTMAX" : num === sigrtmin() ? "SIGRTMIN" : `SIGRTMIN+${num - sigrtmin()}`;
}

/**
 * A signal set from names and numbers, each checked (see signum).
 * @throws RangeError or TypeError as {@link signum} does.
 */
export function sigset(signals: Iterable<Signal>): Set<number> {
  if (typeof signals === "string" || signals == null || typeof (signals as Iterable<Signal>)[Symbol.iterator] !== "function") {
    throw new TypeError("signals must be an iterable of signal names or numbers (an array, a Set)");
  }
  const out = new Set<number>();
  for (const s of signals) out.add(signum(s));
  return out;
}

/**
 * Signals that no butter API blocks, holds or catches, and why (measured: a fresh Bun
 * process catches 4-8, 11, 30, 31 and 33). Blocking a fault signal does not stop a real
 * fault (the kernel kills the thread), and catching one would swallow it; Bun's engine
 * suspends threads with SIGPWR for its garbage collector and profiler, so a thread that
 * blocks it hangs them; glibc's 32 and 33 are refused by signum() already.
 */
const RUNTIME_SIGNALS: Readonly<Record<number, string>> = {
  4: "a fault signal (illegal instruction): blocking it cannot stop a real fault, and Bun's crash handler needs it",
  5: "Bun's crash handler catches it (trace/breakpoint trap)",
  6: "Bun's crash handler catches it (abort(3) raises it)",
  7: "a fault signal (bus error): blocking it cannot stop a real fault, and Bun's crash handler needs it",
  8: "a fault signal (arithmetic): blocking it cannot stop a real fault, and Bun's crash handler needs it",
  11: "a fault signal (segmentation fault): blocking it cannot stop a real fault, and Bun's crash handler needs it",
  30: "Bun's engine (JavaScriptCore) suspends threads with it for the garbage collector and profiler: blocked, they hang",
  31: "a fault signal (bad system call, seccomp's SECCOMP_RET_TRAP): it is synchronous, and Bun's crash handler needs it",
};

/**
 * Throws RangeError when `signals` has one that the runtime needs for itself (see
 * RUNTIME_SIGNALS), naming the reason. `what` says which API refuses.
 */
export function refuseRuntimeSignals(signals: Iterable<number>, what: string): void {
  for (const n of signals) {
    const why = RUNTIME_SIGNALS[n];
    if (why !== undefined) throw new RangeError(`${what} refuses ${signame(n)}: ${why}`);
  }
}

/** Signal n's bit in the kernel's 64-bit mask (bit n-1); n unchecked. */
export const sigbit = (n: number): bigint => 1n << BigInt(n - 1);

/** A set as the kernel's 64-bit mask (bit n-1 is signal n). */
export function maskOf(signals: Iterable<Signal>): bigint {
  let m = 0n;
  for (const n of sigset(signals)) m |= sigbit(n);
  return m;
}

/** The set of a 64-bit mask. */
export function setOf(mask: bigint): Set<number> {
  const out = new Set<number>();
  for (let n = 1; n <= NSIG; n++) if ((mask >> BigInt(n - 1)) & 1n) out.add(n);
  return out;
}

// pthread_sigmask(3) ERRORS: EINVAL (how). sigprocmask(2) adds EFAULT.
export const PTHREAD_SIGMASK: CallSpec = { syscall: "pthread_sigmask", errnos: ["EFAULT", "EINVAL"] };
export const SIGPENDING: CallSpec = { syscall: "sigpending", errnos: ["EFAULT"] };
export const SIGNALFD: CallSpec = { syscall: "signalfd", errnos: ["EBADF", "EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM"] };
// read(2) of a signalfd: the generic read errors; EAGAIN when nothing is pending.
export const SIGNALFD_READ: CallSpec = { syscall: "read", family: "signalfd", errnos: ["EAGAIN", "EBADF", "EINTR", "EINVAL", "EIO", "EISDIR"] };

export const TGKILL: CallSpec = { syscall: "tgkill", errnos: ["EAGAIN", "EINVAL", "EPERM", "ESRCH"] };
export const SIGQUEUE: CallSpec = { syscall: "sigqueue", errnos: ["EAGAIN", "EINVAL", "EPERM", "ESRCH"] };
// The wait of a blocking read on a held Signalfd, on its pipe and its signalfd at once.
export const SIGNALFD_POLL: CallSpec = { syscall: "poll", family: "signalfd", errnos: ["EFAULT", "EINTR", "EINVAL", "ENOMEM"] };

// The machinery of processSigmask and of holds (bunffi/signal.c): each failure names the
// call that failed. sigaction(2) installs the handlers; each other thread is reached with
// tgkill(2) and its answer awaited with poll(2); the threads are listed with opendir(3)
// on /proc/self/task and each one's mask read with open(2) of its status file.
export const SIGACTION: CallSpec = { syscall: "sigaction", errnos: ["EFAULT", "EINVAL"] };
export const MASK_POLL: CallSpec = { syscall: "poll", family: "processSigmask", errnos: ["EFAULT", "EINTR", "EINVAL", "ENOMEM"] };
export const OPENDIR: CallSpec = { syscall: "opendir", family: "processSigmask", errnos: ["EACCES", "EMFILE", "ENFILE", "ENOENT", "ENOMEM", "ENOTDIR"] };
export const OPEN_STATUS: CallSpec = { syscall: "open", family: "processSigmask", errnos: ["EACCES", "EMFILE", "ENFILE", "ENOMEM"] };
// butter's own: EBUSY, SIGRTMAX has another handler, or a thread that blocks SIGRTMAX
// would have to block more; ETIMEDOUT, a thread did not answer in time; EAGAIN, threads
// are born faster than they can be reached; ENOMEM, no memory for the list of threads or
// too many holds at once.
export const PROCESS_SIGMASK: CallSpec = { syscall: "processSigmask", errnos: ["EAGAIN", "EBUSY", "ENOMEM", "ETIMEDOUT"] };

// processSetns's own steps, made by each thread in turn: unshare(CLONE_FS) for a mount
// namespace, setns(2), chdir(2); and its own errors (as processSigmask's, and EINVAL for
// a namespace type it cannot move a threaded process into)
export const SETNS_UNSHARE: CallSpec = { syscall: "unshare", family: "processSetns", errnos: ["EINVAL", "ENOMEM", "ENOSPC", "EPERM", "EUSERS"] };
export const SETNS_SETNS: CallSpec = { syscall: "setns", family: "processSetns", errnos: ["EBADF", "EINVAL", "ENOMEM", "EPERM", "ESRCH"] };
export const SETNS_CHDIR: CallSpec = { syscall: "chdir", family: "processSetns", errnos: ["EACCES", "EBADF", "EFAULT", "EIO", "ELOOP", "ENAMETOOLONG", "ENOENT", "ENOMEM", "ENOTDIR"] };
export const PROCESS_SETNS: CallSpec = { syscall: "processSetns", errnos: ["EAGAIN", "EBUSY", "ENOMEM", "ETIMEDOUT"] };

// Which call failed, as bunffi/signal.c reports it in where[0] (and the thread in where[1]);
// its own conditions (AT_BUSY, AT_TIMEDOUT, AT_LIMIT) are the caller's: `own`.
const AT: readonly (CallSpec | "own" | undefined)[] = [
  undefined, PIPE2, SIGACTION, TGKILL, MASK_POLL, PTHREAD_SIGMASK, OPENDIR, "own", "own", "own", OPEN_STATUS, PTHREAD_KEY_CREATE,
  SETNS_UNSHARE, SETNS_SETNS, SETNS_CHDIR,
];

/** The error for a -errno from the thread machinery, naming the call and the thread. */
export function machineryError(r: number, where: Int32Array, own: CallSpec = PROCESS_SIGMASK): Error {
  const at = AT[where[0]!];
  const call = at === undefined || at === "own" ? own : at;
  const tid = where[1]!;
  const detail = r === -ERRNO.EBUSY!
    ? tid
      ? `thread ${tid} blocks SIGRTMAX, which butter uses to reach every thread, and would have to block more`
      : "SIGRTMAX has a handler that is not butter's: butter uses it to reach every thread"
    : r === -ERRNO.ETIMEDOUT! ? `thread ${tid} did not answer in ${THREAD_TIMEOUT_MS} ms`
    : tid ? `thread ${tid}` : undefined;
  return errorFor(r, call, undefined, detail);
}

/** How long one thread may take to answer a mask change, in ms. */
export const THREAD_TIMEOUT_MS = 2000;

/** One 64-bit mask as the C helpers take it (a pointer to a u64). */
export const word = (x = 0n): BigUint64Array => BigUint64Array.of(x);

/**
 * pthread_sigmask(3), 1:1: changes the calling thread's mask only (SIG_BLOCK,
 * SIG_UNBLOCK, SIG_SETMASK) and returns the old one. With `signals` null, only reads it.
 * In Bun this is rarely what a program wants: see processSigmask.
 * @throws {@link OSError} EINVAL for a bad `how`; RangeError or TypeError for a bad signal,
 * and RangeError for blocking a signal the runtime needs (the fault signals, SIGTRAP,
 * SIGABRT, SIGSYS and SIGPWR).
 */
export function pthreadSigmask(how: number, signals: Iterable<Signal> | null): Set<number> {
  const h = v.int(how, "how", 0, 2);
  const wanted = signals === null ? null : sigset(signals);
  if (wanted !== null && h !== SIG_UNBLOCK) refuseRuntimeSignals(wanted, "pthreadSigmask");
  const set = wanted === null ? null : word(maskOf(wanted));
  const old = word();
  check(lib().bt_pthread_sigmask(h, set, old), PTHREAD_SIGMASK);
  return setOf(old[0]!);
}

/**
 * sigpending(2): the signals pending for this thread or the process, held by a mask.
 * @throws {@link InternalError} EFAULT (a bug in butter).
 */
export function sigpending(): Set<number> {
  const out = word();
  check(lib().bt_sigpending(out), SIGPENDING);
  return setOf(out[0]!);
}

/**
 * tgkill(2), 1:1: sends `sig` to thread `tid` of thread group (process) `tgid`. A
 * signal sent this way is pending for that thread only (which is what lets a thread read
 * its own signal through a signalfd).
 * @throws {@link OSError} ESRCH when no such thread exists, EAGAIN when the real-time signal queue is full; {@link PermissionError} EPERM.
 */
export function tgkill(tgid: number, tid: number, sig: Signal): void {
  check(lib().bt_tgkill(v.int(tgid, "tgid", 1, 0x7fffffff), v.int(tid, "tid", 1, 0x7fffffff), signum(sig)), TGKILL);
}

/**
 * sigqueue(3), 1:1: sends `sig` with an integer `value` to process `pid`. Real-time
 * signals queue (each is delivered, in order, with its value); EAGAIN when the
 * receiver's queue is full (RLIMIT_SIGPENDING).
 * @throws {@link OSError} ESRCH when no such process exists, EAGAIN when the receiver's queue of real-time signals is full; {@link PermissionError} EPERM.
 */
export function sigqueue(pid: number, sig: Signal, value = 0): void {
  check(lib().bt_sigqueue(v.int(pid, "pid", 1, 0x7fffffff), signum(sig), v.int(value, "value", -0x80000000, 0x7fffffff)), SIGQUEUE);
}

/**
 * signalfd(2), 1:1: a new fd (`fd` -1) or a changed set for an existing one. Flags
 * SFD_NONBLOCK, SFD_CLOEXEC (not added here: this is the raw call). The signals must be
 * blocked (in every thread, in Bun: processSigmask) to arrive here.
 * @throws {@link OSError} with an errno signalfd(2) lists; RangeError or TypeError for a bad signal or flags.
 */
export function signalfd(fd: number, signals: Iterable<Signal>, flags: number): number {
  const f = v.int(fd, "fd", -1, 0x7fffffff);
  const mask = word(maskOf(signals));
  return check(lib().bt_signalfd(f, mask, v.flags(flags, "flags", SFD_CLOEXEC | SFD_NONBLOCK)), SIGNALFD);
}

/**
 * One `struct signalfd_siginfo`, every field, named as in the struct without `ssi_`.
 * Which fields mean something depends on the signal and `code` (sigaction(2)).
 */
export interface Siginfo {
  /** the signal number */
  readonly signo: number;
  /** an error number (rarely used) */
  readonly errno: number;
  /** how it was sent: SI_USER (0, kill), SI_QUEUE (-1, sigqueue), SI_TKILL (-6), CLD_EXITED (1) ... */
  readonly code: number;
  /** the sender's pid (kill, sigqueue; the child for SIGCHLD) */
  readonly pid: number;
  /** the sender's real uid */
  readonly uid: number;
  /** the fd (SIGIO) */
  readonly fd: number;
  /** the kernel timer id (POSIX timers) */
  readonly tid: number;
  /** the band event (SIGIO) */
  readonly band: number;
  /** the overrun count (POSIX timers) */
  readonly overrun: number;
  /** the trap number of a hardware-generated signal */
  readonly trapno: number;
  /** the exit status or signal (SIGCHLD) */
  readonly status: number;
  /** the integer sent with sigqueue(3) */
  readonly int: number;
  /** the pointer sent with sigqueue(3), as a bigint */
  readonly ptr: bigint;
  /** user CPU time consumed (SIGCHLD), in clock ticks */
  readonly utime: bigint;
  /** system CPU time consumed (SIGCHLD), in clock ticks */
  readonly stime: bigint;
  /** the address that generated a hardware signal */
  readonly addr: bigint;
  /** the least significant bit of the address (SIGBUS) */
  readonly addrLsb: number;
  /** the system call number (SIGSYS from seccomp) */
  readonly syscall: number;
  /** the address of the system call instruction (SIGSYS) */
  readonly callAddr: bigint;
  /** the AUDIT_ARCH_* of the system call (SIGSYS) */
  readonly arch: number;
}

/** sizeof(struct signalfd_siginfo). */
export const SIGINFO_SIZE = 128;

/** The `n` bytes read from `fd` as whole 128-byte records; a partial record is an OSError EIO. */
function records(buf: Uint8Array, n: number, what: string, fd: number): DataView {
  if (n % SIGINFO_SIZE !== 0) throw shortTransfer(SIGNALFD_READ, fd, n % SIGINFO_SIZE, SIGINFO_SIZE, `a ${what}`);
  return new DataView(buf.buffer, buf.byteOffset, n);
}

/**
 * Decodes the `n` bytes of one read(2) of a signalfd; a partial record is an
 * OSError EIO. (Little-endian: the byte order of both architectures butter supports.)
 */
export function decodeSiginfos(buf: Uint8Array, n: number, fd = -1): Siginfo[] {
  const d = records(buf, n, "signalfd_siginfo", fd);
  const out: Siginfo[] = [];
  for (let o = 0; o < n; o += SIGINFO_SIZE) {
    out.push({
      signo: d.getUint32(o, true),
      errno: d.getInt32(o + 4, true),
      code: d.getInt32(o + 8, true),
      pid: d.getUint32(o + 12, true),
      uid: d.getUint32(o + 16, true),
      fd: d.getInt32(o + 20, true),
      tid: d.getUint32(o + 24, true),
      band: d.getUint32(o + 28, true),
      overrun: d.getUint32(o + 32, true),
      trapno: d.getUint32(o + 36, true),
      status: d.getInt32(o + 40, true),
      int: d.getInt32(o + 44, true),
      ptr: d.getBigUint64(o + 48, true),
      utime: d.getBigUint64(o + 56, true),
      stime: d.getBigUint64(o + 64, true),
      addr: d.getBigUint64(o + 72, true),
      addrLsb: d.getUint16(o + 80, true),
      syscall: d.getInt32(o + 84, true),
      callAddr: d.getBigUint64(o + 88, true),
      arch: d.getUint32(o + 96, true),
    });
  }
  return out;
}

// si_code values (asm-generic/siginfo.h) that choose the layout of a siginfo_t's union
const SI_USER = 0;
const SI_KERNEL = 0x80;
const SI_TIMER = -2;
const SI_SIGIO = -5;
const FAULTS = [4, 5, 7, 8, 11]; // SIGILL SIGTRAP SIGBUS SIGFPE SIGSEGV

/**
 * Decodes `siginfo_t` records (what a handler is given, 128 bytes each) into the same
 * Siginfo a signalfd read gives, choosing the fields by the union's layout as the
 * kernel's signalfd does (by signal and si_code).
 */
export function decodeRawSiginfos(buf: Uint8Array, n: number, fd = -1): Siginfo[] {
  const d = records(buf, n, "siginfo_t", fd);
  const out: Siginfo[] = [];
  for (let o = 0; o < n; o += SIGINFO_SIZE) {
    const signo = d.getInt32(o, true);
    const code = d.getInt32(o + 8, true);
    const u = o + 16; // the union
    const si = { signo, errno: d.getInt32(o + 4, true), code, pid: 0, uid: 0, fd: 0, tid: 0, band: 0, overrun: 0, trapno: 0, status: 0, int: 0, ptr: 0n, utime: 0n, stime: 0n, addr: 0n, addrLsb: 0, syscall: 0, callAddr: 0n, arch: 0 };
    const kill = () => {
      si.pid = d.getInt32(u, true);
      si.uid = d.getUint32(u + 4, true);
    };
    const value = () => {
      si.int = d.getInt32(u + 8, true);
      si.ptr = d.getBigUint64(u + 8, true);
    };
    if (code > SI_USER && code < SI_KERNEL) {
      if (signo === 17) {
        kill();
        si.status = d.getInt32(u + 8, true);
        si.utime = d.getBigUint64(u + 16, true);
        si.stime = d.getBigUint64(u + 24, true);
      } else if (FAULTS.includes(signo)) {
        si.addr = d.getBigUint64(u, true);
        si.addrLsb = d.getUint16(u + 8, true);
      } else if (signo === 29) {
        si.band = Number(d.getBigInt64(u, true));
        si.fd = d.getInt32(u + 8, true);
      } else if (signo === 31) {
        si.callAddr = d.getBigUint64(u, true);
        si.syscall = d.getInt32(u + 8, true);
        si.arch = d.getUint32(u + 12, true);
      } else kill();
    } else if (code === SI_TIMER) {
      si.tid = d.getInt32(u, true);
      si.overrun = d.getInt32(u + 4, true);
      value();
    } else if (code === SI_SIGIO) {
      si.band = Number(d.getBigInt64(u, true));
      si.fd = d.getInt32(u + 8, true);
    } else if (code < 0) {
      kill();
      value();
    } else kill();
    out.push(si);
  }
  return out;
}

// signal.c's count of signals its handler put in a pipe, viewed in place (one per process)
let caughtView: Int32Array | undefined;

/**
 * How many signals butter's handler has put in a hold's pipe, any hold's (it wraps): read
 * from memory, with no call, so that a Signalfd reads its pipe only when it moved. @internal
 */
export function caughtCount(): number {
  caughtView ??= new Int32Array(toArrayBuffer(lib().bt_caught_seq()!, 0, 4));
  return caughtView[0]!;
}

/** The most records one readCaught or readSignalfd returns (its buffer's). @internal */
export const READ_RECORDS = 64;
// Room for 64 records a read: a burst of queued real-time signals drains in few calls.
const readBuffer = new Uint8Array(READ_RECORDS * SIGINFO_SIZE);

/** One read(2) of a pipe of caught signals (siginfo_t records); null when it is empty. */
export function readCaught(fd: number): Siginfo[] | null {
  const n = readInto(fd, readBuffer, SIGNALFD_READ);
  if (n === 0) throw shortTransfer(SIGNALFD_READ, fd, 0, SIGINFO_SIZE, "a siginfo_t");
  return n === null ? null : decodeRawSiginfos(readBuffer, n, fd);
}

/** One read(2) of a signalfd, decoded; null on EAGAIN (non-blocking fd, nothing pending). */
export function readSignalfd(fd: number): Siginfo[] | null {
  const n = readInto(fd, readBuffer, SIGNALFD_READ);
  if (n === 0) throw shortTransfer(SIGNALFD_READ, fd, 0, SIGINFO_SIZE, "a signalfd_siginfo");
  return n === null ? null : decodeSiginfos(readBuffer, n, fd);
}

/**
 * read(2) of a signalfd, 1:1, decoded: [] on a non-blocking fd with nothing pending.
 * @throws {@link OSError} with an errno read(2) lists (a blocking fd waits instead of EAGAIN); and OSError EIO naming the fd for a partial record or end of file (the fd is not a signalfd). The read is one read(2) of `fd` as given, as C makes it.
 */
export function signalfdRead(fd: number): Siginfo[] {
  return readSignalfd(v.fd(fd)) ?? [];
}
