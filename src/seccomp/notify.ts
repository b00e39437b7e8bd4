/**
 * User notifications: the listener of a filter with USER_NOTIF rules as an event-like
 * object (`SeccompNotify`) and an async queue (`SeccompNotifyAsync`). Each event is a
 * `SeccompNotification`: a task waits in a syscall until it is answered once, with
 * `continue()`, `error(errno)`, `value(n)` or `addFd(fd, { send: true })`.
 *
 * Every reply is made after an ID_VALID check, so that a reply to a task that died (or a
 * notification answered already) is a clear error instead of the kernel's bare ENOENT.
 * The listener's RECV blocks whatever the fd's flags, so readiness is asked first (poll):
 * the async queue waits for it through the reactor and reads only what is there. When no
 * filtered task is left (POLLHUP), nothing will be notified again: the async queue
 * closes itself (`for await` ends), and `readEvent()` throws.
 */
import { O_CLOEXEC } from "../core/open-flags.ts";
import { EventSource } from "../core/events.ts";
import { OSError } from "../core/errors.ts";
import { ERRNO } from "../core/errno.ts";
import { Queued } from "../core/queue.ts";
import * as v from "../core/validate.ts";
import {
  notifPoll, NOTIF_GONE, NOTIF_IOCTL, NOTIF_PENDING, seccompNotifAddfd, seccompNotifIdValid, seccompNotifRecv,
  seccompNotifSend, seccompNotifSetFlags, SECCOMP_ADDFD_FLAG_SEND, SECCOMP_ADDFD_FLAG_SETFD, SECCOMP_USER_NOTIF_FLAG_CONTINUE,
  SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP,
  type SeccompNotif,
} from "./calls.ts";
import { SYSCALL_TABLES } from "./syscall-table.ts";
import { AUDIT_ARCH_AARCH64, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT } from "./calls.ts";

const names = new Map<string, Map<number, string>>();
function syscallName(arch: number, nr: number): string | undefined {
  const table = arch === AUDIT_ARCH_AARCH64 ? "aarch64" : arch === AUDIT_ARCH_X86_64 ? (nr & X32_SYSCALL_BIT ? "x32" : "x86_64") : undefined;
  if (table === undefined) return undefined;
  let m = names.get(table);
  if (m === undefined) {
    m = new Map(Object.entries(SYSCALL_TABLES[table as keyof typeof SYSCALL_TABLES]).map(([n, x]) => [x, n]));
    names.set(table, m);
  }
  return m.get(nr);
}

/** A task waiting in a syscall for this program's answer. Answer it exactly once. */
export class SeccompNotification implements SeccompNotif {
  /** the notification's cookie */
  readonly id: bigint;
  /** the waiting task's thread id (0 when it is not in this PID namespace) */
  readonly pid: number;
  /** none defined yet: 0 */
  readonly flags: number;
  /** the syscall number */
  readonly nr: number;
  /** AUDIT_ARCH_* of the call */
  readonly arch: number;
  /** the calling instruction's address */
  readonly instructionPointer: bigint;
  /** the six arguments, as 64-bit values (pointers point into the task's memory: /proc/<pid>/mem) */
  readonly args: readonly bigint[];
  /** the syscall's name on its architecture ("openat"), if the tables know it */
  readonly syscall: string | undefined;
  #fd: () => number;
  #answered = false;

  /** @internal made by SeccompNotify from what RECV read */
  constructor(n: SeccompNotif, fd: () => number) {
    this.id = n.id;
    this.pid = n.pid;
    this.flags = n.flags;
    this.nr = n.nr;
    this.arch = n.arch;
    this.instructionPointer = n.instructionPointer;
    this.args = n.args;
    this.syscall = syscallName(n.arch, n.nr);
    this.#fd = fd;
  }

  /** True once answered by this object. */
  get answered(): boolean {
    return this.#answered;
  }

  /** Whether the task still waits for this notification (ID_VALID). */
  get valid(): boolean {
    return !this.#answered && seccompNotifIdValid(this.#fd(), this.id);
  }

  #check(what: string): number {
    const fd = this.#fd();
    if (this.#answered) throw new OSError(ERRNO.EINVAL!, "ioctl", undefined, `notification ${this.id} was answered already; ${what} is a second answer`);
    if (!seccompNotifIdValid(fd, this.id))
      throw new OSError(ERRNO.ENOENT!, "ioctl", undefined, `notification ${this.id} (pid ${this.pid}, ${this.syscall ?? `syscall ${this.nr}`}) is no longer valid: its task ended or was interrupted`);
    return fd;
  }

