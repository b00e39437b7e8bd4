/**
 * `Inotify` (event-like) and `InotifyAsync` (queue): an inotify fd, its watches, and a
 * registry wd -> path so that every event carries the full path it is about.
 */
import { EventSource } from "./events.ts";
import { Queued } from "./queue.ts";
import { fsdecode, fsencode } from "./fsname.ts";
import {
  flagNames,
  inotifyAddWatch,
  inotifyInit1,
  inotifyRmWatch,
  readInotify,
  INOTIFY_READ,
  IN_ALL_EVENTS,
  IN_CLOEXEC,
  IN_DELETE_SELF,
  IN_IGNORED,
  IN_ISDIR,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_NONBLOCK,
  IN_ONESHOT,
  IN_Q_OVERFLOW,
  IN_UNMOUNT,
} from "./sys/inotify.ts";
import * as v from "./validate.ts";

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

interface Entry {
  path: string;
  oneshot: boolean;
  /** an IN_IGNORED for this wd is (or will be) queued: the watch is going away */
  removing: boolean;
  /** a later watch that got the same wd before that IN_IGNORED was read */
  next?: Entry;
}

const join = (dir: string, name: string) => (name === "" ? dir : dir.endsWith("/") ? dir + name : `${dir}/${name}`);

// How many IN_MOVED_FROM paths are kept for pairing with their IN_MOVED_TO (the kernel
// queues the two halves of one rename back to back; this is slack, not a window).
const MOVES_KEPT = 64;

export class Inotify extends EventSource<InotifyEvent> {
  protected readonly readCall = INOTIFY_READ;
  #watches = new Map<number, Entry>();
  #movedFrom = new Map<number, string>();
  #overflows = 0;

  /** @param flags IN_NONBLOCK, or 0; IN_CLOEXEC is always added */
  constructor(flags: number = 0) {
    super(inotifyInit1(v.flags(flags, "flags", IN_NONBLOCK | IN_CLOEXEC) | IN_CLOEXEC));
  }

  /**
   * Watches `path` for the events in `mask` (default IN_ALL_EVENTS; the watch options
   * IN_ONLYDIR, IN_DONT_FOLLOW, IN_EXCL_UNLINK, IN_MASK_ADD, IN_MASK_CREATE, IN_ONESHOT
   * may be or-ed in). Returns the wd. Watching an inode that is already watched
   * returns its wd, and its events then carry the newest path.
   */
  watch(path: string | Uint8Array, mask: number = IN_ALL_EVENTS): number {
    const wd = inotifyAddWatch(this.openFd("inotify_add_watch"), path, mask);
    const p = typeof path === "string" ? path : fsdecode(path);
    const oneshot = ((mask >>> 0) & IN_ONESHOT) !== 0;
    const e = this.#watches.get(wd);
    if (e === undefined) this.#watches.set(wd, { path: p, oneshot, removing: false });
    else {
      let last = e;
      while (last.next) last = last.next;
      if (last.removing) last.next = { path: p, oneshot, removing: false };
      else {
        last.path = p;
        last.oneshot = oneshot;
      }
    }
    return wd;
  }

  /**
   * Removes a watch. Its IN_IGNORED event still arrives (and carries the path). Throws
   * OSError EINVAL when the kernel already removed it (its object was deleted, say).
   */
  unwatch(wd: number): void {
    inotifyRmWatch(this.openFd("inotify_rm_watch"), wd);
    const e = this.#last(wd);
    if (e) e.removing = true;
  }

  /** The path the events of `wd` are reported under, or undefined when not watched. */
  pathOf(wd: number): string | undefined {
    return this.#watches.get(wd)?.path;
  }

  /** The current watches, wd -> path (a copy). */
  get watches(): Map<number, string> {
    return new Map([...this.#watches].map(([wd, e]) => [wd, e.path]));
  }

  /** How many IN_Q_OVERFLOW events were read: each means the kernel dropped events. */
  get overflows(): number {
    return this.#overflows;
  }

  protected readBatch(fd: number): InotifyEvent[] | null {
    return readInotify(fd, this.#make);
  }

  #last(wd: number): Entry | undefined {
    let e = this.#watches.get(wd);
    while (e?.next) e = e.next;
    return e;
  }

  // Builds an event and keeps the registry in step with what the kernel reports, in
  // queue order: a path is resolved before the event that changes it takes effect.
  #make = (wd: number, mask: number, cookie: number, name: string): InotifyEvent => {
    if (wd < 0) {
      if (mask & IN_Q_OVERFLOW) this.#overflows++;
      return new InotifyEvent(wd, mask, cookie, name, "");
    }
    const e = this.#watches.get(wd);
    const path = e ? join(e.path, name) : name;
    const ev = new InotifyEvent(wd, mask, cookie, name, path);
    if (e === undefined) return ev;
    if (mask & IN_IGNORED) {
      if (e.next) this.#watches.set(wd, e.next);
      else this.#watches.delete(wd);
    } else if (e.oneshot || mask & (IN_DELETE_SELF | IN_UNMOUNT)) {
      e.removing = true; // an IN_IGNORED follows
    }
    if (mask & IN_MOVED_FROM) {
      this.#movedFrom.set(cookie, path);
      if (this.#movedFrom.size > MOVES_KEPT) this.#movedFrom.delete(this.#movedFrom.keys().next().value!);
    } else if (mask & IN_MOVED_TO) {
      const from = this.#movedFrom.get(cookie);
      if (from !== undefined) {
        this.#movedFrom.delete(cookie);
        this.#rename(from, path);
      }
    }
    return ev;
  };

  // A watched object (or one under a watched directory) moved between watched
  // directories: its watches now report under the new path.
  #rename(from: string, to: string): void {
    const prefix = from.endsWith("/") ? from : `${from}/`;
    for (let e of this.#watches.values()) {
      for (; e; e = e.next!) {
        if (e.path === from) e.path = to;
        else if (e.path.startsWith(prefix)) e.path = join(to, e.path.slice(prefix.length));
      }
    }
  }
}

/** An Inotify with a non-blocking fd and an async queue: `for await (const ev of ino)`. */
export class InotifyAsync extends Queued<InotifyEvent, typeof Inotify>(Inotify) {
  constructor(flags: number = 0) {
    super(v.flags(flags, "flags", IN_NONBLOCK | IN_CLOEXEC) | IN_NONBLOCK);
  }
}
