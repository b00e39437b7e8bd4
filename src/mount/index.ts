/** butter/mount: mount, umount, pivot_root, the fd-based mount API. One family's entry point (why: src/index.ts). */
export {
  MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_SYNCHRONOUS, MS_REMOUNT, MS_MANDLOCK, MS_DIRSYNC, MS_NOSYMFOLLOW,
  MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_MOVE, MS_REC, MS_SILENT, MS_POSIXACL, MS_UNBINDABLE, MS_PRIVATE, MS_SLAVE,
  MS_SHARED, MS_RELATIME, MS_I_VERSION, MS_STRICTATIME, MS_LAZYTIME, MS_MGC_VAL, MS_PROPAGATION,
  MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW,
  FSOPEN_CLOEXEC, FSPICK_CLOEXEC, FSPICK_SYMLINK_NOFOLLOW, FSPICK_NO_AUTOMOUNT, FSPICK_EMPTY_PATH,
  FSCONFIG_SET_FLAG, FSCONFIG_SET_STRING, FSCONFIG_SET_BINARY, FSCONFIG_SET_PATH, FSCONFIG_SET_PATH_EMPTY, FSCONFIG_SET_FD,
  FSCONFIG_CMD_CREATE, FSCONFIG_CMD_RECONFIGURE, FSCONFIG_CMD_CREATE_EXCL, FSMOUNT_CLOEXEC,
  MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC, MOUNT_ATTR__ATIME, MOUNT_ATTR_RELATIME,
  MOUNT_ATTR_NOATIME, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR_NODIRATIME, MOUNT_ATTR_IDMAP, MOUNT_ATTR_NOSYMFOLLOW,
  MOVE_MOUNT_F_SYMLINKS, MOVE_MOUNT_F_AUTOMOUNTS, MOVE_MOUNT_F_EMPTY_PATH, MOVE_MOUNT_T_SYMLINKS, MOVE_MOUNT_T_AUTOMOUNTS,
  MOVE_MOUNT_T_EMPTY_PATH, MOVE_MOUNT_SET_GROUP, MOVE_MOUNT_BENEATH, OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC,
  STATMOUNT_SB_BASIC, STATMOUNT_MNT_BASIC, STATMOUNT_PROPAGATE_FROM, STATMOUNT_MNT_ROOT, STATMOUNT_MNT_POINT,
  STATMOUNT_FS_TYPE, STATMOUNT_MNT_NS_ID, STATMOUNT_MNT_OPTS, STATMOUNT_FS_SUBTYPE, STATMOUNT_SB_SOURCE, STATMOUNT_ALL,
  LSMT_ROOT, LISTMOUNT_REVERSE, MOUNT_API_SINCE,
  mount, umount, umount2, umountExpire, pivotRoot, chdir, fsopen, fspick, fsconfig, fsmount, moveMount, openTree,
  mountSetattr, statmount, listmount,
} from "./calls.ts";
export type { MountAttr, Statmount } from "./calls.ts";
export { mountinfo } from "./mountinfo.ts";
export type { MountInfo } from "./mountinfo.ts";
export { Mount, mountTmpfs, bindMount, overlayMount } from "./disposable.ts";
export type { UnmountResult, UnmountReport, DisposableMountOptions, TmpfsOptions, BindOptions, OverlayOptions } from "./disposable.ts";
export { spawnInNewRoot, runInNewRoot } from "./new-root.ts";
export type { NewRootBind, NewRootOptions, NewRootProcess, NewRootResult } from "./new-root.ts";
export { mountFeatures, MOUNT_FEATURE_SINCE } from "./features.ts";
export type { MountFeature, MountFeatures } from "./features.ts";
