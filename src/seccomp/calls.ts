/**
 * seccomp(2) for every operation, prctl(2)'s PR_SET_NO_NEW_PRIVS / PR_GET_NO_NEW_PRIVS /
 * PR_GET_SECCOMP, and the user-notification ioctls (seccomp_unotify(2)), 1:1, with every
 * SECCOMP_* constant.
 *
 * A filter loaded without SECCOMP_FILTER_FLAG_TSYNC covers only the CALLING THREAD: in
 * Bun that leaves the runtime's other threads (and every Worker) unfiltered. The filter
 * builder's `load()` uses TSYNC by default (docs/seccomp.md). A filter cannot be removed.
 */
import { O_CLOEXEC } from "../core/open-flags.ts";
import { helpers } from "../../bunffi/load.ts";
import { check, errorFor, type CallSpec } from "../core/errors.ts";
import { ERRNO } from "../core/errno.ts";
import * as v from "../core/validate.ts";

const lib = helpers("seccomp.c", {
  bt_seccomp: { args: ["i32", "u32", "ptr"], returns: "i32" },
  bt_seccomp_filter: { args: ["u32", "ptr", "i32"], returns: "i32" },
  bt_prctl: { args: ["i32", "u64"], returns: "i32" },
  bt_notif_ioctl: { args: ["i32", "u64", "ptr"], returns: "i32" },
  bt_notif_set_flags: { args: ["i32", "u64"], returns: "i32" },
  bt_spawn_filtered: { args: ["ptr", "ptr", "ptr", "ptr", "ptr", "ptr", "i32", "u32", "i32", "ptr", "ptr", "ptr"], returns: "i32" },
  bt_notif_poll: { args: ["i32", "i32"], returns: "i32" },
  bt_waitid_pidfd: { args: ["i32", "ptr"], returns: "i32" },
});

// ---- modes and operations ----
/** PR_GET_SECCOMP: not filtered. */ export const SECCOMP_MODE_DISABLED = 0;
/** PR_GET_SECCOMP: strict mode (read, write, _exit, sigreturn only). */ export const SECCOMP_MODE_STRICT = 1;
/** PR_GET_SECCOMP: a filter is installed. */ export const SECCOMP_MODE_FILTER = 2;
/** seccomp(2) operation: strict mode. */ export const SECCOMP_SET_MODE_STRICT = 0;
/** seccomp(2) operation: install a BPF filter. */ export const SECCOMP_SET_MODE_FILTER = 1;
/** seccomp(2) operation: is an action available (Linux 4.14)? */ export const SECCOMP_GET_ACTION_AVAIL = 2;
/** seccomp(2) operation: the sizes of the notification structs (Linux 5.0). */ export const SECCOMP_GET_NOTIF_SIZES = 3;

// ---- filter flags ----
/** Install the filter on every thread of the process (and fail naming one that cannot take it). */ export const SECCOMP_FILTER_FLAG_TSYNC = 1;
/** Log every action but ALLOW (Linux 4.14). */ export const SECCOMP_FILTER_FLAG_LOG = 2;
/** Leave speculative store bypass mitigation off (Linux 4.17). */ export const SECCOMP_FILTER_FLAG_SPEC_ALLOW = 4;
/** Return a notification listener fd (Linux 5.0). */ export const SECCOMP_FILTER_FLAG_NEW_LISTENER = 8;
/** With TSYNC: fail with ESRCH, not a thread id (Linux 5.7). */ export const SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 16;
/** A notified task waits killably once the notification was received (Linux 5.19). */ export const SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 32;
const FILTER_FLAGS_ALL = 63;

