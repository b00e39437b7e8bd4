/**
 * What the running kernel's fanotify accepts, asked of the kernel itself (a group made
 * with the flag, a mark set with it, a response it takes or refuses), once per thread.
 * Each feature carries the Linux version that brought it, for the error a program gets
 * when it asks for a feature this kernel lacks (see `explainEinval`).
 */
import { OSError, PermissionError } from "../core/errors.ts";
import { AT_FDCWD } from "../core/at.ts";
import { ERRNO } from "../core/errno.ts";
import { kernelRelease } from "../core/features.ts";
import { close } from "../core/io.ts";
import * as c from "./calls.ts";
import { nodeFs, nodeOs } from "../core/lazy-node.ts";

/** The fanotify features butter knows, by name. */
export type FanotifyFeature =
  | "notificationGroups"
  | "permissionEvents"
  | "fid"
  | "dfidName"
  | "targetFid"
  | "rename"
  | "pidfd"
  | "fsError"
  | "evictableMarks"
  | "ignoreMarks"
  | "auditRule"
  | "fdError"
  | "preContent"
  | "denyErrno"
  | "mountEvents";

/**
 * Per feature: true (the kernel accepted it), false (it refused it: EINVAL, or the class
 * the feature needs is missing), or undefined (this process may not ask: the probe needs
 * CAP_SYS_ADMIN). `kernel` is the release probed.
 */
export type FanotifyFeatures = { readonly [K in FanotifyFeature]: boolean | undefined } & {
  /** the kernel release probed */
  readonly kernel: string;
};

/**
 * The Linux version that brought each feature, for messages, and the stable releases it
 * was backported to, as measured on the test matrix (Debian's 5.10.223 takes every flag
 * of 5.15 to 6.0 here: fanotify_init and fanotify_mark accept them).
 */
export const FANOTIFY_FEATURE_SINCE: Readonly<Record<FanotifyFeature, string>> = Object.freeze({
  notificationGroups: "2.6.37",
  permissionEvents: "2.6.37 (CONFIG_FANOTIFY_ACCESS_PERMISSIONS)",
  fid: "5.1",
  dfidName: "5.9",
  targetFid: "5.17 (backported: 5.10.223)",
  rename: "5.17 (backported: 5.10.223)",
  pidfd: "5.15 (backported: 5.10.223)",
  fsError: "5.16 (backported: 5.10.223)",
  evictableMarks: "5.19 (backported: 5.10.223)",
  ignoreMarks: "6.0 (backported: 5.10.223)",
  auditRule: "6.3",
  fdError: "6.13 (backported: 6.12.5, 6.6.66)",
  preContent: "6.14",
  denyErrno: "6.14",
  mountEvents: "6.15",
});

// What each fanotify_init flag and mark bit needs, to name the feature in an EINVAL.
const INIT_NEEDS: readonly (readonly [number, FanotifyFeature])[] = [
  [c.FAN_REPORT_FID, "fid"],
  [c.FAN_REPORT_DIR_FID | c.FAN_REPORT_NAME, "dfidName"],
  [c.FAN_REPORT_TARGET_FID, "targetFid"],
  [c.FAN_REPORT_PIDFD, "pidfd"],
  [c.FAN_REPORT_FD_ERROR, "fdError"],
  [c.FAN_REPORT_MNT, "mountEvents"],
  [c.FAN_CLASS_PRE_CONTENT, "preContent"],
];
const MARK_NEEDS: readonly (readonly [number, FanotifyFeature])[] = [
  [c.FAN_MARK_EVICTABLE, "evictableMarks"],
  [c.FAN_MARK_IGNORE, "ignoreMarks"],
  [c.FAN_MARK_MNTNS, "mountEvents"],
];
const MASK_NEEDS: readonly (readonly [number, FanotifyFeature])[] = [
  [c.FAN_RENAME, "rename"],
  [c.FAN_FS_ERROR, "fsError"],
  [c.FAN_PRE_ACCESS, "preContent"],
  [c.FAN_MNT_ATTACH | c.FAN_MNT_DETACH, "mountEvents"],
  [c.FAN_OPEN_PERM | c.FAN_ACCESS_PERM | c.FAN_OPEN_EXEC_PERM, "permissionEvents"],
];

let cached: FanotifyFeatures | undefined;

type Probe = boolean | undefined;

/** Runs `fn`; true if it worked, false on EINVAL (or `refused`), undefined on EPERM. */
function attempt(fn: () => void, refused: readonly string[] = []): Probe {
  try {
    fn();
    return true;
  } catch (e) {
    if (e instanceof PermissionError) return undefined;
    if (e instanceof OSError && (e.code === "EINVAL" || refused.includes(e.code))) return false;
    throw e;
  }
}

/** A group made with `flags`, given to `fn`, closed after. */
function withGroup(flags: number, fn: (fd: number) => void): Probe {
  let fd = -1;
  const made = attempt(() => {
    fd = c.fanotifyInit(c.FAN_CLOEXEC | c.FAN_NONBLOCK | flags);
  });
  if (made !== true) return made;
  try {
    return attempt(() => fn(fd));
  } finally {
    close(fd);
  }
}

