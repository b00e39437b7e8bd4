/**
 * `Fanotify` (event-like) and `FanotifyAsync` (queue): a fanotify group whose events
 * carry their path, whose event fds butter owns (closed at once unless the program keeps
 * them), and whose permission events get exactly one answer: the program's, the
 * deadline's, or the one given when the object closes.
 */
import { O_CLOEXEC, O_LARGEFILE } from "../core/open-flags.ts";
import { errorFor, OSError, type CallSpec } from "../core/errors.ts";
import { AT_FDCWD } from "../core/at.ts";
import { EventSource } from "../core/events.ts";
import { FdObject } from "../core/fd.ts";
import { fsdecode, fsencode } from "../core/fsname.ts";
import { drainBufferSize, drainClose, drainOpen, drainPending, drainRead, DRAIN_FANOTIFY, MAX_DRAIN_READ, type Drain } from "../core/drain.ts";
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
  /** bytes of events the drain holds for the program before it stops reading and the
   *  kernel's queue fills (and then overflows, into an event); default 4 MiB */
  bufferSize?: number;
}

/** The default of {@link FanotifyOptions.deadline}, in ms. */
export const DEFAULT_PERMISSION_DEADLINE = 5000;

/** The fd an event owns (its file's, or a pidfd), closed with the event or by the collector. */
class EventFd extends FdObject {
  take(): number {
    return this.detachFd();
  }
}

/** Who answered a permission event. */
export type AnsweredBy = "program" | "deadline" | "self" | "close";

/** What a group tells its events about itself. @internal */
interface Group {
  answer(ev: FanotifyEvent, response: number, auditRule?: c.FanotifyResponse["auditRule"]): void;
  waiting(ev: FanotifyEvent): boolean;
  /** the path the file handle record at `off` of `bytes` names (off -1: none) */
  resolveRecord(bytes: Uint8Array, off: number): string | undefined;
}

// butter's own record types, which the drain adds and `records` leaves out
const isPrivate = (r: c.FanotifyRecord) => r.type === "unknown" && (r.infoType === c.BT_PATH || r.infoType === c.BT_PATH_ERR);

/**
 * One fanotify event, with its path. Its info records are decoded when first asked for
 * (`records`, `name`, `path` of a FID event): most programs read a few fields of many
 * events.
 */
export class FanotifyEvent {
  #fd: EventFd | number;
  #pidfd: EventFd | number;
  #path: string | undefined | null; // null: not resolved yet (FID events)
  #group: Group;
  #answeredBy: AnsweredBy | undefined;
  // the read's bytes (shared by the events of one read) and where this one's records lie
  #bytes: Uint8Array;
  #start: number;
  #end: number;
  #records: readonly c.FanotifyRecord[] | undefined;

  /** @internal */
  constructor(
    /** the FAN_* bits */
    readonly mask: number,
    fd: EventFd | number,
    /** the process (or thread) that caused it; 0 if it is in another pid namespace */
    readonly pid: number,
    bytes: Uint8Array,
    start: number,
    end: number,
    path: string | undefined | null,
    /** why the event's fd gave no path (the readlink's error), if it did not */
    readonly pathError: Error | undefined,
    pidfd: EventFd | number,
    group: Group,
    answeredBy: AnsweredBy | undefined,
  ) {
    this.#answeredBy = answeredBy;
    this.#fd = fd;
    this.#pidfd = pidfd;
    this.#path = path;
    this.#group = group;
    this.#bytes = bytes;
    this.#start = start;
    this.#end = end;
  }

  /** The info records, decoded (a pidfd record's value is the kernel's: see `pidfd` for whether the event still holds it). */
  get records(): readonly c.FanotifyRecord[] {
    this.#records ??= Object.freeze(c.decodeRecords(this.#bytes, this.#start, this.#end).filter((r) => !isPrivate(r)));
    return this.#records;
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
      let off = this.#at(c.FAN_EVENT_INFO_TYPE_DFID_NAME);
      if (off < 0) off = this.#at(c.FAN_EVENT_INFO_TYPE_FID);
      if (off < 0) off = this.#at(c.FAN_EVENT_INFO_TYPE_DFID);
      this.#path = this.#group.resolveRecord(this.#bytes, off);
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
    return this.#name(c.FAN_EVENT_INFO_TYPE_DFID_NAME);
  }

  /** A rename's old name (FAN_RENAME's OLD_DFID_NAME record). */
  get oldName(): string | undefined {
    return this.#name(c.FAN_EVENT_INFO_TYPE_OLD_DFID_NAME);
  }

  /** A rename's new name (FAN_RENAME's NEW_DFID_NAME record). */
  get newName(): string | undefined {
    return this.#name(c.FAN_EVENT_INFO_TYPE_NEW_DFID_NAME);
  }

  /** A rename's old path, where butter can resolve its directory. */
  get oldPath(): string | undefined {
    return this.#group.resolveRecord(this.#bytes, this.#at(c.FAN_EVENT_INFO_TYPE_OLD_DFID_NAME));
  }