  #send(what: string, resp: { val?: bigint | number; error?: number; flags?: number }): void {
    const fd = this.#check(what);
    seccompNotifSend(fd, { id: this.id, ...resp });
    this.#answered = true;
  }

  /** Lets the call go on in the task, as if no filter had asked (SECCOMP_USER_NOTIF_FLAG_CONTINUE; Linux 5.5). Not a security boundary: the task's memory may change after the check. */
  continue(): void {
    this.#send("continue()", { flags: SECCOMP_USER_NOTIF_FLAG_CONTINUE });
  }

  /** Fails the call with `errno` (a number or a name: "EPERM"). */
  error(errno: number | string): void {
    const n = typeof errno === "string" ? ERRNO[errno] : v.int(errno, "errno", 1, 4095);
    if (n === undefined) throw new RangeError(`unknown errno name ${errno}`);
    this.#send("error()", { error: -n });
  }

  /** Makes the call return `n` without running it. */
  value(n: bigint | number): void {
    this.#send("value()", { val: n });
  }

  /**
   * Copies `fd` into the task (SECCOMP_IOCTL_NOTIF_ADDFD; Linux 5.9) and returns its
   * number there. With `send`, that number is also the call's result and this answers the
   * notification (Linux 5.14); `newfd` picks the number; `cloexec` sets O_CLOEXEC there.
   */
  addFd(fd: number, opts: { send?: boolean; newfd?: number; cloexec?: boolean } = {}): number {
    const o = v.options(opts);
    const lfd = this.#check("addFd()");
    const r = seccompNotifAddfd(lfd, {
      id: this.id,
      srcfd: fd,
      newfd: o.newfd,
      flags: (o.send ? SECCOMP_ADDFD_FLAG_SEND : 0) | (o.newfd !== undefined ? SECCOMP_ADDFD_FLAG_SETFD : 0),
      newfdFlags: o.cloexec ? O_CLOEXEC : 0,
    });
    if (o.send) this.#answered = true;
    return r;
  }
}

/**
 * A seccomp listener (from `filter.load()`, `spawnFiltered`'s `notify`, or
 * seccompSetModeFilter with NEW_LISTENER): `readEvent()` waits for the next notification,
 * blocking the JS thread. It owns the fd.
 */
export class SeccompNotify extends EventSource<SeccompNotification> {
  /** The ioctl this family's events come from. @internal */
  protected readonly readCall = NOTIF_IOCTL;
  #wait: number;
  /**
   * Whether the kernel wakes an answered task on this listener's CPU
   * (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, Linux 6.6), set when the object is made: measured
   * here, a notification's round trip took 5.7-7.2 us with it and 52-72 us without (the
   * task and the JS thread on different CPUs), docs/benchmarks.md.
   */
  readonly syncWakeUp: boolean;

  /**
   * @param fd - a listener fd; the object owns it from now on
   */
  constructor(fd: number, wait = -1) {
    super(v.fd(fd));
    this.#wait = wait;
    let sync = true;
    try {
      seccompNotifSetFlags(fd, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
    } catch (e) {
      // a kernel before 6.6 does not know the ioctl (EINVAL, ENOTTY): the plain wake-up
      const code = (e as OSError).code;
      if (code !== "EINVAL" && code !== "ENOTTY") {
        this.close();
        throw e;
      }
      sync = false;
    }
    this.syncWakeUp = sync;
  }

  /**
   * Hands the listener fd over (to a Worker that supervises, say, or a SeccompNotify of
   * another kind): this object is closed from then on and never closes the fd. Returns it.
   */
  takeFd(): number {
    return this.detachFd();
  }

  /** @internal one notification, or null when none is there yet (or it went away) */
  protected readBatch(fd: number): SeccompNotification[] | null {
    for (;;) {
      const ready = notifPoll(fd, this.#wait);
      if (ready & NOTIF_PENDING) {
        try {
          return [new SeccompNotification(seccompNotifRecv(fd), () => this.openFd("ioctl"))];
        } catch (e) {
          const code = (e as OSError).code;
          if (code === "EINTR") continue;
          if (code === "ENOENT") {
            if (this.#wait === 0) return null; // its task went away between the poll and the read
            continue;
          }
          throw e;
        }
      }
      if (ready & NOTIF_GONE) return this.gone();
      if (this.#wait === 0) return null;
    }
  }

  /** @internal no filtered task is left */
  protected gone(): SeccompNotification[] | null {
    throw new OSError(ERRNO.ESRCH!, "ioctl", undefined, "no task under this filter is left: nothing will be notified again");
  }
}

/** A SeccompNotify as an async queue: `await notify.get()`, `for await`; it closes itself when no filtered task is left. */
export class SeccompNotifyAsync extends Queued<SeccompNotification, typeof SeccompNotify>(SeccompNotify) {
  constructor(fd: number) {
    super(fd, 0);
  }

  /** @internal the queue ends: waiting getters get QueueClosed, `for await` ends */
  protected override gone(): null {
    this.close();
    return null;
  }
}
