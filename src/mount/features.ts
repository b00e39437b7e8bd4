/**
 * Which parts of the mount API the running kernel has, asked of the kernel itself: each
 * call is made with arguments it must refuse, and ENOSYS (or EINVAL for a flag it does not
 * know) says it is missing. Cached per thread; the kernel does not change under a process.
 */
import { kernelRelease } from "../core/features.ts";
import { AT_FDCWD } from "../core/at.ts";
import * as c from "./calls.ts";
import { nodeFs } from "../core/lazy-node.ts";

/** The mount features butter knows, by name. */
export type MountFeature = "fdMountApi" | "mountSetattr" | "createExcl" | "moveMountBeneath" | "statmount" | "listmount" | "listmountReverse";

/** Per feature: true, false, or undefined (this process may not ask: the probe needs CAP_SYS_ADMIN). `kernel` is the release probed. */
export type MountFeatures = { readonly [K in MountFeature]: boolean | undefined } & {
  /** the kernel release probed */
  readonly kernel: string;
};

/**
 * The Linux version that brought each feature, and the stable releases it was found
 * backported to on the test matrix (Debian 13's 6.12.117 has LISTMOUNT_REVERSE).
 */
export const MOUNT_FEATURE_SINCE: Readonly<Record<MountFeature, string>> = Object.freeze({
  fdMountApi: "5.2",
  mountSetattr: "5.12",
  createExcl: "6.6",
  moveMountBeneath: "6.5",
  statmount: "6.8",
  listmount: "6.8",
  listmountReverse: "6.14 (backported: 6.12.117)",
});

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};
// a call the kernel lacks says ENOSYS; one that refuses the probe's arguments, anything else
const present = (fn: () => unknown): boolean => code(fn) !== "ENOSYS";
// a flag the kernel does not know is EINVAL before anything else is looked at
const knowsFlag = (fn: () => unknown): boolean => !["ENOSYS", "EINVAL"].includes(code(fn) ?? "");

let cached: MountFeatures | undefined;

/**
 * What this kernel's mount API offers (see {@link MOUNT_FEATURE_SINCE}). A program picks
 * its way by these (the fd-based API, or mount(2)), never by the version.
 */
export function mountFeatures(): MountFeatures {
  if (cached !== undefined) return cached;
  const fdMountApi = present(() => c.fsopen(""));
  const BAD_FD = 0x7ffffffe;
  let createExcl: boolean | undefined = false;
  if (fdMountApi) {
    try {
      const fd = c.fsopen("tmpfs");
      try {
        createExcl = code(() => c.fsconfig(fd, c.FSCONFIG_CMD_CREATE_EXCL)) === undefined;
      } finally {
        nodeFs().closeSync(fd);
      }
    } catch {
      createExcl = undefined; // fsopen needs CAP_SYS_ADMIN
    }
  }
  cached = Object.freeze({
    fdMountApi,
    mountSetattr: present(() => c.mountSetattr(AT_FDCWD, "", 0, {})),
    createExcl,
    moveMountBeneath: fdMountApi && knowsFlag(() => c.moveMount(BAD_FD, "", BAD_FD, "", c.MOVE_MOUNT_BENEATH | c.MOVE_MOUNT_F_EMPTY_PATH | c.MOVE_MOUNT_T_EMPTY_PATH)),
    statmount: present(() => c.statmount(0n)),
    listmount: present(() => c.listmount(0n)),
    listmountReverse: knowsFlag(() => c.listmount(0xffff_ffffn, { flags: c.LISTMOUNT_REVERSE })),
    kernel: kernelRelease(),
  });
  return cached;
}
