/**
 * Paths for events that carry file handles instead of fds (FID groups). A handle is
 * turned back into a path two ways: the handles of what the group marked, recorded at
 * mark time (works without privilege, and is exact for the marked directories), then
 * open_by_handle_at(2) on the filesystem of a marked path (needs CAP_DAC_READ_SEARCH;
 * finds any directory, also one under a mount or filesystem mark). Nothing is held open
 * between events.
 */
import { fsencode } from "../core/fsname.ts";
import { AT_FDCWD, AT_SYMLINK_FOLLOW } from "../core/at.ts";
import { O_CLOEXEC, O_PATH, O_RDONLY } from "../core/open-flags.ts";
import * as c from "./calls.ts";
import { nodeFs } from "../core/lazy-node.ts";

export class FidPaths {
  #known = new Map<string, string>();
  #roots = new Set<string>();

  /** Records the handle of a marked path (best effort: a filesystem without handles has none). */
  marked(path: string): void {
    this.#roots.add(path);
    try {
      this.#known.set(c.handleKey(c.nameToHandleAt(AT_FDCWD, path, AT_SYMLINK_FOLLOW).handle), path);
    } catch {
      // (EOPNOTSUPP and the like: such a filesystem gives FID groups no events either)
    }
  }

  /** The path the file handle record at `off` of `bytes` names: its directory's path, joined with its name. */
  resolve(bytes: Uint8Array, off: number): string | undefined {
    if (off < 0) return undefined;
    const base = this.#same(bytes, off) ? this.#lastBase : this.#look(bytes, off);
    if (base === undefined) return undefined;
    const type = bytes[off]!;
    const named = type === c.FAN_EVENT_INFO_TYPE_DFID_NAME || type === c.FAN_EVENT_INFO_TYPE_OLD_DFID_NAME || type === c.FAN_EVENT_INFO_TYPE_NEW_DFID_NAME;
    const name = named ? c.recordName(bytes, off) : ".";
    if (name === ".") return base;
    return base === "/" ? `/${name}` : `${base}/${name}`;
  }

  // The last marked directory's handle looked up, and its path: the events of a burst are mostly about one
  // directory, and comparing its bytes is cheaper than making a key.
  #lastHandle = new Uint8Array(0);
  #lastBase: string | undefined;

  #same(bytes: Uint8Array, off: number): boolean {
    const h = this.#lastHandle;
    const n = 8 + (bytes[off + 12]! | (bytes[off + 13]! << 8)); // handle_bytes, handle_type, f_handle
    if (h.length !== n) return false;
    for (let i = 0; i < n; i++) if (h[i] !== bytes[off + 12 + i]) return false;
    return true;
  }

  #look(bytes: Uint8Array, off: number): string | undefined {
    const known = this.#known.get(c.recordHandleKey(bytes, off));
    if (known === undefined) return this.#open(bytes, off); // (asked of the kernel each time: it may have moved)
    this.#lastHandle = bytes.slice(off + 12, off + 20 + (bytes[off + 12]! | (bytes[off + 13]! << 8)));
    this.#lastBase = known;
    return known;
  }

  #open(bytes: Uint8Array, off: number): string | undefined {
    const [rec] = c.decodeRecords(bytes, off, off + (bytes[off + 2]! | (bytes[off + 3]! << 8)));
    const handle = (rec as c.FanotifyFidRecord).handle;
    for (const root of this.#roots) {
      let mount = -1;
      let fd = -1;
      try {
        mount = nodeFs().openSync(fsencode(root), O_RDONLY | O_CLOEXEC); // (an O_PATH fd is EBADF here)
        fd = c.openByHandleAt(mount, handle, O_PATH | O_CLOEXEC);
        const p = c.fdPath(fd);
        if (typeof p === "string") return p;
      } catch {
        // another filesystem's handle, no privilege, or the file is gone (ESTALE)
      } finally {
        if (fd >= 0) nodeFs().closeSync(fd);
        if (mount >= 0) nodeFs().closeSync(mount);
      }
    }
    return undefined;
  }
}