  /** A rename's new path, where butter can resolve its directory. */
  get newPath(): string | undefined {
    return this.#group.resolveRecord(this.#bytes, this.#at(c.FAN_EVENT_INFO_TYPE_NEW_DFID_NAME));
  }

  /** The subject is a directory (FAN_ONDIR; the kernel sets it in FID groups' events only). */
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
    return this.answeredBy !== undefined;
  }

  /**
   * Who answered a permission event: the program (`allow()`, `deny()`, `respond()`), the
   * deadline, butter at once because the access was the program's own ("self"), or the
   * group's close; undefined while it waits (and for notification events).
   */
  get answeredBy(): AnsweredBy | undefined {
    if (this.#answeredBy === undefined && this.isPermission && !this.#group.waiting(this)) this.settled("deadline");
    return this.#answeredBy;
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
    if (this.answered) throw new Error(`this permission event was answered already (by ${this.#answeredBy})`);
    this.#group.answer(this, response, auditRule);
  }

  /** @internal marks it answered and lets go of its fd */
  settled(by: AnsweredBy): void {
    this.#answeredBy ??= by;
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
    return fd;
  }

  /** Hands the event's pidfd to the program (FAN_REPORT_PIDFD, with keepEventFds or for a permission event). */
  takePidfd(): number {
    if (typeof this.#pidfd === "number") throw new Error("this event holds no pidfd");
    const fd = this.#pidfd.take();
    this.#pidfd = -1;
    return fd;
  }

  /** Closes what the event holds (its fd and pidfd). A permission event must be answered first. */
  close(): void {
    if (this.isPermission && !this.answered) throw new Error("answer a permission event before closing it");
    if (typeof this.#fd !== "number") this.#fd.close();
    this.#fd = -1;
    if (typeof this.#pidfd !== "number") this.#pidfd.close();
    this.#pidfd = -1;
  }

  /** `close()`, for `using`. */
  [Symbol.dispose](): void {
    if (this.isPermission && !this.answered) return; // (the group's deadline answers it)
    this.close();
  }

  #at(type: number): number {
    return c.findRecord(this.#bytes, this.#start, this.#end, type);
  }

  #name(type: number): string | undefined {
    const off = this.#at(type);
    return off < 0 ? undefined : c.recordName(this.#bytes, off);
  }
}

/**
 * A fanotify group: marks, and events with paths. A thread of butter's (the drain) reads
 * the group as soon as the kernel has events, turns their fds into paths, and answers
 * permission events at their deadline even while the JS thread is busy; the object reads
 * from it. Blocking unless made with FAN_NONBLOCK; close-on-exec always. docs/fanotify.md.
 */
export class Fanotify extends EventSource<FanotifyEvent> {
  /** The read(2) this family's events come from. @internal */
  protected readonly readCall = c.FANOTIFY_READ;
  readonly #flags: number;
  readonly #blocking: boolean;
  readonly #drain: Drain;
  #paths = new FidPaths();
  #pending = new Set<FanotifyEvent>();
  #overflows = 0;
  #group: Group = {
    answer: (ev, response, rule) => this.#answer(ev, response, rule),
    waiting: (ev) => this.#waiting(ev),
    resolveRecord: (bytes, off) => this.#paths.resolve(bytes, off),
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
    const cap = drainBufferSize(o.bufferSize);
    const response = o.deadlineResponse === "deny" ? c.FAN_DENY : c.FAN_ALLOW;
    const f = v.int(flags, "flags", 0, 0x7fffffff) | c.FAN_CLOEXEC;
    let fd: number;
    try {
      // the drain reads: the group itself never blocks (a blocking object waits on the drain)
      fd = c.fanotifyInit(f | c.FAN_NONBLOCK, ef);
    } catch (e) {
      throw explained(e, c.FANOTIFY_INIT, () => explainEinval(f));
    }
    const drain = drainOpen(DRAIN_FANOTIFY, fd, cap, readSize(f), { deadlineMs: deadline, response, keep: o.keepEventFds === true });
    // the collector's release: the drain answers what waits and closes everything
    super(fd, () => drainClose(drain, true));
    this.#drain = drain;
    this.#flags = f;
    this.#blocking = (f & c.FAN_NONBLOCK) === 0;
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

  /** Permission events handed out and not answered yet. */
  get pending(): number {
    for (const ev of this.#pending) void ev.answeredBy; // (settles those the deadline answered)
    return this.#pending.size;
  }

  /** The group itself (JS reads first when it is free) and the drain's bell. @internal */
  protected override get readyFds(): readonly number[] {
    return [this.fd, this.#drain.bell];
  }

  #mark(op: number, path: string | Uint8Array, mask: number, flags: number): void {
    const fd = this.openFd("fanotify_mark");
    const f = v.int(flags, "flags", 0, 0x7fffffff);
    if ((f & (c.FAN_MARK_ADD | c.FAN_MARK_REMOVE | c.FAN_MARK_FLUSH)) !== 0) {
      throw new RangeError("flags must not hold FAN_MARK_ADD, FAN_MARK_REMOVE or FAN_MARK_FLUSH: the method says which");
    }
    try {
      c.fanotifyMark(fd, op | f, mask, AT_FDCWD, path);
    } catch (e) {
      if (e instanceof OSError && e.code === "ENODEV" && (this.#flags & (c.FAN_REPORT_FID | c.FAN_REPORT_DIR_FID)) !== 0) {
        throw errorFor(-e.errno, c.FANOTIFY_MARK, e.path, "a FID group marks only filesystems with an fsid and file handles; this one has none (tmpfs says so on older kernels, 5.10 among them)");
      }
      throw explained(e, c.FANOTIFY_MARK, () => explainEinval(this.#flags, f, v.int(mask, "mask", 0, Number.MAX_SAFE_INTEGER)));
    }
  }

  /** The events the drain holds, decoded (waiting for some when the group blocks). @internal */
  protected readBatch(fd: number): FanotifyEvent[] | null {
    const taken = drainRead(this.#drain, this.#blocking, c.FANOTIFY_READ, c.FANOTIFY_WAIT);
    const n = taken.length;
    if (n === 0) return null;
    // one copy per read, shared by its events (their records are decoded from it on demand:
    // an event kept alive keeps its read's copy alive)
    const bytes = taken.slice();
    return c.walkFanotifyEvents(bytes, n, (mask, efd, pid, start, end, by) => this.#make(bytes, mask, efd, pid, start, end, by), fd);
  }

  #make(bytes: Uint8Array, mask: number, efd: number, pid: number, start: number, end: number, by: number): FanotifyEvent {
    const perm = (mask & c.FAN_PERM_EVENTS) !== 0;
    let path: string | undefined | null = null; // null: from the handle records, when asked for
    let pathError: Error | undefined;
    const at = c.findRecord(bytes, start, end, c.BT_PATH);
    if (at >= 0) path = fsdecode(bytes, at + 4, pathEnd(bytes, at));
    else {
      const err = c.findRecord(bytes, start, end, c.BT_PATH_ERR);
      if (err >= 0) {
        pathError = errorFor(-new DataView(bytes.buffer, err + 4, 4).getInt32(0, true), c.FANOTIFY_PATH);
        path = undefined;
      }
    }
    let fd: EventFd | number = efd < 0 ? efd : -1;
    if (efd >= 0) fd = new EventFd(efd);
    else if ((mask & c.FAN_Q_OVERFLOW) !== 0) {
      this.#overflows++;
      path = undefined;
    }
    let pidfd: EventFd | number = -1;
    const rec = c.findRecord(bytes, start, end, c.FAN_EVENT_INFO_TYPE_PIDFD);
    if (rec >= 0) {
      const value = new DataView(bytes.buffer, rec + 4, 4).getInt32(0, true);
      if (value >= 0) pidfd = new EventFd(value);
    }
    const answeredBy = by === c.BY_DEADLINE ? "deadline" : by === c.BY_SELF ? "self" : undefined;
    const ev = new FanotifyEvent(mask, fd, pid, bytes, start, end, path, pathError, pidfd, this.#group, answeredBy);
    if (perm && answeredBy === undefined) this.#pending.add(ev);
    return ev;
  }

  #waiting(ev: FanotifyEvent): boolean {
    if (!this.#pending.has(ev)) return false;
    if (this.closed || drainPending(this.#drain, ev.fd)) return !this.closed;
    this.#pending.delete(ev);
    return false;
  }

  #answer(ev: FanotifyEvent, response: number, rule?: c.FanotifyResponse["auditRule"]): void {
    this.openFd("write");
    const mine = c.drainAnswer(this.#drain, { fd: ev.fd, response, auditRule: rule });
    this.#pending.delete(ev);
    ev.settled(mine ? "program" : "deadline");
  }

  /** The drain answers what waits (the deadline's answer) and stops; then the group closes. @internal */
  protected override beforeClose(fd: number): void {
    const waiting = [...this.#pending];
    this.#pending.clear();
    drainClose(this.#drain, false);
    for (const ev of waiting) ev.settled("close");
    super.beforeClose(fd);
  }
}

/**
 * How many bytes the drain asks for per read. A group that reports fds makes the kernel
 * open one per event it hands out (two with pidfds), and an event it cannot open an fd
 * for is lost: 2 KiB is at most 85 events of 24 bytes, so a read needs at most 170 free
 * fds, all closed before the next read. FID groups hand out no fds: 64 KiB.
 */
function readSize(flags: number): number {
  return (flags & (c.FAN_REPORT_FID | c.FAN_REPORT_DIR_FID)) === 0 ? 2048 : MAX_DRAIN_READ;
}


/** Where the path of the BT_PATH record at `at` ends: at its first NUL (padding), or at the record's end. */
function pathEnd(bytes: Uint8Array, at: number): number {
  const end = at + (bytes[at + 2]! | (bytes[at + 3]! << 8));
  let i = at + 4;
  while (i < end && bytes[i] !== 0) i++;
  return i;
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
