/**
 * `Fanotify` (event-like) and `FanotifyAsync` (queue): a fanotify group whose events
 * carry their path, whose event fds butter owns (closed at once unless the program keeps
 * them), and whose permission events get exactly one answer: the program's, the
 * deadline's, or the one given when the object closes.
 */
import { errorFor, OSError, type CallSpec } from "../core/errors.ts";
import { EventSource } from "../core/events.ts";
import { FdObject } from "../core/fd.ts";
import { fsdecode, fsencode } from "../core/fsname.ts";
import { close } from "../core/io.ts";
import { Queued } from "../core/queue.ts";
import * as v from "../core/validate.ts";
import * as c from "./calls.ts";
import { explainEinval } from "./features.ts";
import { FidPaths } from "./fid-paths.ts";

/** The options of a {@link Fanotify} beyond fanotify_init's flags. */
export interface FanotifyOptions {
  /** open(2) flags of each event's fd (default O_RDONLY | O_LARGEFILE; O_CLOEXEC is always added) */
  eventFFlags?: number;
  /** keep each notification event's fd (and pidfd) open, owned by the event, instead of
   *  closing it as soon as its path is read (default false) */
  keepEventFds?: boolean;
  /** ms a permission event may wait for the program's answer before butter answers it
   *  (default 5000) */
  deadline?: number;
  /** the answer given at the deadline and at close() to what is still waiting (default "allow") */
  deadlineResponse?: "allow" | "deny";
}

const O_LARGEFILE = 0o100000;
const O_CLOEXEC = 0o2000000;
/** The default of {@link FanotifyOptions.deadline}, in ms. */
export const DEFAULT_PERMISSION_DEADLINE = 5000;

/** The fd an event owns (its file's, or a pidfd), closed with the event or by the collector. */
class EventFd extends FdObject {
  take(): number {
    return this.detachFd();
  }
}

/** What a group tells its events about itself. @internal */
interface Group {
  answer(ev: FanotifyEvent, response: number, auditRule?: c.FanotifyResponse["auditRule"]): void;
  resolveRecord(rec: c.FanotifyFidRecord | undefined): string | undefined;
}

/** One fanotify event, decoded, with its path. */
export class FanotifyEvent {
  #fd: EventFd | number;
  #pidfd: EventFd | number;
  #path: string | undefined | null; // null: not resolved yet (FID events)
  #group: Group;
  #answered = false;
  /** @internal */
  timer: ReturnType<typeof setTimeout> | undefined;

  /** @internal */
  constructor(
    /** the FAN_* bits */
    readonly mask: number,
    fd: EventFd | number,
    /** the process (or thread) that caused it; 0 if it is in another pid namespace */
    readonly pid: number,
    /** the info records, decoded (pidfd records say -1 once the event no longer holds the pidfd) */
    readonly records: readonly c.FanotifyRecord[],
    path: string | undefined | null,
    /** why the event's fd gave no path (the readlink's error), if it did not */
    readonly pathError: Error | undefined,
    pidfd: EventFd | number,
    group: Group,
  ) {
    this.#fd = fd;
    this.#pidfd = pidfd;
    this.#path = path;
    this.#group = group;
  }

  /** The event's fd while it holds one, else -1 (or -errno with FAN_REPORT_FD_ERROR). */
  get fd(): number {
    return typeof this.#fd === "number" ? this.#fd : this.#fd.fd;
  }

  /** The pidfd of the event's process while the event holds one (FAN_REPORT_PIDFD), else -1. */
  get pidfd(): number {
    return typeof this.#pidfd === "number" ? this.#pidfd : this.#pidfd.fd;
  }

  /**
   * The path the event is about: from the event's fd, or from its file handle records
   * (the entry's directory joined with its name). Undefined for an overflow, a mount
   * event, or a handle butter could not turn back into a path (see docs/fanotify.md).
   */
  get path(): string | undefined {
    if (this.#path === null) {
      this.#path = this.#group.resolveRecord(this.#fid("dfid_name") ?? this.#fid("fid") ?? this.#fid("dfid"));
    }
    return this.#path;
  }

  /** `path` as bytes (for node:fs when a name in it is not UTF-8). */
  get pathBytes(): Buffer | undefined {
    const p = this.path;
    return p === undefined ? undefined : fsencode(p);
  }

  /** The entry's name in its directory (the DFID_NAME record), if the event has one. */
  get name(): string | undefined {
    return this.#fid("dfid_name")?.name;
  }

  /** A rename's old name (FAN_RENAME's OLD_DFID_NAME record). */
  get oldName(): string | undefined {
    return this.#fid("old_dfid_name")?.name;
  }

  /** A rename's new name (FAN_RENAME's NEW_DFID_NAME record). */
  get newName(): string | undefined {
    return this.#fid("new_dfid_name")?.name;
  }