// ---- actions (the return values of a filter, highest precedence first) ----
/** Kill the whole process (Linux 4.14). */ export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
/** Kill the calling thread. */ export const SECCOMP_RET_KILL_THREAD = 0;
/** The old name of SECCOMP_RET_KILL_THREAD. */ export const SECCOMP_RET_KILL = 0;
/** Send SIGSYS to the thread, the call not made (its low 16 bits go to si_errno). */ export const SECCOMP_RET_TRAP = 0x00030000;
/** Fail the call with the errno in the low 16 bits. */ export const SECCOMP_RET_ERRNO = 0x00050000;
/** Ask the listener (Linux 5.0). */ export const SECCOMP_RET_USER_NOTIF = 0x7fc00000;
/** Hand the call to a ptrace tracer (the low 16 bits as its message). */ export const SECCOMP_RET_TRACE = 0x7ff00000;
/** Allow after logging (Linux 4.14). */ export const SECCOMP_RET_LOG = 0x7ffc0000;
/** Allow. */ export const SECCOMP_RET_ALLOW = 0x7fff0000;
/** The action bits, with KILL_PROCESS's sign bit. */ export const SECCOMP_RET_ACTION_FULL = 0xffff0000;
/** The action bits, without it. */ export const SECCOMP_RET_ACTION = 0x7fff0000;
/** The data bits (errno, trace message). */ export const SECCOMP_RET_DATA = 0x0000ffff;

// ---- notifications ----
/** A reply that lets the call go on in the target (Linux 5.5). */ export const SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;
/** addfd: put the fd at `newfd` in the target. */ export const SECCOMP_ADDFD_FLAG_SETFD = 1;
/** addfd: add the fd and return it as the call's result, atomically (Linux 5.14). */ export const SECCOMP_ADDFD_FLAG_SEND = 2;
/** SET_FLAGS: wake the notified task on the listener's CPU (Linux 6.6). */ export const SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP = 1;
/** ioctl: receive a notification (struct seccomp_notif). */ export const SECCOMP_IOCTL_NOTIF_RECV = 0xc0502100;
/** ioctl: send a reply (struct seccomp_notif_resp). */ export const SECCOMP_IOCTL_NOTIF_SEND = 0xc0182101;
/** ioctl: is a notification id still valid (its task still waiting)? */ export const SECCOMP_IOCTL_NOTIF_ID_VALID = 0x40082102;
/** ioctl: add an fd to the notified task (Linux 5.9). */ export const SECCOMP_IOCTL_NOTIF_ADDFD = 0x40182103;
/** ioctl: set listener flags (Linux 6.6). */ export const SECCOMP_IOCTL_NOTIF_SET_FLAGS = 0x40082104;

// ---- prctl(2) ----
/** prctl: the seccomp mode of the calling thread. */ export const PR_GET_SECCOMP = 21;
/** prctl: the old way to set a mode. */ export const PR_SET_SECCOMP = 22;
/** prctl: no_new_privs, needed to load a filter without CAP_SYS_ADMIN. */ export const PR_SET_NO_NEW_PRIVS = 38;
/** prctl: read no_new_privs. */ export const PR_GET_NO_NEW_PRIVS = 39;

// ---- architectures (seccomp_data.arch) ----
/** x86-64 (and x32, whose syscall numbers carry __X32_SYSCALL_BIT). */ export const AUDIT_ARCH_X86_64 = 0xc000003e;
/** 32-bit x86. */ export const AUDIT_ARCH_I386 = 0x40000003;
/** 64-bit ARM. */ export const AUDIT_ARCH_AARCH64 = 0xc00000b7;
/** The bit x32's syscall numbers carry. */ export const X32_SYSCALL_BIT = 0x40000000;

export const SECCOMP: CallSpec = { syscall: "seccomp", errnos: ["EACCES", "EBUSY", "EFAULT", "EINVAL", "ENOMEM", "EOPNOTSUPP", "ESRCH"] };
export const PRCTL: CallSpec = { syscall: "prctl", errnos: ["EACCES", "EBADF", "EBUSY", "EFAULT", "EINVAL", "ENODEV", "ENXIO", "EOPNOTSUPP", "EPERM", "ERANGE"] };
// the notification ioctls: what seccomp_unotify(2) says of each, and ioctl(2)'s own
export const NOTIF_IOCTL: CallSpec = { syscall: "ioctl", family: "seccomp", errnos: ["EBADF", "EBUSY", "EFAULT", "EINPROGRESS", "EINTR", "EINVAL", "EMFILE", "ENOENT", "ENOTTY"] };

/**
 * seccomp(SECCOMP_SET_MODE_STRICT): from now on the calling thread may only read, write,
 * _exit and sigreturn; anything else kills it. For a child process, never for Bun itself.
 * @throws {@link OSError} EINVAL when the kernel has no CONFIG_SECCOMP, ...
 */
