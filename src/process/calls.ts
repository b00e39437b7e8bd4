/** getpid(2), getppid(2), gettid(2) through the raw syscall, never a libc cache; pidfd_open(2); execve(2). */
import { helpers } from "../../bunffi/load.ts";
import { check, errorFor, type CallSpec } from "../core/errors.ts";
import * as v from "../core/validate.ts";

const lib = helpers("process.c", {
  bt_getpid: { args: [], returns: "i32" },
  bt_getppid: { args: [], returns: "i32" },
  bt_gettid: { args: [], returns: "i32" },
  bt_execve: { args: ["ptr", "ptr", "ptr"], returns: "i32" },
  bt_pidfd_open: { args: ["i32", "i32"], returns: "i32" },
  bt_pidfd_send_signal: { args: ["i32", "i32"], returns: "i32" },
});

// "These functions are always successful." Any errno at all is therefore UnknownError.
export const GETPID: CallSpec = { syscall: "getpid", errnos: [] };
export const GETPPID: CallSpec = { syscall: "getppid", errnos: [] };
export const GETTID: CallSpec = { syscall: "gettid", errnos: [] };
export const PIDFD_OPEN: CallSpec = { syscall: "pidfd_open", errnos: ["EINVAL", "EMFILE", "ENFILE", "ENODEV", "ENOMEM", "ENOSYS", "ESRCH"] };
export const PIDFD_SEND_SIGNAL: CallSpec = { syscall: "pidfd_send_signal", errnos: ["EBADF", "EINVAL", "ENOSYS", "EPERM", "ESRCH"] };
export const EXECVE: CallSpec = { syscall: "execve", errnos: ["E2BIG", "EACCES", "EAGAIN", "EFAULT", "EINVAL", "EIO", "EISDIR", "ELIBBAD", "ELOOP", "EMFILE", "ENAMETOOLONG", "ENFILE", "ENOENT", "ENOEXEC", "ENOMEM", "ENOTDIR", "EPERM", "ETXTBSY"] };

/** getpid(2), the raw syscall (never a libc cache): the process id in the caller's pid namespace. Always succeeds. */
export function getpid(): number {
  return check(lib().bt_getpid(), GETPID);
}

/** getppid(2): the parent's process id (0 when the parent is outside the caller's pid namespace). Always succeeds. */
export function getppid(): number {
  return check(lib().bt_getppid(), GETPPID);
}

/** gettid(2): the calling thread's id; equal to getpid() on the main JS thread, different in a Worker. Always succeeds. */
export function gettid(): number {
  return check(lib().bt_gettid(), GETTID);
}

/** pidfd_open(2) flag: the pidfd is non-blocking (waitid on it says EAGAIN while the process runs; Linux 5.10). */
export const PIDFD_NONBLOCK = 0o4000;

/**
 * pidfd_open(2): an fd that refers to process `pid` (Linux 5.3), close-on-exec. It stays
 * valid when the pid is reused, becomes readable when the process ends, and is taken by
 * setns(2) to enter the process's namespaces (Linux 5.8). The caller closes it.
 * @throws {@link OSError} ESRCH (no such process), EINVAL (a thread id, or bad flags), EMFILE/ENFILE, ENOSYS (before 5.3); RangeError for a pid out of range.
 */
export function pidfdOpen(pid: number, flags = 0): number {
  return check(lib().bt_pidfd_open(v.int(pid, "pid", 1, 0x3fffffff), v.flags(flags, "flags", PIDFD_NONBLOCK)), PIDFD_OPEN);
}

/**
 * pidfd_send_signal(2) (Linux 5.1): sends signal `sig` (a number) to the process of
 * `pidfd`. Unlike kill(2), never to another process that reused the pid.
 * @throws {@link OSError} ESRCH (the process ended), EBADF, EINVAL; {@link PermissionError} EPERM; RangeError for a bad signal number.
 */
export function pidfdSendSignal(pidfd: number, sig: number): void {
  check(lib().bt_pidfd_send_signal(v.fd(pidfd, "pidfd"), v.int(sig, "sig", 0, 64)), PIDFD_SEND_SIGNAL);
}

/**
 * execve(2) from the CALLING THREAD: the process becomes `file` (a path: no PATH search),
 * with `argv` and `env` ("NAME=value" strings). Bun's other threads end and nothing of
 * the runtime is flushed or closed first (close-on-exec fds are closed by the kernel);
 * the calling thread's namespaces and root are the new program's, which is how the
 * new-root builder runs a program in a root built on its JS thread. Returns only by
 * throwing.
 * @throws {@link OSError} with an errno execve(2) lists (ENOENT, ENOEXEC, E2BIG, ...), its `path` the file; {@link PermissionError} EACCES/EPERM; TypeError for a NUL byte in any string.
 */
export function execve(file: string | Uint8Array, argv: readonly string[], env: readonly string[]): never {
  const path = v.cstring(file, "file");
  const keep: Uint8Array[] = []; // the strings stay alive across the call
  const a = v.cstringTable(argv, "argv", keep);
  const e = v.cstringTable(env, "env", keep);
  const r = lib().bt_execve(path, a, e);
  keep.length = 0;
  throw errorFor(r, EXECVE, typeof file === "string" ? file : undefined);
}