// A response the kernel takes is looked up next, and ENOENT says it took it: no event
// with fd 0 is waiting. EINVAL says it refused the response itself.
function responseTaken(flags: number, response: c.FanotifyResponse): Probe {
  return withGroup(flags, (fd) => {
    try {
      c.fanotifyWriteResponse(fd, response);
    } catch (e) {
      if (e instanceof OSError && e.code === "ENOENT") return;
      throw e;
    }
  });
}

/**
 * What this kernel's fanotify accepts, probed once (per JS thread) in a directory of its
 * own under the system's temporary directory. Privileged features are `undefined` for a
 * process without CAP_SYS_ADMIN.
 */
export function fanotifyFeatures(): FanotifyFeatures {
  cached ??= probeFanotifyFeatures();
  return cached;
}

/** The probe behind fanotifyFeatures(), made again on each call (for tests). @internal */
export function probeFanotifyFeatures(): FanotifyFeatures {
  const dir = nodeFs().mkdtempSync(`${nodeOs().tmpdir()}/butter-fanotify-`);
  const file = `${dir}/file`;
  nodeFs().writeFileSync(file, "");
  // The kernel checks a mark's flags and mask before the path: ENODEV (a filesystem without
  // an fsid, such as tmpfs on 5.10, for a FID group) and EOPNOTSUPP (one without
  // pre-content hooks) say it took them; the filesystem is another question.
  const mark = (flags: number, mask: number, path = dir) => (fd: number) => {
    try {
      c.fanotifyMark(fd, c.FAN_MARK_ADD | flags, mask, AT_FDCWD, path);
    } catch (e) {
      if (!(e instanceof OSError && (e.code === "ENODEV" || e.code === "EOPNOTSUPP"))) throw e;
    }
  };
  try {
    const fid = withGroup(c.FAN_REPORT_FID, () => {});
    // (tmpfs has no pre-content hooks; ext4, xfs and btrfs do)
    const preContent = withGroup(c.FAN_CLASS_PRE_CONTENT, mark(0, c.FAN_PRE_ACCESS));
    return Object.freeze({
      kernel: kernelRelease(),
      notificationGroups: withGroup(0, () => {}),
      permissionEvents: withGroup(c.FAN_CLASS_CONTENT, mark(0, c.FAN_OPEN_PERM)),
      fid,
      dfidName: withGroup(c.FAN_REPORT_DFID_NAME, () => {}),
      targetFid: withGroup(c.FAN_REPORT_DFID_NAME_TARGET, () => {}),
      rename: withGroup(c.FAN_REPORT_DFID_NAME, mark(0, c.FAN_RENAME)),
      pidfd: withGroup(c.FAN_REPORT_FID | c.FAN_REPORT_PIDFD, () => {}),
      fsError: withGroup(c.FAN_REPORT_FID, mark(c.FAN_MARK_FILESYSTEM, c.FAN_FS_ERROR)),
      evictableMarks: withGroup(c.FAN_REPORT_FID, mark(c.FAN_MARK_EVICTABLE, c.FAN_MODIFY, file)),
      ignoreMarks: withGroup(c.FAN_REPORT_FID, mark(c.FAN_MARK_IGNORE, c.FAN_MODIFY, file)),
      auditRule: responseTaken(c.FAN_CLASS_CONTENT | c.FAN_ENABLE_AUDIT, {
        fd: 0,
        response: c.FAN_ALLOW | c.FAN_AUDIT | c.FAN_INFO,
        auditRule: { ruleNumber: 1 },
      }),
      fdError: withGroup(c.FAN_REPORT_FD_ERROR, () => {}),
      preContent,
      // (a kernel without pre-content groups refuses the group: false, or undefined unprivileged)
      denyErrno: responseTaken(c.FAN_CLASS_PRE_CONTENT, { fd: 0, response: c.FAN_DENY_ERRNO(ERRNO.EIO!) }),
      mountEvents: withGroup(c.FAN_REPORT_MNT, mark(c.FAN_MARK_MNTNS, c.FAN_MNT_ATTACH, "/proc/self/ns/mnt")),
    });
  } finally {
    nodeFs().rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The detail for an EINVAL from fanotify_init or fanotify_mark: the first feature asked
 * for that this kernel refuses, with the version that brought it; undefined when every
 * feature asked for is there (the EINVAL is about the combination).
 */
export function explainEinval(init: number, markFlags = 0, mask = 0, features?: FanotifyFeatures): string | undefined {
  let f: FanotifyFeatures;
  try {
    f = features ?? fanotifyFeatures();
  } catch {
    return undefined; // (the probe itself failed: the plain EINVAL stands)
  }
  const hit = (bits: number, table: readonly (readonly [number, FanotifyFeature])[]) =>
    table.find(([b, name]) => (bits & b) === b && f[name] === false)?.[1];
  const name = hit(init, INIT_NEEDS) ?? hit(markFlags, MARK_NEEDS) ?? hit(mask, MASK_NEEDS);
  if (name === undefined) return undefined;
  return `${name} needs Linux ${FANOTIFY_FEATURE_SINCE[name]}; this kernel is ${f.kernel}`;
}