export function seccompSetModeStrict(): void {
  check(lib().bt_seccomp(SECCOMP_SET_MODE_STRICT, 0, null), SECCOMP);
}

/**
 * seccomp(SECCOMP_SET_MODE_FILTER): installs a classic BPF program (`program`: 8-byte
 * instructions, as `SeccompFilter.bpf()` makes them) on the calling thread, or with
 * SECCOMP_FILTER_FLAG_TSYNC on every thread. Needs no_new_privs or CAP_SYS_ADMIN. Returns
 * the kernel's result: 0; a listener fd with NEW_LISTENER; with TSYNC (without
 * TSYNC_ESRCH) the id of a thread that could not be synchronised, nothing installed.
 * @throws {@link OSError} EINVAL (a bad program or flags), EFAULT, ENOMEM, EBUSY (a second listener), ESRCH (TSYNC_ESRCH); {@link PermissionError} EACCES without no_new_privs or CAP_SYS_ADMIN; RangeError for a program that is not whole instructions or is longer than 4096.
 */
export function seccompSetModeFilter(flags: number, program: Uint8Array): number {
  const f = v.flags(flags, "flags", FILTER_FLAGS_ALL);
  if (!(program instanceof Uint8Array)) throw new TypeError("program must be a Uint8Array of 8-byte instructions");
  const n = program.length / 8;
  if (!Number.isInteger(n) || n < 1 || n > 4096) throw new RangeError(`program must hold 1 to 4096 whole 8-byte instructions, got ${program.length} bytes`);
  return check(lib().bt_seccomp_filter(f, program, n), SECCOMP);
}

/**
 * seccomp(SECCOMP_GET_ACTION_AVAIL): whether the kernel knows `action` (a SECCOMP_RET_*
 * value; its data bits are ignored).
 * @throws {@link OSError} with an errno other than EOPNOTSUPP (which is `false`).
 */
export function seccompGetActionAvail(action: number): boolean {
  const a = new Uint32Array([(v.int(action, "action", -0x80000000, 0xffffffff) >>> 0) & SECCOMP_RET_ACTION_FULL]);
  const r = lib().bt_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, a);
  if (r === -ERRNO.EOPNOTSUPP!) return false;
  check(r, SECCOMP);
  return true;
}

/** The sizes of the notification structs this kernel uses. */
export interface SeccompNotifSizes {
  /** struct seccomp_notif */
  readonly notif: number;
  /** struct seccomp_notif_resp */
  readonly resp: number;
  /** struct seccomp_data */
  readonly data: number;
}

/**
 * seccomp(SECCOMP_GET_NOTIF_SIZES) (Linux 5.0).
 * @throws {@link OSError} EINVAL on a kernel without user notifications.
 */
export function seccompGetNotifSizes(): SeccompNotifSizes {
  const s = new Uint16Array(3);
  check(lib().bt_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, s), SECCOMP);
  return Object.freeze({ notif: s[0]!, resp: s[1]!, data: s[2]! });
}

/**
 * prctl(PR_SET_NO_NEW_PRIVS, 1): the calling thread (and what it executes) can never gain
 * privileges (set-user-ID, file capabilities); needed to load a filter without
 * CAP_SYS_ADMIN. Cannot be undone. Per thread: children and threads made later inherit it.
 * @throws {@link OSError} with an errno prctl(2) lists.
 */
export function prctlSetNoNewPrivs(): void {
  check(lib().bt_prctl(PR_SET_NO_NEW_PRIVS, 1n), PRCTL);
}

/**
 * prctl(PR_GET_NO_NEW_PRIVS): whether the calling thread has no_new_privs.
 * @throws {@link OSError} with an errno prctl(2) lists.
 */
export function prctlGetNoNewPrivs(): boolean {
  return check(lib().bt_prctl(PR_GET_NO_NEW_PRIVS, 0n), PRCTL) === 1;
}

/**
 * prctl(PR_GET_SECCOMP): the calling thread's mode: SECCOMP_MODE_DISABLED or
 * SECCOMP_MODE_FILTER (a thread in strict mode is killed by the call itself).
 * @throws {@link OSError} EINVAL without CONFIG_SECCOMP.
 */
