/**
 * Recursive watching: `InotifyTree` watches a directory and every directory under it,
 * adding watches as directories appear and dropping them as they go.
 *
 * - A new directory is watched first and listed after, so a file created in it before
 *   its watch existed is still reported: by an IN_CREATE that the tree makes up from
 *   the listing. A file created just as the watch is added can be reported twice
 *   (listed, and by the kernel); never zero times.
 * - A directory moved in is watched (with everything under it) and listed the same way:
 *   its IN_MOVED_TO comes first, then an IN_CREATE for each entry found in it (a file
 *   created in it right after the move, before its watch existed, is not missed).
 * - The tree's own listings are not reported: while a directory is being watched and
 *   listed, its watch (and its parent's) leaves out IN_OPEN, IN_ACCESS and
 *   IN_CLOSE_NOWRITE, which reading a directory makes; the full mask is set right after.
 *   So those three events of a directory are not seen for the moment it is listed.
 * - A directory moved out (its IN_MOVE_SELF comes without a paired IN_MOVED_TO inside
 *   the tree) is unwatched, with everything under it.
 * - When the root itself is deleted (or unmounted), the tree closes: `for await` ends
 *   after the root's IN_IGNORED. A subdirectory's IN_IGNORED is not reported.
 * - IN_Q_OVERFLOW is reported (and counted in `inotify.overflows`): after it, the tree
 *   may have missed directories; a program that must be exact rescans.
 */
import { InotifyAsync, InotifyEvent, type InotifyOptions } from "./inotify.ts";
import { joinName, RecentMovesFrom } from "./registry.ts";
import { drain, type WaitOptions } from "../core/queue.ts";
import { fsdecode, fsencode } from "../core/fsname.ts";
import { OSError } from "../core/errors.ts";
import { ERRNO } from "../core/errno.ts";
import {
  IN_ACCESS,
  IN_ALL_EVENTS,
  IN_CLOSE_NOWRITE,
  IN_CREATE,
  IN_DELETE_SELF,
  IN_IGNORED,
  IN_ISDIR,
  IN_MOVE_SELF,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_ONLYDIR,
  IN_OPEN,
  IN_Q_OVERFLOW,
  IN_UNMOUNT,
} from "./calls.ts";
import * as v from "../core/validate.ts";
import { nodeFs } from "../core/lazy-node.ts";

// What reading a directory makes: left out of a watch while the tree lists it.
const LISTING = IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE;
// What the tree needs to see, whatever the caller asked for.
const NEEDED = IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_MOVE_SELF | IN_DELETE_SELF;
// Reported whatever the mask: the kernel sends them unasked. (IN_IGNORED only for the
// root, which ends the tree: a subdirectory's is bookkeeping.)
const ALWAYS = IN_Q_OVERFLOW | IN_UNMOUNT;

/**
 * Watches a directory and every directory under it, as one async queue of
 * {@link InotifyEvent}s with full paths: new directories are watched (and listed, so
 * nothing created in them before their watch is missed), directories moved out are
 * unwatched. Deleting the root ends `for await`. docs/inotify.md, "Trees".
 */
export class InotifyTree implements AsyncIterable<InotifyEvent>, AsyncDisposable, Disposable {
  /** The InotifyAsync underneath (its `watches`, `overflows`, `fd`). */
  readonly inotify: InotifyAsync;
  /** The watched directory, as given. */
  readonly root: string;
  #mask: number;
  #rootWd: number;
  #made: InotifyEvent[] = [];
  #movedFrom = new RecentMovesFrom();
  #pairedTo = new Set<string>();
  #chain: Promise<unknown> = Promise.resolve();

  /**
   * @param root - the directory to watch, with everything under it
   * @param mask - the events to report (default IN_ALL_EVENTS)
   * @param options - the instance's: its drain, and the drain's bound
   */
  constructor(root: string | Uint8Array, mask: number = IN_ALL_EVENTS, options?: InotifyOptions) {
    this.root = typeof root === "string" ? root : fsdecode(root);
    this.#mask = v.int(mask, "mask", -0x80000000, 0xffffffff) >>> 0;
    this.inotify = new InotifyAsync(0, options);
    try {
      this.#rootWd = this.#scan(this.root, false, true)!;
    } catch (e) {
      this.inotify.close();
      throw e;
    }
  }