  /** A rename's old path, where butter can resolve its directory. */
  get oldPath(): string | undefined {
    return this.#group.resolveRecord(this.#fid("old_dfid_name"));
  }

  /** A rename's new path, where butter can resolve its directory. */
  get newPath(): string | undefined {
    return this.#group.resolveRecord(this.#fid("new_dfid_name"));
  }

  /** The subject is a directory (FAN_ONDIR). */
  get isDir(): boolean {
    return (this.mask & c.FAN_ONDIR) !== 0;
  }

  /** The kernel's queue overflowed: events were lost (FAN_Q_OVERFLOW). */
  get isOverflow(): boolean {
    return (this.mask & c.FAN_Q_OVERFLOW) !== 0;
  }

  /** A permission event: an access waits for `allow()` or `deny()`. */
  get isPermission(): boolean {
    return (this.mask & c.FAN_PERM_EVENTS) !== 0;
  }

  /** True once a permission event was answered (by the program, the deadline, or close). */
  get answered(): boolean {
    return this.#answered;
  }

  /** The names of the mask's bits, e.g. ["FAN_CREATE", "FAN_ONDIR"]. */
  get flags(): string[] {
    return c.fanotifyFlagNames(this.mask);
  }

  /** Lets the waiting access go on. */
  allow(): void {
    this.respond(c.FAN_ALLOW);
  }

  /**
   * Refuses the waiting access: it fails with EPERM, or with `errno` (Linux 6.14,
   * pre-content groups: EIO, EPERM, EBUSY, ETXTBSY, EAGAIN, ENOSPC, EDQUOT).
   */
  deny(errno?: number): void {
    this.respond(errno === undefined ? c.FAN_DENY : c.FAN_DENY_ERRNO(errno));
  }

