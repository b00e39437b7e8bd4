/**
 * The wd -> path registry of an Inotify, kept in step with the kernel's queue: a path is
 * resolved for each event in queue order, before that event changes the registry.
 *
 * - IN_IGNORED ends a watch (after the event itself got its path).
 * - IN_DELETE_SELF, IN_UNMOUNT and the one event of an IN_ONESHOT watch mark it as
 *   going away (its IN_IGNORED follows), as does `unwatch()`.
 * - A wd the kernel hands out again while the old watch's IN_IGNORED is still queued
 *   (Linux allocates wds cyclically, so only after 2^31 watches; older kernels sooner)
 *   is chained: events before that IN_IGNORED keep the old path, later ones the new.
 * - A paired rename (IN_MOVED_FROM then IN_MOVED_TO with one cookie) moves every watch
 *   at or under the old path to the new one. A watched object that moves where this
 *   instance cannot see keeps its old path: the kernel does not say where it went.
 */

interface Entry {
  path: string;
  /** `path` ending in "/", what an event's name is appended to (made once, not per event) */
  prefix: string;
  oneshot: boolean;
  removing: boolean;
  next?: Entry;
}

import { IN_DELETE_SELF, IN_IGNORED, IN_MOVED_FROM, IN_MOVED_TO, IN_UNMOUNT } from "./calls.ts";

export const joinName = (dir: string, name: string) => (name === "" ? dir : dirPrefix(dir) + name);
const dirPrefix = (dir: string) => (dir.endsWith("/") ? dir : `${dir}/`);
const entry = (path: string, oneshot: boolean): Entry => ({ path, prefix: dirPrefix(path), oneshot, removing: false });
function setPath(e: Entry, path: string): void {
  e.path = path;
  e.prefix = dirPrefix(path);
}

/**
 * The paths of the latest IN_MOVED_FROM events by cookie, for pairing with their
 * IN_MOVED_TO. The kernel queues both halves of one rename back to back, so a few are
 * slack enough; the oldest are forgotten beyond that.
 */
export class RecentMovesFrom {
  static readonly KEPT = 64;
  #paths = new Map<number, string>();

  remember(cookie: number, path: string): void {
    this.#paths.set(cookie, path);
    if (this.#paths.size > RecentMovesFrom.KEPT) this.#paths.delete(this.#paths.keys().next().value!);
  }

  /** The FROM path of `cookie`, forgotten as it is handed out; undefined if unknown. */
  take(cookie: number): string | undefined {
    const path = this.#paths.get(cookie);
    this.#paths.delete(cookie);
    return path;
  }
}

export class WatchRegistry {
  #watches = new Map<number, Entry>();
  #movedFrom = new RecentMovesFrom();

  /** Records what inotify_add_watch returned for `path`. */
  added(wd: number, path: string, oneshot: boolean): void {
    const e = this.#watches.get(wd);
    if (e === undefined) {
      this.#watches.set(wd, entry(path, oneshot));
      return;
    }
    const last = this.#last(e);
    if (last.removing) last.next = entry(path, oneshot);
    else {
      // the same inode watched again: the kernel kept its wd; the newest path wins
      setPath(last, path);
      last.oneshot = oneshot;
    }
  }

  /** Records a successful inotify_rm_watch: its IN_IGNORED is queued. */
  removed(wd: number): void {
    const e = this.#watches.get(wd);
    if (e) this.#last(e).removing = true;
  }

  /** The path for an event of `wd` about `name`, updating the registry for the event. */
  event(wd: number, mask: number, cookie: number, name: string): string {
    const e = this.#watches.get(wd);
    if (e === undefined) return name;
    const path = name === "" ? e.path : e.prefix + name;
    if (mask & IN_IGNORED) {
      if (e.next) this.#watches.set(wd, e.next);
      else this.#watches.delete(wd);
    } else if (e.oneshot || mask & (IN_DELETE_SELF | IN_UNMOUNT)) {
      e.removing = true;
    }
    if (mask & IN_MOVED_FROM) this.#movedFrom.remember(cookie, path);
    else if (mask & IN_MOVED_TO) {
      const from = this.#movedFrom.take(cookie);
      if (from !== undefined) this.#rename(from, path);
    }
    return path;
  }

  pathOf(wd: number): string | undefined {
    return this.#watches.get(wd)?.path;
  }

  /** wd -> path, a copy. */
  snapshot(): Map<number, string> {
    return new Map([...this.#watches].map(([wd, e]) => [wd, e.path]));
  }

  #last(e: Entry): Entry {
    while (e.next) e = e.next;
    return e;
  }

  #rename(from: string, to: string): void {
    const prefix = dirPrefix(from);
    for (const first of this.#watches.values()) {
      for (let e: Entry | undefined = first; e; e = e.next) {
        if (e.path === from) setPath(e, to);
        else if (e.path.startsWith(prefix)) setPath(e, joinName(to, e.path.slice(prefix.length)));
      }
    }
  }
}
