/**
 * The `*at` conventions several families share (fanotify's handles, the mount API):
 * a directory fd that paths are relative to, and the AT_* flags. One copy, here.
 */
import * as v from "./validate.ts";

/** AT_FDCWD: paths relative to the current directory. */
export const AT_FDCWD = -100;
/** Do not follow a symbolic link at the end of the path (open_tree, mount_setattr). */
export const AT_SYMLINK_NOFOLLOW = 0x100;
/** Follow a symbolic link at the end of the path (name_to_handle_at). */
export const AT_SYMLINK_FOLLOW = 0x400;
/** Do not trigger an automount at the end of the path. */
export const AT_NO_AUTOMOUNT = 0x800;
/** An empty path means `dirfd` itself. */
export const AT_EMPTY_PATH = 0x1000;
/** The whole subtree of mounts (open_tree with OPEN_TREE_CLONE, mount_setattr). */
export const AT_RECURSIVE = 0x8000;

/** A directory fd for an `*at` call: AT_FDCWD or an fd (validated as every fd is). */
export function dirfd(value: unknown, what = "dirfd"): number {
  return value === AT_FDCWD ? AT_FDCWD : v.fd(value, what);
}
