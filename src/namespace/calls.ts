/**
 * unshare(2) and setns(2), 1:1, the CLONE_* constants they take, and namespace fds.
 *
 * Both act on the CALLING THREAD. In Bun that is one thread among many (its JIT, GC,
 * file I/O pool, every Worker): `unshare(CLONE_NEWNS)` gives the JS thread a mount
 * namespace of its own while every other thread stays in the old one, and
 * `unshare(CLONE_NEWUSER)` is refused (EINVAL) because a user namespace needs a process
 * with one thread. docs/namespace.md says exactly what changes; a whole process in new
 * namespaces is a child started in them (the new-root builder, `unshare(1)`).
 */
import { helpers } from "../../bunffi/load.ts";
import { errorFor, type CallSpec } from "../core/errors.ts";
import { ERRNO } from "../core/errno.ts";
import { NAMESPACE_TYPES, type NamespaceType } from "../core/features.ts";
import * as v from "../core/validate.ts";
import { nodeFs } from "../core/lazy-node.ts";

const lib = helpers("namespace.c", {
  bt_unshare: { args: ["i32"], returns: "i32" },
  bt_setns: { args: ["i32", "i32"], returns: "i32" },
});

/** unshare: a private copy of the filesystem attributes (root, cwd, umask). */ export const CLONE_FS = 0x200;
/** unshare: a private copy of the fd table. */ export const CLONE_FILES = 0x400;
/** unshare: new System V semaphore undo values. */ export const CLONE_SYSVSEM = 0x40000;
/** A new (or, for setns, another) time namespace (Linux 5.6; for children). */ export const CLONE_NEWTIME = 0x80;
/** A new mount namespace (implies CLONE_FS). */ export const CLONE_NEWNS = 0x20000;
/** A new cgroup namespace. */ export const CLONE_NEWCGROUP = 0x02000000;
/** A new UTS namespace (host and domain names). */ export const CLONE_NEWUTS = 0x04000000;
/** A new IPC namespace. */ export const CLONE_NEWIPC = 0x08000000;
/** A new user namespace (a single-threaded process only; implies CLONE_FS and CLONE_THREAD). */ export const CLONE_NEWUSER = 0x10000000;
/** A new PID namespace, for the children made after the call. */ export const CLONE_NEWPID = 0x20000000;
/** A new network namespace. */ export const CLONE_NEWNET = 0x40000000;
const CLONE_THREAD = 0x10000;
const CLONE_SIGHAND = 0x800;
const CLONE_VM = 0x100;
const UNSHARE_ALL =
  CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_NEWTIME | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |
  CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
const NEW_ANY = CLONE_NEWTIME | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;

/** Each namespace type's CLONE_NEW* flag, by its /proc/<pid>/ns name. */
export const CLONE_NEW: Readonly<Record<NamespaceType, number>> = Object.freeze({
  cgroup: CLONE_NEWCGROUP, ipc: CLONE_NEWIPC, mnt: CLONE_NEWNS, net: CLONE_NEWNET,
  pid: CLONE_NEWPID, time: CLONE_NEWTIME, user: CLONE_NEWUSER, uts: CLONE_NEWUTS,
});

export const UNSHARE: CallSpec = { syscall: "unshare", errnos: ["EINVAL", "ENOMEM", "ENOSPC", "EPERM", "EUSERS"] };
export const SETNS: CallSpec = { syscall: "setns", errnos: ["EBADF", "EINVAL", "ENOMEM", "EPERM", "ESRCH"] };

const THREADED =
  "a user namespace (or CLONE_THREAD, CLONE_SIGHAND, CLONE_VM) needs a single-threaded process, and Bun runs several threads: start a child in the new namespaces instead (docs/namespace.md)";

/**
 * unshare(2): move the CALLING THREAD into new namespaces (CLONE_NEW* flags), or give
 * it private copies of shared state (CLONE_FS, CLONE_FILES, CLONE_SYSVSEM). The other
 * threads of the process are not moved (docs/namespace.md, "The thread rule").
 * CLONE_NEWPID and CLONE_NEWTIME apply to the children made afterwards, not to the caller.
 * @throws {@link OSError} EINVAL (with CLONE_NEWUSER: Bun's threads, explained in the message), ENOSPC/EUSERS (a namespace count limit), ENOMEM; {@link PermissionError} EPERM without CAP_SYS_ADMIN; RangeError for unknown flags.
 */
export function unshare(flags: number): void {
  const f = v.flags(flags, "flags", UNSHARE_ALL);
  const r = lib().bt_unshare(f);
  if (r < 0) {
    const threaded = r === -ERRNO.EINVAL! && f & (CLONE_NEWUSER | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM);
    throw errorFor(r, UNSHARE, undefined, threaded ? THREADED : undefined);
  }
}

/**
 * setns(2): move the CALLING THREAD into the namespace of `fd` (a /proc/<pid>/ns/* fd
 * from {@link nsOpen}, or a pidfd with several CLONE_NEW* bits, Linux 5.8). `nstype` 0
 * accepts any type; a CLONE_NEW* value checks the fd is of that type. Entering a mount
 * namespace needs a thread with its own filesystem attributes: `unshare(CLONE_FS)` first,
 * or EINVAL.
 * @throws {@link OSError} EINVAL (wrong type, a shared fs_struct for a mount namespace, a user namespace in a threaded process), EBADF, ESRCH (the pidfd's process ended); {@link PermissionError} EPERM.
 */
export function setns(fd: number, nstype = 0): void {
  const r = lib().bt_setns(v.fd(fd), v.flags(nstype, "nstype", NEW_ANY));
  if (r < 0) throw errorFor(r, SETNS);
}

/**
 * An fd for a namespace of a process (or thread: `pid` may be a tid) from
 * /proc/<pid>/ns/<type>, close-on-exec, for setns. The caller closes it.
 * @throws Node's system error from open(2) (ENOENT: no such process or namespace type on this kernel); RangeError for an unknown type.
 */
export function nsOpen(type: NamespaceType, pid: number | "self" | "thread-self" = "self"): number {
  if (!(NAMESPACE_TYPES as readonly string[]).includes(type)) throw new RangeError(`unknown namespace type ${String(type)}; one of ${NAMESPACE_TYPES.join(", ")}`);
  const who = pid === "self" || pid === "thread-self" ? pid : v.int(pid, "pid", 1, 0x3fffffff);
  return nodeFs().openSync(`/proc/${who}/ns/${type}`, "r");
}
