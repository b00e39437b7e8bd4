/**
 * `Inotify` (event-like) and `InotifyAsync` (queue): an inotify fd, its watches, and a
 * registry wd -> path so that every event carries the full path it is about.
 */
import { EventSource } from "../core/events.ts";
import { drainBufferSize, drainClose, drainOpen, drainRead, DRAIN_INOTIFY, MAX_DRAIN_READ, type Drain } from "../core/drain.ts";
import { Queued } from "../core/queue.ts";
import { WatchRegistry } from "./registry.ts";
import { fsdecode, fsencode } from "../core/fsname.ts";
import {
  decodeInotifyEvents,
  flagNames,
  inotifyAddWatch,
  inotifyInit1,
  inotifyRmWatch,
  readInotify,
  INOTIFY_READ,
  INOTIFY_WAIT,
  IN_ALL_EVENTS,
  IN_CLOEXEC,
  IN_ISDIR,
  IN_NONBLOCK,
  IN_ONESHOT,
} from "./calls.ts";
import * as v from "../core/validate.ts";

/** One decoded inotify event. */
export class InotifyEvent {
  constructor(
    /** the watch descriptor (-1 for IN_Q_OVERFLOW) */
    readonly wd: number,
    /** the event bits (IN_*), unsigned */
    readonly mask: number,
    /** joins the IN_MOVED_FROM and IN_MOVED_TO of one rename; 0 otherwise */
    readonly cookie: number,
    /** the name inside the watched directory, "" for the watched object itself */
    readonly name: string,
    /** the watch's path joined with `name` ("" for IN_Q_OVERFLOW) */
    readonly path: string,
  ) {}

  /** The event is about a directory (IN_ISDIR). */
  get isDir(): boolean {
    return (this.mask & IN_ISDIR) !== 0;
  }

  /** The names of the mask's bits, e.g. ["IN_CREATE", "IN_ISDIR"]. */
  get flags(): string[] {
    return flagNames(this.mask);
  }

  /** `name` as the bytes the kernel gave (for node:fs when the name is not UTF-8). */
  get nameBytes(): Buffer {
    return fsencode(this.name);
  }

  /** `path` as bytes (for node:fs when a name in it is not UTF-8). */
  get pathBytes(): Buffer {
    return fsencode(this.path);
  }
}

/** Options of an {@link Inotify} (and of InotifyAsync and InotifyTree). */
export interface InotifyOptions {
  /** a thread of butter's reads the kernel's queue while the JS thread is busy, so that a
   *  burst does not overflow it (default true); false: JS reads the fd itself, no thread */
  drain?: boolean;
  /** bytes of events the drain holds for the program before it stops reading and the
   *  kernel's queue fills (and then overflows, into an IN_Q_OVERFLOW event); default 4 MiB */
  bufferSize?: number;
}

/**
 * An inotify instance with a registry of its watches, so that every event carries its
 * full path. A thread of butter's (the drain) reads the kernel's queue as soon as it has
 * events, so that none is lost while the JS thread is busy; the object reads from it.
 * Blocking unless made with IN_NONBLOCK; close-on-exec always. docs/inotify.md.
 */
export class Inotify extends EventSource<InotifyEvent> {
  /** The read(2) this family's events come from. @internal */
  protected readonly readCall = INOTIFY_READ;
  #registry = new WatchRegistry();
  #overflows = 0;
  readonly #drain: Drain | undefined;
  readonly #blocking: boolean;

  /**
   * @param flags - IN_NONBLOCK, or 0; IN_CLOEXEC is always added
   * @throws {@link OSError} from inotify_init1 (EMFILE: the per-user instance limit), or
   * from the drain's start (its memory, eventfds or thread; `options.drain` false has none)
   */
  constructor(flags: number = 0, options?: InotifyOptions) {
    const f = v.flags(flags, "flags", IN_NONBLOCK | IN_CLOEXEC) | IN_CLOEXEC;
    const o = v.options(options);
    const drained = v.boolean(o.drain, "drain", true);
    const cap = drained ? drainBufferSize(o.bufferSize) : 0;
    // the drain reads: the instance itself never blocks (a blocking object waits on the drain)
    const fd = inotifyInit1(drained ? f | IN_NONBLOCK : f);
    const drain = drained ? drainOpen(DRAIN_INOTIFY, fd, cap, MAX_DRAIN_READ) : undefined;
    // with a drain, the collector's release stops it and closes the fd
    super(fd, drain && (() => drainClose(drain, true)));
    this.#drain = drain;
    this.#blocking = (f & IN_NONBLOCK) === 0;
  }

