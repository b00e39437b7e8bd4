/**
 * Disposable mounts: `using m = mountTmpfs(dir)`, `bindMount(src, dst)`,
 * `overlayMount(dir, { lower })`. Each unmounts when disposed, when the block throws, when
 * the collector finds it dropped, and when the JS thread that made it ends (a Worker: the
 * mount is detached then, bunffi/owned.c).
 *
 * A mount is known by its id, read from the calling thread's mountinfo right after the
 * mount: unmounting checks that the mount on top at the path is still this one, so a
 * disposable mount never unmounts somebody else's mount stacked on it, and one that was
 * unmounted behind its back says "gone" instead of failing. Mounts happen in the calling
 * thread's mount namespace (the thread rule: docs/mount.md).
 */
import { ERRNO } from "../core/errno.ts";
import { fsdecode } from "../core/fsname.ts";
import { OSError } from "../core/errors.ts";
import { disownMount, ownMount } from "../core/fd.ts";
import { AT_FDCWD, AT_RECURSIVE } from "../core/at.ts";
import * as v from "../core/validate.ts";
import * as c from "./calls.ts";
import { mountinfo, topMountAt } from "./mountinfo.ts";
import { nodeFs } from "../core/lazy-node.ts";

/**
 * What unmounting did: "unmounted"; "detached" (busy, and `lazy` said to detach it, or a
 * tree of mounts, such as a recursive bind, taken down in one step with MNT_DETACH);
 * "gone" (it was already unmounted by someone else).
 */
export type UnmountResult = "unmounted" | "detached" | "gone";

/** The report of a disposable mount's unmount. */
export interface UnmountReport {
  /** the path it was mounted on */
  readonly target: string;
  /** what happened */
  readonly result: UnmountResult;
}

/** Options every disposable mount takes. */
export interface DisposableMountOptions {
  /** when the mount is busy at unmount: detach it lazily (MNT_DETACH) instead of throwing EBUSY (default false) */
  lazy?: boolean;
}

// What the collector runs for a dropped mount: detach it if it is still the top one.
const dropped = new FinalizationRegistry<{ target: string; id: number; bytes: Uint8Array }>((held) => {
  try {
    if (topMountAt(held.target)?.id === held.id) c.umount2(held.target, c.MNT_DETACH);
  } catch {
    // nobody is left to tell
  }
  disownMount(held.bytes);
});

/**
 * A mount made by butter that is unmounted on `unmount()`, `using`, the collector or its
 * thread's end. `unmount()` is idempotent and returns what it did.
 */
export class Mount implements Disposable {
  /** the absolute, resolved path it is mounted on */
  readonly target: string;
  /** what was mounted: "tmpfs", "overlay", or a bind's source path */
  readonly source: string;
  /** "tmpfs", "overlay" or "bind" */
  readonly fstype: string;
  /** its mount id (mountinfo's first field, statmount's mntIdOld) */
  readonly id: number;
  #lazy: boolean;
  #bytes: Uint8Array;
  #report: UnmountReport | undefined;