  /** The next event, waiting for it without blocking the JS thread. */
  get(opts?: WaitOptions): Promise<InotifyEvent> {
    const signal = v.waitOptions(opts).signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    // One at a time: the events a listing makes up must come before later kernel events.
    let aborted = false;
    const next = this.#chain.then(() => {
      if (aborted) throw signal!.reason; // aborted while waiting its turn: consume nothing
      return this.#next(opts);
    });
    this.#chain = next.catch(() => {});
    if (signal === undefined) return next;
    // An abort rejects at once, also while this get() waits behind another one.
    return new Promise<InotifyEvent>((resolve, reject) => {
      const onAbort = () => {
        aborted = true;
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      next.then(
        (ev) => {
          signal.removeEventListener("abort", onAbort);
          if (aborted) this.#made.unshift(ev); // taken just before the abort: first in line again
          else resolve(ev);
        },
        (err) => {
          signal.removeEventListener("abort", onAbort);
          reject(err);
        },
      );
    });
  }

  /** The next event if one is ready; throws QueueEmpty (or QueueClosed) otherwise. */
  getNowait(): InotifyEvent {
    for (;;) {
      const made = this.#made.shift();
      if (made) return made;
      const ev = this.#process(this.inotify.getNowait());
      if (ev) return ev;
    }
  }

  /** `get()` in a loop; ends when the tree is closed or its root is deleted. */
  [Symbol.asyncIterator](): AsyncGenerator<InotifyEvent, void, undefined> {
    return drain(() => this.get());
  }

  /** Closes the inotify fd (every watch goes with it). Idempotent. */
  close(): void {
    this.inotify.close();
  }

  /** `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `close()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  async #next(opts?: WaitOptions): Promise<InotifyEvent> {
    for (;;) {
      const made = this.#made.shift();
      if (made) return made;
      const ev = this.#process(await this.inotify.get(opts));
      if (ev) return ev;
    }
  }

  // Watches dir and everything under it, listing as it goes (see the module comment),
  // with LISTING left out of the watches it touches (dir's parent's too) until it is done.
  // Returns dir's wd, or undefined when the directory is already gone.
  #scan(dir: string, report: boolean, isRoot = false): number | undefined {
    const full = this.#mask | NEEDED | IN_ONLYDIR;
    const quiet = full & ~LISTING;
    const touched: string[] = [];
    const parent = isRoot || (full & LISTING) === 0 ? undefined : dir.slice(0, dir.lastIndexOf("/")) || "/";
    if (parent !== undefined && this.#isWatched(parent)) {
      this.#rewatch(parent, quiet);
      touched.push(parent);
    }
    try {
      return this.#add(dir, report, isRoot, quiet, touched);
    } finally {
      if (full !== quiet) for (const p of touched) this.#rewatch(p, full);
    }
  }

  // Sets the mask of a directory already watched; gone meanwhile: its events say so.
  #rewatch(dir: string, mask: number): void {
    try {
      this.inotify.watch(dir, mask);
    } catch (e) {
      if (!(e instanceof OSError && (e.code === "ENOENT" || e.code === "ENOTDIR"))) throw e;
    }
  }

  #add(dir: string, report: boolean, isRoot: boolean, mask: number, touched: string[]): number | undefined {
    let wd: number;
    try {
      wd = this.inotify.watch(dir, mask);
    } catch (e) {
      if (!isRoot && e instanceof OSError && (e.code === "ENOENT" || e.code === "ENOTDIR")) return undefined;
      throw e;
    }
    touched.push(dir);
    const bytes = fsencode(dir);
    let names: Buffer[];
    try {
      // (Bun 1.4 returns plain Buffers without Dirent methods for withFileTypes together
      // with encoding "buffer", so each entry is lstat-ed.)
      names = nodeFs().readdirSync(bytes, { encoding: "buffer" });
    } catch {
      return wd; // removed meanwhile: its IN_DELETE_SELF / IN_IGNORED follow
    }
    for (const n of names) {
      const name = fsdecode(n);
      const path = joinName(dir, name);
      const isDir = isDirectory(Buffer.concat([bytes, Buffer.from("/"), n]), path);
      if (report && this.#mask & IN_CREATE) this.#made.push(new InotifyEvent(wd, IN_CREATE | (isDir ? IN_ISDIR : 0), 0, name, path));
      if (isDir) this.#add(path, report, false, mask, touched);
    }
    return wd;
  }

  // Keeps the watches in step with one kernel event; returns it if the caller wants it.
  #process(ev: InotifyEvent): InotifyEvent | undefined {
    const m = ev.mask;
    if (m & IN_ISDIR) {
      if (m & IN_CREATE) this.#scan(ev.path, true);
      else if (m & IN_MOVED_FROM) this.#movedFrom.remember(ev.cookie, ev.path);
      else if (m & IN_MOVED_TO) {
        const within = this.#movedFrom.take(ev.cookie) !== undefined;
        if (within && this.#isWatched(ev.path)) this.#pairedTo.add(ev.path); // its watches were renamed
        // moved in, or moved within but never watched (it was renamed before its
        // IN_CREATE was read, so watching the old name failed): watch it and list it
        else this.#scan(ev.path, true);
      }
    }
    if (m & IN_MOVE_SELF && ev.wd !== this.#rootWd) {
      if (!this.#pairedTo.delete(ev.path)) this.#drop(ev.path);
    }
    if (m & IN_IGNORED) {
      if (ev.wd !== this.#rootWd) return undefined;
      this.inotify.close(); // the rest of the queue is already read
      return ev;
    }
    return (m & (this.#mask | ALWAYS)) !== 0 ? ev : undefined;
  }

  #isWatched(path: string): boolean {
    for (const p of this.inotify.watches.values()) if (p === path) return true;
    return false;
  }

  // Unwatches a directory that left the tree, and everything under it.
  #drop(path: string): void {
    const prefix = `${path}/`;
    for (const [wd, p] of this.inotify.watches) {
      if (p !== path && !p.startsWith(prefix)) continue;
      try {
        this.inotify.unwatch(wd);
      } catch {
        // already gone (deleted meanwhile): its IN_IGNORED is queued
      }
    }
  }
}

// lstat's answer, as butter's errors: a path over PATH_MAX (a very deep tree) is an
// OSError ENAMETOOLONG naming it, like every other failure of a butter call.
function isDirectory(bytes: Buffer, path: string): boolean {
  try {
    return nodeFs().lstatSync(bytes, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "EIO";
    throw new OSError(ERRNO[code] ?? ERRNO.EIO!, "lstat", path);
  }
}
