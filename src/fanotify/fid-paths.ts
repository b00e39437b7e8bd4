/**
 * Paths for events that carry file handles instead of fds (FID groups). A handle is
 * turned back into a path two ways: the handles of what the group marked, recorded at
 * mark time (works without privilege, and is exact for the marked directories), then
 * open_by_handle_at(2) on the filesystem of a marked path (needs CAP_DAC_READ_SEARCH;
 * finds any directory, also one under a mount or filesystem mark). Nothing is held open
 * between events.
 */
import { openSync, closeSync } from "node:fs";
import { fsencode } from "../core/fsname.ts";
import * as c from "./calls.ts";

const O_RDONLY = 0;
const O_PATH = 0o10000000;
const O_CLOEXEC = 0o2000000;

export class FidPaths {
  #known = new Map<string, string>();
  #roots = new Set<string>();

  /** Records the handle of a marked path (best effort: a filesystem without handles has none). */
  marked(path: string): void {
    this.#roots.add(path);
    try {
      this.#known.set(c.handleKey(c.nameToHandleAt(c.AT_FDCWD, path, c.AT_SYMLINK_FOLLOW).handle), path);
    } catch {
      // (EOPNOTSUPP and the like: such a filesystem gives FID groups no events either)
    }
  }

  /** The path a record names: its directory's path, joined with its name. */
  resolve(rec: c.FanotifyFidRecord | undefined): string | undefined {
    if (rec === undefined) return undefined;
    const base = this.#known.get(c.handleKey(rec.handle)) ?? this.#open(rec.handle);
    if (base === undefined) return undefined;
    if (rec.name === undefined || rec.name === ".") return base;
    return base === "/" ? `/${rec.name}` : `${base}/${rec.name}`;
  }

  #open(handle: c.FileHandle): string | undefined {
    for (const root of this.#roots) {
      let mount = -1;
      let fd = -1;
      try {
        mount = openSync(fsencode(root), O_RDONLY | O_CLOEXEC); // (an O_PATH fd is EBADF here)
        fd = c.openByHandleAt(mount, handle, O_PATH | O_CLOEXEC);
        const p = c.fdPath(fd);
        if (typeof p === "string") return p;
      } catch {
        // another filesystem's handle, no privilege, or the file is gone (ESTALE)
      } finally {
        if (fd >= 0) closeSync(fd);
        if (mount >= 0) closeSync(mount);
      }
    }
    return undefined;
  }
}