  /** @internal made by mountTmpfs, bindMount, overlayMount */
  constructor(target: string, source: string, fstype: string, id: number, lazy: boolean) {
    this.target = target;
    this.source = source;
    this.fstype = fstype;
    this.id = id;
    this.#lazy = lazy;
    this.#bytes = v.cstring(target, "target");
    ownMount(this.#bytes);
    dropped.register(this, { target, id, bytes: this.#bytes }, this);
  }

  /** True until unmount() (or the mount was found gone). */
  get mounted(): boolean {
    return this.#report === undefined && mountinfo().some((m) => m.id === this.id && m.mountPoint === this.target);
  }

  /** What the unmount did, once it happened. */
  get report(): UnmountReport | undefined {
    return this.#report;
  }

  /**
   * Unmounts it, once: later calls return the first report.
   * @throws {@link OSError} EBUSY when the mount is in use (without `lazy`) or another mount was stacked on it (unmount that one first); the mount stays and a later call may try again. {@link PermissionError} EPERM.
   */
  unmount(): UnmountReport {
    if (this.#report !== undefined) return this.#report;
    const all = mountinfo();
    let result: UnmountResult;
    if (!all.some((m) => m.id === this.id)) result = "gone";
    else {
      let top: number | undefined;
      for (const m of all) if (m.mountPoint === this.target) top = m.id;
      if (top !== this.id)
        throw new OSError(ERRNO.EBUSY!, "umount2", this.target, "another mount is on top of this one; unmount it first");
      // a mount with mounts under it (a recursive bind) cannot be unmounted alone
      // (EBUSY): the tree is detached in one step, as what undoes the bind
      const tree = all.some((m) => m.parentId === this.id);
      try {
        c.umount2(this.target, tree ? c.MNT_DETACH : 0);
        result = tree ? "detached" : "unmounted";
      } catch (e) {
        if (!(this.#lazy && (e as OSError).errno === ERRNO.EBUSY)) throw e;
        c.umount2(this.target, c.MNT_DETACH);
        result = "detached";
      }
    }
    this.#report = Object.freeze({ target: this.target, result });
    dropped.unregister(this);
    disownMount(this.#bytes);
    return this.#report;
  }

  /** unmount(), for `using`. */
  [Symbol.dispose](): void {
    this.unmount();
  }
}

/** Resolves an existing directory (symbolic links followed), as mountinfo will show it. */
function resolved(dir: unknown, what: string): string {
  const bytes = v.cstring(dir, what); // the type and NUL checks, with butter's errors
  // as bytes, decoded losslessly: a name that is not UTF-8 stays itself (as in mountinfo)
  return fsdecode(nodeFs().realpathSync(Buffer.from(bytes.subarray(0, -1)), "buffer"));
}

/** Makes the mount, finds its id, and hands back the Mount; undoes the mount if anything after it fails. */
function made(target: string, source: string, fstype: string, lazy: boolean, after?: () => void): Mount {
  const top = topMountAt(target);
  if (top === undefined) throw new OSError(ERRNO.ENOENT!, "mount", target, "the new mount is not in this thread's mountinfo");
  try {
    after?.();
    return new Mount(target, source, fstype, top.id, lazy); // (its record of the mount can fail: ENOMEM)
  } catch (e) {
    c.umount2(target, c.MNT_DETACH);
    throw e;
  }
}

const dataValue = (s: string, what: string): string => {
  if (/[,\0]/.test(s)) throw new TypeError(`${what} must not contain a comma or a NUL byte`);
  return s;
};

/** Options for {@link mountTmpfs}. */
export interface TmpfsOptions extends DisposableMountOptions {
  /** the size limit: bytes, or tmpfs's own form ("64m", "10%") */
  size?: number | string;
  /** the root directory's mode (default the kernel's 1777) */
  mode?: number;
  /** the inode limit */
  nrInodes?: number;
  /** MS_* flags (default MS_NOSUID | MS_NODEV) */
  flags?: number;
}

/**
 * Mounts a new tmpfs on `dir` (an existing directory) and returns it as a disposable
 * {@link Mount}. Needs CAP_SYS_ADMIN in the mount namespace's user namespace.
 * @throws {@link PermissionError} EPERM; {@link OSError} with an errno mount(2) lists; Node's ENOENT when `dir` does not exist; TypeError/RangeError for bad options.
 */
export function mountTmpfs(dir: string | Uint8Array, opts: TmpfsOptions = {}): Mount {
  const o = v.options(opts);
  const target = resolved(dir, "dir");
  const data: string[] = [];
  if (o.size !== undefined) data.push(`size=${typeof o.size === "number" ? v.int(o.size, "size", 1, Number.MAX_SAFE_INTEGER) : dataValue(o.size, "size")}`);
  if (o.mode !== undefined) data.push(`mode=${v.int(o.mode, "mode", 0, 0o7777).toString(8)}`);
  if (o.nrInodes !== undefined) data.push(`nr_inodes=${v.int(o.nrInodes, "nrInodes", 1, Number.MAX_SAFE_INTEGER)}`);
  c.mount("tmpfs", target, "tmpfs", o.flags ?? c.MS_NOSUID | c.MS_NODEV, data.join(",") || null);
  return made(target, "tmpfs", "tmpfs", o.lazy ?? false);
}

/** Options for {@link bindMount}. */
export interface BindOptions extends DisposableMountOptions {
  /** read-only (default false); with `recursive`, every mount under it too */
  readonly?: boolean;
  /** the mounts under `src` too (MS_REC; default true) */
  recursive?: boolean;
}

/**
 * Bind-mounts `src` on `dst` (both existing) and returns it as a disposable {@link Mount}.
 * A read-only recursive bind uses mount_setattr (Linux 5.12); on older kernels each mount
 * of the tree is remounted read-only in turn.
 * @throws {@link PermissionError} EPERM; {@link OSError} with an errno mount(2) or mount_setattr lists; Node's ENOENT for a missing path.
 */
export function bindMount(src: string | Uint8Array, dst: string | Uint8Array, opts: BindOptions = {}): Mount {
  const o = v.options(opts);
  const from = resolved(src, "src");
  const target = resolved(dst, "dst");
  const recursive = o.recursive ?? true;
  c.mount(from, target, null, c.MS_BIND | (recursive ? c.MS_REC : 0));
  return made(target, from, "bind", o.lazy ?? false, o.readonly ? () => readOnly(target, recursive) : undefined);
}

/** Makes the bind at `target` read-only, and with `recursive` every mount under it. @internal (also the new root's binds) */
export function readOnly(target: string, recursive: boolean): void {
  if (recursive) {
    try {
      c.mountSetattr(AT_FDCWD, target, AT_RECURSIVE, { attrSet: c.MOUNT_ATTR_RDONLY });
      return;
    } catch (e) {
      if ((e as OSError).errno !== ERRNO.ENOSYS) throw e;
    }
  }
  const under = recursive ? mountinfo().filter((m) => m.mountPoint === target || m.mountPoint.startsWith(`${target === "/" ? "" : target}/`)) : [];
  const points = recursive ? [...new Set(under.map((m) => m.mountPoint))] : [target];
  for (const p of points) {
    // a remount keeps the flags it does not name: carry over the locked ones
    const opts = (topMountAt(p)?.options ?? "").split(",");
    const keep = (opts.includes("nosuid") ? c.MS_NOSUID : 0) | (opts.includes("nodev") ? c.MS_NODEV : 0) | (opts.includes("noexec") ? c.MS_NOEXEC : 0);
    c.mount(null, p, null, c.MS_REMOUNT | c.MS_BIND | c.MS_RDONLY | keep);
  }
}

/** Options for {@link overlayMount}. */
export interface OverlayOptions extends DisposableMountOptions {
  /** the lower layers, top first (at least one) */
  lower: readonly string[];
  /** the writable upper layer; without it the overlay is read-only (and overlayfs wants at least two lower layers) */
  upper?: string;
  /** overlayfs's work directory, empty, on the upper layer's filesystem (needed with `upper`) */
  work?: string;
  /** MS_* flags */
  flags?: number;
}

// overlayfs reads its option values with backslash escapes for ':' ',' and '\'
const layer = (p: string, what: string): string => resolved(p, what).replace(/[\\:,]/g, (ch) => `\\${ch}`);

/**
 * Mounts an overlay of `lower` (and `upper`/`work`) on `dir` and returns it as a
 * disposable {@link Mount}.
 * @throws {@link PermissionError} EPERM; {@link OSError} with an errno mount(2) lists (ENODEV: no overlayfs in this kernel; EINVAL: upper without work, or layers overlayfs refuses); TypeError for missing layers.
 */
export function overlayMount(dir: string | Uint8Array, opts: OverlayOptions): Mount {
  const o = v.options(opts);
  if (!Array.isArray(o.lower) || o.lower.length === 0) throw new TypeError("overlayMount needs at least one lower layer");
  if ((o.upper === undefined) !== (o.work === undefined)) throw new TypeError("overlayMount: upper and work go together");
  const target = resolved(dir, "dir");
  const data = [`lowerdir=${o.lower.map((l, i) => layer(l, `lower[${i}]`)).join(":")}`];
  if (o.upper !== undefined) data.push(`upperdir=${layer(o.upper, "upper")}`, `workdir=${layer(o.work!, "work")}`);
  c.mount("overlay", target, "overlay", o.flags ?? 0, data.join(","));
  return made(target, "overlay", "overlay", o.lazy ?? false);
}