  /**
   * Answers with a raw response (FAN_ALLOW or FAN_DENY, FAN_AUDIT, FAN_INFO with an audit
   * rule). A permission event is answered once: a second answer is an Error.
   * @throws Error for an event that is not a permission event or was answered already;
   * {@link OSError} from the response's write(2).
   */
  respond(response: number, auditRule?: c.FanotifyResponse["auditRule"]): void {
    if (!this.isPermission) throw new Error(`a ${this.flags.join("|")} event takes no answer`);
    if (this.#answered) throw new Error("this permission event was answered already");
    this.#group.answer(this, response, auditRule);
  }

  /** @internal marks it answered and lets go of its fd */
  settled(): void {
    this.#answered = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.close();
  }

  /**
   * Hands the event's fd to the program, which closes it from then on. A permission
   * event's answer still names that fd: keep it open until the event is answered.
   * @throws Error when the event holds no fd (none came, or it was closed or taken).
   */
  takeFd(): number {
    if (typeof this.#fd === "number") {
      throw new Error(
        this.#fd === c.FAN_NOFD
          ? "this event holds no fd (closed after its path was read: construct with { keepEventFds: true } to keep it)"
          : `this event has no fd (${this.#fd})`,
      );
    }
    const fd = this.#fd.take();
    this.#fd = fd; // (still named by a permission answer)
    this.#fdTaken = true;
    return fd;
  }
  #fdTaken = false;

  /** Hands the event's pidfd to the program (FAN_REPORT_PIDFD, with keepEventFds or for a permission event). */
  takePidfd(): number {
    if (typeof this.#pidfd === "number") throw new Error("this event holds no pidfd");
    const fd = this.#pidfd.take();
    this.#pidfd = -1;
    return fd;
  }

  /** Closes what the event holds (its fd and pidfd). A permission event must be answered first. */
  close(): void {
    if (this.isPermission && !this.#answered) throw new Error("answer a permission event before closing it");
    if (typeof this.#fd !== "number") this.#fd.close();
    if (this.#fdTaken) this.#fdTaken = false;
    this.#fd = -1;
    if (typeof this.#pidfd !== "number") this.#pidfd.close();
    this.#pidfd = -1;
  }

  /** `close()`, for `using`. */
  [Symbol.dispose](): void {
    if (this.isPermission && !this.#answered) return; // (the group's deadline answers it)
    this.close();
  }

  #fid(type: c.FanotifyFidRecord["type"]): c.FanotifyFidRecord | undefined {
    return this.records.find((r) => r.type === type) as c.FanotifyFidRecord | undefined;
  }
}

/**
 * A fanotify group: marks, and events with paths. Blocking unless made with
 * FAN_NONBLOCK; close-on-exec always. docs/fanotify.md.
 */
export class Fanotify extends EventSource<FanotifyEvent> {
  /** The read(2) this family's events come from. @internal */
  protected readonly readCall = c.FANOTIFY_READ;
  readonly #flags: number;
  readonly #keep: boolean;
  readonly #deadline: number;
  readonly #deadlineResponse: number;
  #paths = new FidPaths();
  #pending = new Set<FanotifyEvent>();
  #overflows = 0;
  #group: Group = {
    answer: (ev, response, rule) => this.#answer(ev, response, rule),
    resolveRecord: (rec) => this.#paths.resolve(rec),
  };

  /**
   * @param flags - fanotify_init(2) flags: a class (FAN_CLASS_NOTIF, the default;
   * FAN_CLASS_CONTENT or FAN_CLASS_PRE_CONTENT for permission events), FAN_REPORT_*,
   * FAN_UNLIMITED_*, FAN_ENABLE_AUDIT, FAN_NONBLOCK; FAN_CLOEXEC is always added
   * @throws {@link OSError} EINVAL naming the feature and the Linux version that brought
   * it when this kernel lacks one asked for; {@link PermissionError} EPERM without the
   * privilege the flags need (CAP_SYS_ADMIN, except FID groups since Linux 5.13).
   */
  constructor(flags: number = 0, options?: FanotifyOptions) {
    const o = v.options(options);
    const ef = v.int(o.eventFFlags ?? O_LARGEFILE, "eventFFlags", 0, 0x7fffffff) | O_CLOEXEC;
    const deadline = v.milliseconds(o.deadline ?? DEFAULT_PERMISSION_DEADLINE, "deadline");
    if (o.deadlineResponse !== undefined && o.deadlineResponse !== "allow" && o.deadlineResponse !== "deny") {
      throw new TypeError(`deadlineResponse must be "allow" or "deny", got ${String(o.deadlineResponse)}`);
    }
    const f = v.int(flags, "flags", 0, 0x7fffffff) | c.FAN_CLOEXEC;
    let fd: number;
    try {
      fd = c.fanotifyInit(f, ef);
    } catch (e) {
      throw explained(e, c.FANOTIFY_INIT, () => explainEinval(f));
    }
    super(fd);
    this.#flags = f;
    this.#keep = o.keepEventFds === true;
    this.#deadline = deadline;
    this.#deadlineResponse = o.deadlineResponse === "deny" ? c.FAN_DENY : c.FAN_ALLOW;
  }

  /**
   * Adds `mask` to the mark on `path`: an inode by default; FAN_MARK_MOUNT,
   * FAN_MARK_FILESYSTEM or FAN_MARK_MNTNS in `flags` for the mount, the filesystem, or
   * the mount namespace (an nsfs path such as /proc/self/ns/mnt). `flags` may also hold
   * FAN_MARK_DONT_FOLLOW, FAN_MARK_ONLYDIR, FAN_MARK_EVICTABLE, and FAN_MARK_IGNORE (or
   * FAN_MARK_IGNORED_MASK, FAN_MARK_IGNORED_SURV_MODIFY) to make it an ignore mask.
   * @throws {@link OSError} with an errno fanotify_mark(2) lists (EINVAL naming a feature
   * this kernel lacks).
   */
  mark(path: string | Uint8Array, mask: number, flags: number = 0): void {
    this.#mark(c.FAN_MARK_ADD, path, mask, flags);
    this.#paths.marked(typeof path === "string" ? path : fsdecode(path));
  }

  /** Removes `mask` from the mark on `path` (the same `flags` say which mark). */
  unmark(path: string | Uint8Array, mask: number, flags: number = 0): void {
    this.#mark(c.FAN_MARK_REMOVE, path, mask, flags);
  }

  /** Removes every mark of a kind: inodes (0), FAN_MARK_MOUNT, FAN_MARK_FILESYSTEM or FAN_MARK_MNTNS. */
  flush(kind: number = 0): void {
    const k = v.int(kind, "kind", 0, c.FAN_MARK_MNTNS);
    if (k !== 0 && k !== c.FAN_MARK_MOUNT && k !== c.FAN_MARK_FILESYSTEM && k !== c.FAN_MARK_MNTNS) {
      throw new RangeError("kind must be 0, FAN_MARK_MOUNT, FAN_MARK_FILESYSTEM or FAN_MARK_MNTNS");
    }
    c.fanotifyMark(this.openFd("fanotify_mark"), c.FAN_MARK_FLUSH | k, 0);
  }

  /** How many FAN_Q_OVERFLOW events were read: each means the kernel dropped events. */
  get overflows(): number {
    return this.#overflows;
  }

  /** Permission events read and not answered yet. */
  get pending(): number {
    return this.#pending.size;
  }

  #mark(op: number, path: string | Uint8Array, mask: number, flags: number): void {
    const fd = this.openFd("fanotify_mark");
    const f = v.int(flags, "flags", 0, 0x7fffffff);
    if ((f & (c.FAN_MARK_ADD | c.FAN_MARK_REMOVE | c.FAN_MARK_FLUSH)) !== 0) {
      throw new RangeError("flags must not hold FAN_MARK_ADD, FAN_MARK_REMOVE or FAN_MARK_FLUSH: the method says which");
    }
    try {
      c.fanotifyMark(fd, op | f, mask, c.AT_FDCWD, path);
    } catch (e) {
      throw explained(e, c.FANOTIFY_MARK, () => explainEinval(this.#flags, f, v.int(mask, "mask", 0, Number.MAX_SAFE_INTEGER)));
    }
  }

  /** One read(2), decoded; fds turned into paths and closed in the helper. @internal */
  protected readBatch(fd: number): FanotifyEvent[] | null {
    const batch = c.readFanotifyPaths(fd, this.#keep);
    if (batch === null) return null;
    return c.decodeFanotifyEvents(batch.buf, batch.n, (mask, efd, pid, records, i) => this.#make(batch, mask, efd, pid, records, i), fd);
  }

  #make(batch: c.PathBatch, mask: number, efd: number, pid: number, records: c.FanotifyRecord[], i: number): FanotifyEvent {
    const perm = (mask & c.FAN_PERM_EVENTS) !== 0;
    const keep = perm || this.#keep;
    let path: string | undefined | null;
    let pathError: Error | undefined;
    let fd: EventFd | number = efd < 0 ? efd : -1;
    if (efd >= 0) {
      if (perm) {
        const p = c.fdPath(efd);
        if (typeof p === "string") path = p;
        else pathError = p;
      } else {
        const p = batch.path(i, efd);
        if (p instanceof Error) pathError = p;
        else path = p;
      }
      if (keep) fd = own(efd);
    } else if ((mask & c.FAN_Q_OVERFLOW) !== 0) {
      this.#overflows++;
      path = undefined;
    } else {
      path = null; // from the handle records, when asked for
    }
    let pidfd: EventFd | number = -1;
    const rec = records.find((r) => r.type === "pidfd") as c.FanotifyPidfdRecord | undefined;
    if (rec !== undefined && rec.pidfd >= 0) {
      if (keep) pidfd = own(rec.pidfd);
      else close(rec.pidfd);
    }
    const ev = new FanotifyEvent(mask, fd, pid, records, path, pathError, pidfd, this.#group);
    if (perm) {
      this.#pending.add(ev);
      ev.timer = setTimeout(() => this.#expire(ev), this.#deadline);
      ev.timer.unref?.();
    }
    return ev;
  }

  #expire(ev: FanotifyEvent): void {
    if (ev.answered || this.closed) return;
    try {
      this.#answer(ev, this.#deadlineResponse);
    } catch (e) {
      // nobody to tell but the process: the event is settled either way
      process.emitWarning(`butter: the deadline answer to a fanotify permission event failed: ${(e as Error).message}`);
    }
  }

  #answer(ev: FanotifyEvent, response: number, rule?: c.FanotifyResponse["auditRule"]): void {
    const gfd = this.openFd("write");
    try {
      c.fanotifyWriteResponse(gfd, { fd: ev.fd, response, auditRule: rule });
    } catch (e) {
      // ENOENT: the kernel no longer waits on it (it was answered); anything else stays
      // pending, so that a failed answer can be given again.
      if (!(e instanceof OSError && e.code === "ENOENT")) throw e;
    }
    this.#pending.delete(ev);
    ev.settled();
  }

  /** Answers what is pending (the deadline's answer), then closes. @internal */
  protected override beforeClose(fd: number): void {
    for (const ev of [...this.#pending]) {
      try {
        c.fanotifyWriteResponse(fd, { fd: ev.fd, response: this.#deadlineResponse });
      } catch {
        // (closing the group below lets every access it still holds go on)
      }
      this.#pending.delete(ev);
      ev.settled();
    }
    super.beforeClose(fd);
  }
}

function own(fd: number): EventFd {
  return new EventFd(fd);
}

/** An EINVAL from `call`, with the feature this kernel lacks named (when that is why). */
function explained(e: unknown, call: CallSpec, why: () => string | undefined): unknown {
  if (e instanceof OSError && e.code === "EINVAL") {
    const detail = why();
    if (detail !== undefined) return errorFor(-e.errno, call, e.path, detail);
  }
  return e;
}

/** A Fanotify with a non-blocking fd and an async queue: `for await (const ev of fan)`. */
export class FanotifyAsync extends Queued<FanotifyEvent, typeof Fanotify>(Fanotify) {
  constructor(flags: number = 0, options?: FanotifyOptions) {
    super(v.int(flags, "flags", 0, 0x7fffffff) | c.FAN_NONBLOCK, options);
  }
}