export function prctlGetSeccomp(): number {
  return check(lib().bt_prctl(PR_GET_SECCOMP, 0n), PRCTL);
}

/** A notification: a filtered task waits in a call the filter returned USER_NOTIF for. */
export interface SeccompNotif {
  /** the notification's cookie, for the reply */
  readonly id: bigint;
  /** the waiting task's thread id, in the listener's PID namespace (0 if not visible there) */
  readonly pid: number;
  /** none defined yet: 0 */
  readonly flags: number;
  /** the syscall number */
  readonly nr: number;
  /** the AUDIT_ARCH_* of the call */
  readonly arch: number;
  /** the calling instruction's address */
  readonly instructionPointer: bigint;
  /** the six arguments, as 64-bit values */
  readonly args: readonly bigint[];
}

/** Decodes a struct seccomp_notif (80 bytes: id, pid, flags, seccomp_data). @internal */
export function decodeNotif(buf: Uint8Array): SeccompNotif {
  const dv = new DataView(buf.buffer, buf.byteOffset, 80);
  const args: bigint[] = [];
  for (let i = 0; i < 6; i++) args.push(dv.getBigUint64(32 + 8 * i, true));
  return Object.freeze({
    id: dv.getBigUint64(0, true),
    pid: dv.getUint32(8, true),
    flags: dv.getUint32(12, true),
    nr: dv.getInt32(16, true),
    arch: dv.getUint32(20, true),
    instructionPointer: dv.getBigUint64(24, true),
    args: Object.freeze(args),
  });
}

const notifBuf = new Uint8Array(80);

/**
 * ioctl(SECCOMP_IOCTL_NOTIF_RECV): the next notification of listener `fd`. Blocks on a
 * blocking fd while none is pending.
 * @throws {@link OSError} ENOENT (the task went away before it was read), EINTR, EBADF, EINVAL, ...
 */
export function seccompNotifRecv(fd: number): SeccompNotif {
  notifBuf.fill(0); // the kernel wants it zeroed
  check(lib().bt_notif_ioctl(v.fd(fd), BigInt(SECCOMP_IOCTL_NOTIF_RECV), notifBuf), NOTIF_IOCTL);
  return decodeNotif(notifBuf);
}

/** A reply to a notification. */
export interface SeccompNotifResp {
  /** the notification's id */
  id: bigint;
  /** the call's return value (with error 0) */
  val?: bigint | number;
  /** a negative errno to fail the call with, or 0 */
  error?: number;
  /** SECCOMP_USER_NOTIF_FLAG_CONTINUE: let the call go on (val and error 0) */
  flags?: number;
}

/**
 * ioctl(SECCOMP_IOCTL_NOTIF_SEND): replies to a notification.
 * @throws {@link OSError} ENOENT (the task is gone, or the id was answered), EINVAL (a bad reply), EINPROGRESS (addfd in flight), ...
 */
export function seccompNotifSend(fd: number, resp: SeccompNotifResp): void {
  const r = v.options(resp, "resp");
  const b = new Uint8Array(24);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, v.bigint(r.id, "id", 0n, v.U64_MAX), true);
  dv.setBigInt64(8, v.bigint(r.val ?? 0n, "val", -(1n << 63n), v.I64_MAX), true);
  dv.setInt32(16, v.int(r.error ?? 0, "error", -4095, 0), true);
  dv.setUint32(20, v.flags(r.flags ?? 0, "flags", SECCOMP_USER_NOTIF_FLAG_CONTINUE), true);
  check(lib().bt_notif_ioctl(v.fd(fd), BigInt(SECCOMP_IOCTL_NOTIF_SEND), b), NOTIF_IOCTL);
}

/**
 * ioctl(SECCOMP_IOCTL_NOTIF_ID_VALID): whether notification `id` still waits (its task
 * alive and unanswered). The kernel's ENOENT is `false`.
 * @throws {@link OSError} EBADF, EINVAL, ...
 */
export function seccompNotifIdValid(fd: number, id: bigint): boolean {
  const b = new BigUint64Array([v.bigint(id, "id", 0n, v.U64_MAX)]);
  const r = lib().bt_notif_ioctl(v.fd(fd), BigInt(SECCOMP_IOCTL_NOTIF_ID_VALID), b);
  if (r === -ERRNO.ENOENT!) return false;
  check(r, NOTIF_IOCTL);
  return true;
}