  /**
   * Watches `path` for the events in `mask` (default IN_ALL_EVENTS; the watch options
   * IN_ONLYDIR, IN_DONT_FOLLOW, IN_EXCL_UNLINK, IN_MASK_ADD, IN_MASK_CREATE, IN_ONESHOT
   * may be or-ed in). Returns the wd. Watching an inode that is already watched
   * returns its wd, and its events then carry the newest path.
   */
  watch(path: string | Uint8Array, mask: number = IN_ALL_EVENTS): number {
    const m = v.int(mask, "mask", -0x80000000, 0xffffffff) >>> 0;
    const wd = inotifyAddWatch(this.openFd("inotify_add_watch"), path, m);
    this.#registry.added(wd, typeof path === "string" ? path : fsdecode(path), (m & IN_ONESHOT) !== 0);
    return wd;
  }

  /**
   * Removes a watch. Its IN_IGNORED event still arrives (and carries the path). Throws
   * OSError EINVAL when the kernel already removed it (its object was deleted, say).
   */
  unwatch(wd: number): void {
    const w = v.int(wd, "wd", 0, 0x7fffffff);
    inotifyRmWatch(this.openFd("inotify_rm_watch"), w);
    this.#registry.removed(w);
  }

  /** The path the events of `wd` are reported under, or undefined when not watched. */
  pathOf(wd: number): string | undefined {
    return this.#registry.pathOf(v.int(wd, "wd", -1, 0x7fffffff));
  }

  /** The current watches, wd to path (a copy). */
  get watches(): Map<number, string> {
    return this.#registry.snapshot();
  }

  /** How many IN_Q_OVERFLOW events were read: each means the kernel dropped events. */
  get overflows(): number {
    return this.#overflows;
  }

  /** The instance itself (JS reads first when it is free) and the drain's bell. @internal */
  protected override get readyFds(): readonly number[] {
    return this.#drain ? [this.fd, this.#drain.bell] : [this.fd];
  }

  /** The events the drain holds (waiting for some when blocking), or one read(2), decoded. @internal */
  protected readBatch(fd: number): InotifyEvent[] | null {
    const d = this.#drain;
    if (d === undefined) return readInotify(fd, this.#make);
    const taken = drainRead(d, this.#blocking, INOTIFY_READ, INOTIFY_WAIT);
    return taken.length === 0 ? null : decodeInotifyEvents(taken, taken.length, this.#make, fd);
  }

  /** The drain stops (what it holds is dropped with the object); then the fd closes. @internal */
  protected override beforeClose(fd: number): void {
    if (this.#drain) drainClose(this.#drain, false);
    super.beforeClose(fd);
  }

  #make = (wd: number, mask: number, cookie: number, name: string): InotifyEvent => {
    if (wd < 0) {
      this.#overflows++; // wd -1 is only ever IN_Q_OVERFLOW
      return new InotifyEvent(wd, mask, cookie, name, "");
    }
    return new InotifyEvent(wd, mask, cookie, name, this.#registry.event(wd, mask, cookie, name));
  };
}

/** An Inotify with a non-blocking fd and an async queue: `for await (const ev of ino)`. */
export class InotifyAsync extends Queued<InotifyEvent, typeof Inotify>(Inotify) {
  constructor(flags: number = 0, options?: InotifyOptions) {
    super(v.flags(flags, "flags", IN_NONBLOCK | IN_CLOEXEC) | IN_NONBLOCK, options);
  }
}
