/* mount(2), umount(2), umount2(2), pivot_root(2), and the file-descriptor mount API:
 * fsopen, fsconfig, fsmount, move_mount, open_tree, mount_setattr, statmount, listmount.
 * The new calls go through syscall(): glibc before 2.36 has no wrappers for them (and
 * none has statmount/listmount), and a missing symbol would stop this whole file from
 * linking. Their numbers are the same on every architecture (the unified table, 424 on).
 * pivot_root has no glibc wrapper at all. */
#include "butter.h"

int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data);
int umount(const char *target);
int umount2(const char *target, int flags);
int chdir(const char *path);

#if defined(__x86_64__)
#define NR_pivot_root 155
#elif defined(__aarch64__) || defined(__riscv)
#define NR_pivot_root 41
#else
#error "butter: add this architecture's pivot_root number"
#endif
#define NR_open_tree 428
#define NR_move_mount 429
#define NR_fsopen 430
#define NR_fsconfig 431
#define NR_fsmount 432
#define NR_fspick 433
#define NR_mount_setattr 442
#define NR_statmount 457
#define NR_listmount 458

int bt_mount(const char *source, const char *target, const char *fstype, u64 flags, const void *data) {
  RET(mount(source, target, fstype, (unsigned long)flags, data));
}
int bt_umount(const char *target) { RET(umount(target)); }
int bt_umount2(const char *target, int flags) { RET(umount2(target, flags)); }
int bt_pivot_root(const char *new_root, const char *put_old) { RET(syscall(NR_pivot_root, new_root, put_old)); }
int bt_chdir(const char *path) { RET(chdir(path)); }

int bt_fsopen(const char *fsname, int flags) { RET(syscall(NR_fsopen, fsname, (long)flags)); }
int bt_fspick(int dirfd, const char *path, int flags) { RET(syscall(NR_fspick, (long)dirfd, path, (long)flags)); }
int bt_fsconfig(int fd, int cmd, const char *key, const void *value, int aux) {
  RET(syscall(NR_fsconfig, (long)fd, (long)cmd, key, value, (long)aux));
}
int bt_fsmount(int fd, int flags, int attrs) { RET(syscall(NR_fsmount, (long)fd, (long)flags, (long)attrs)); }
int bt_move_mount(int from_dirfd, const char *from, int to_dirfd, const char *to, int flags) {
  RET(syscall(NR_move_mount, (long)from_dirfd, from, (long)to_dirfd, to, (long)flags));
}
int bt_open_tree(int dirfd, const char *path, int flags) { RET(syscall(NR_open_tree, (long)dirfd, path, (long)flags)); }

/* struct mount_attr (MOUNT_ATTR_SIZE_VER0, 32 bytes): attr_set, attr_clr, propagation,
 * userns_fd, all u64. */
int bt_mount_setattr(int dirfd, const char *path, int flags, u64 set, u64 clr, u64 propagation, u64 userns_fd) {
  u64 attr[4] = {set, clr, propagation, userns_fd};
  RET(syscall(NR_mount_setattr, (long)dirfd, path, (long)flags, attr, 32L));
}

/* struct mnt_id_req: size, mnt_ns_fd (spare before 6.18), mnt_id, param, mnt_ns_id
 * (VER1, 32 bytes, 6.11 on; VER0 is the first 24). ns_id 0 asks about the caller's own
 * mount namespace: then VER0 is sent, which every kernel with the call takes. */
static void id_req(u64 *req, u64 mnt_id, u64 param, u64 ns_id) {
  req[0] = ns_id ? 32 : 24; /* size (u32), then a zero mnt_ns_fd: little-endian */
  req[1] = mnt_id;
  req[2] = param;
  req[3] = ns_id;
}
int bt_statmount(u64 mnt_id, u64 mask, u64 ns_id, void *buf, long size, int flags) {
  u64 req[4];
  id_req(req, mnt_id, mask, ns_id);
  RET(syscall(NR_statmount, req, buf, size, (long)flags));
}
int bt_listmount(u64 mnt_id, u64 last_id, u64 ns_id, u64 *ids, long n, int flags) {
  u64 req[4];
  id_req(req, mnt_id, last_id, ns_id);
  RET(syscall(NR_listmount, req, ids, n, (long)flags));
}