/** What seccompNotifAddfd puts into the notified task. */
export interface SeccompNotifAddfd {
  /** the notification's id */
  id: bigint;
  /** the fd (in this process) to copy */
  srcfd: number;
  /** with SECCOMP_ADDFD_FLAG_SETFD: the fd number in the target */
  newfd?: number;
  /** SECCOMP_ADDFD_FLAG_SETFD, SECCOMP_ADDFD_FLAG_SEND */
  flags?: number;
  /** O_CLOEXEC for the new fd */
  newfdFlags?: number;
}

/**
 * ioctl(SECCOMP_IOCTL_NOTIF_ADDFD) (Linux 5.9): copies `srcfd` into the notified task;
 * returns its number there. With SECCOMP_ADDFD_FLAG_SEND it is also the call's result.
 * @throws {@link OSError} ENOENT (the task is gone), EBADF, EINVAL, EMFILE (the target's fd table is full), EBUSY/EINPROGRESS (SEND after another reply), ...
 */
export function seccompNotifAddfd(fd: number, add: SeccompNotifAddfd): number {
  const a = v.options(add, "add");
  const b = new Uint8Array(24);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, v.bigint(a.id, "id", 0n, v.U64_MAX), true);
  dv.setUint32(8, v.flags(a.flags ?? 0, "flags", SECCOMP_ADDFD_FLAG_SETFD | SECCOMP_ADDFD_FLAG_SEND), true);
  dv.setUint32(12, v.fd(a.srcfd, "srcfd"), true);
  dv.setUint32(16, a.newfd === undefined ? 0 : v.fd(a.newfd, "newfd"), true);
  dv.setUint32(20, v.flags(a.newfdFlags ?? 0, "newfdFlags", O_CLOEXEC), true);
  return check(lib().bt_notif_ioctl(v.fd(fd), BigInt(SECCOMP_IOCTL_NOTIF_ADDFD), b), NOTIF_IOCTL);
}

/**
 * ioctl(SECCOMP_IOCTL_NOTIF_SET_FLAGS) (Linux 6.6): SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP.
 * @throws {@link OSError} EINVAL (unknown flags, or a kernel without it: ENOTTY), ...
 */
export function seccompNotifSetFlags(fd: number, flags: number): void {
  check(lib().bt_notif_set_flags(v.fd(fd), BigInt(v.flags(flags, "flags", SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP))), NOTIF_IOCTL);
}


// ---- a child filtered from exec on (bunffi/seccomp.c): the parent's clone and its wait,
// and the child's steps between clone and exec, each failure named by its call ----
export const SPAWN_CLONE: CallSpec = { syscall: "clone", family: "seccomp-spawn", errnos: ["EACCES", "EAGAIN", "EBUSY", "EEXIST", "EINVAL", "ENOMEM", "ENOSPC", "EOPNOTSUPP", "EPERM", "EUSERS"] };
export const SPAWN_PIPE2: CallSpec = { syscall: "pipe2", family: "seccomp-spawn", errnos: ["EFAULT", "EINVAL", "EMFILE", "ENFILE", "ENOPKG"] };
export const SPAWN_GETFD: CallSpec = { syscall: "pidfd_getfd", family: "seccomp-spawn", errnos: ["EBADF", "EINVAL", "EMFILE", "ENFILE", "EPERM", "ESRCH"] };
// the listener's readiness, before each RECV (RECV itself blocks whatever the fd's flags)
export const NOTIF_POLL: CallSpec = { syscall: "poll", family: "seccomp", errnos: ["EFAULT", "EINTR", "EINVAL", "ENOMEM"] };
export const SPAWN_WAITID: CallSpec = { syscall: "waitid", family: "seccomp-spawn", errnos: ["EAGAIN", "ECHILD", "EINTR", "EINVAL", "ESRCH"] };
export const CHILD_STEP = [
  undefined,
  { syscall: "dup2", family: "seccomp-child", errnos: ["EBADF", "EBUSY", "EINTR", "EINVAL", "EMFILE"] },
  { syscall: "chdir", family: "seccomp-child", errnos: ["EACCES", "EBADF", "EFAULT", "EIO", "ELOOP", "ENAMETOOLONG", "ENOENT", "ENOMEM", "ENOTDIR"] },
  { syscall: "prctl", family: "seccomp-child", errnos: ["EACCES", "EBADF", "EBUSY", "EFAULT", "EINVAL", "ENODEV", "ENXIO", "EOPNOTSUPP", "EPERM", "ERANGE"] },
  { syscall: "seccomp", family: "seccomp-child", errnos: ["EACCES", "EBUSY", "EFAULT", "EINVAL", "ENOMEM", "EOPNOTSUPP", "ESRCH"] },
  { syscall: "execve", family: "seccomp-child", errnos: ["E2BIG", "EACCES", "EAGAIN", "EFAULT", "EINVAL", "EIO", "EISDIR", "ELIBBAD", "ELOOP", "EMFILE", "ENAMETOOLONG", "ENFILE", "ENOENT", "ENOEXEC", "ENOMEM", "ENOTDIR", "EPERM", "ETXTBSY"] },
] as const;

