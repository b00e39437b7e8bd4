/**
 * /proc/thread-self/mountinfo, parsed: the mounts the CALLING THREAD sees (its mount
 * namespace, from its root). Works on every kernel, unlike statmount (6.8), and is how
 * disposable mounts know that the mount at a path is still theirs.
 */
import { fsdecode } from "../core/fsname.ts";
import { readProcFile } from "../core/proc.ts";

/** One line of mountinfo (proc(5)). */
export interface MountInfo {
  /** the mount's id (reused after unmount; statmount's `mntIdOld`) */
  readonly id: number;
  /** the id of the mount it is mounted on */
  readonly parentId: number;
  /** "major:minor" of the filesystem's device */
  readonly dev: string;
  /** the root of the mount within its filesystem */
  readonly root: string;
  /** where it is mounted, relative to the thread's root */
  readonly mountPoint: string;
  /** per-mount options ("rw,nosuid,relatime") */
  readonly options: string;
  /** propagation fields: "shared:N", "master:N", "propagate_from:N", "unbindable" */
  readonly propagation: readonly string[];
  /** the filesystem type ("tmpfs", "ext4", "overlay") */
  readonly fstype: string;
  /** the filesystem's source ("/dev/vda", "tmpfs", "none") */
  readonly source: string;
  /** per-superblock options */
  readonly superOptions: string;
}

// mountinfo escapes space, tab, newline and backslash as \ooo; names are bytes
function unescape(field: string): string {
  const raw = Buffer.from(field, "latin1"); // the file was read as latin1: one char per byte
  if (!field.includes("\\")) return fsdecode(raw);
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const oct = field.slice(i + 1, i + 4);
    if (raw[i] === 0x5c && /^[0-7]{3}$/.test(oct)) {
      bytes.push(Number.parseInt(oct, 8));
      i += 3;
    } else bytes.push(raw[i]!);
  }
  return fsdecode(Uint8Array.from(bytes));
}

/** Parses mountinfo text (proc(5)'s format). @internal */
export function parseMountinfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const f = line.split(" ");
    const dash = f.indexOf("-", 6);
    out.push(
      Object.freeze({
        id: Number(f[0]),
        parentId: Number(f[1]),
        dev: f[2]!,
        root: unescape(f[3]!),
        mountPoint: unescape(f[4]!),
        options: f[5]!,
        propagation: Object.freeze(f.slice(6, dash)),
        fstype: unescape(f[dash + 1]!),
        source: unescape(f[dash + 2]!),
        superOptions: f[dash + 3] ?? "",
      }),
    );
  }
  return out;
}

/**
 * The mounts the calling thread sees, in the kernel's order (a mount comes after the one
 * it is mounted on: the last entry for a mount point is the one on top).
 * @throws Node's system error when /proc is not mounted.
 */
export function mountinfo(): MountInfo[] {
  // latin1 keeps every byte; unescape() turns each field back into a lossless name
  return parseMountinfo(readProcFile("/proc/thread-self/mountinfo").toString("latin1"));
}

/** The mount on top at `mountPoint` (an absolute path as mountinfo shows it), if any. */
export function topMountAt(mountPoint: string): MountInfo | undefined {
  let top: MountInfo | undefined;
  for (const m of mountinfo()) if (m.mountPoint === mountPoint) top = m;
  return top;
}