/**
 * Starts `path` in a child whose filter (`program`, with `flags`) is installed between
 * clone and exec, no_new_privs first when `noNewPrivs`. `fds`: the child's stdin, stdout
 * and stderr (-1: this process's own). With SECCOMP_FILTER_FLAG_NEW_LISTENER in `flags`,
 * the child's listener is taken into this process (pidfd_getfd) before the child execs.
 * Returns the pid, its pidfd (close-on-exec) and the listener (or -1). @internal
 * @throws {@link OSError} from the step that failed: clone or pipe2 here, or in the child dup2, chdir, prctl, seccomp or execve (its `path` the program's or the directory's).
 */
export function spawnFilteredRaw(
  path: string,
  argv: readonly string[],
  env: readonly string[],
  cwd: string | null,
  fds: readonly [number, number, number],
  program: Uint8Array,
  flags: number,
  noNewPrivs: boolean,
): { pid: number; pidfd: number; listener: number } {
  const keep: Uint8Array[] = [];
  const file = v.cstring(path, "path");
  const dir = cwd === null ? null : v.cstring(cwd, "cwd");
  const a = v.cstringTable(argv, "argv", keep);
  const e = v.cstringTable(env, "env", keep);
  const out = new Int32Array(3);
  const r = lib().bt_spawn_filtered(file, a, e, dir, Int32Array.from(fds), program, program.length / 8, flags, noNewPrivs ? 1 : 0, out.subarray(0, 1), out.subarray(1, 2), out.subarray(2, 3));
  keep.length = 0;
  if (r < 0) {
    const step = out[1]!;
    const call = step === 6 ? SPAWN_PIPE2 : step === 7 ? SPAWN_CLONE : step === 8 ? SPAWN_GETFD : (CHILD_STEP[step] ?? SPAWN_CLONE);
    const inChild = step >= 1 && step <= 5;
    throw errorFor(r, call, step === 5 ? path : step === 2 ? (cwd ?? undefined) : undefined, inChild ? "in the child, before exec" : undefined);
  }
  return { pid: r, pidfd: out[0]!, listener: out[2]! };
}

/** POLLIN: a notification waits. */
export const NOTIF_PENDING = 1;
/** POLLHUP: no filtered task is left; nothing will be notified again. */
export const NOTIF_GONE = 0x10;

/** A listener's readiness after waiting up to `timeout` ms (-1: for ever): NOTIF_PENDING, NOTIF_GONE bits. @internal */
export function notifPoll(fd: number, timeout: number): number {
  for (;;) {
    const r = lib().bt_notif_poll(fd, timeout);
    if (r === -ERRNO.EINTR!) continue;
    return check(r, NOTIF_POLL);
  }
}

/** How a child ended, from waitid(P_PIDFD): null while it runs. @internal */
export function waitPidfd(pidfd: number): { code: number; status: number } | null {
  const out = new Int32Array(2);
  check(lib().bt_waitid_pidfd(v.fd(pidfd), out), SPAWN_WAITID);
  return out[0] === 0 ? null : { code: out[0]!, status: out[1]! };
}
