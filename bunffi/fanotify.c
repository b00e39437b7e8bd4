/* fanotify_init(2), fanotify_mark(2), name_to_handle_at(2), open_by_handle_at(2), a
 * response's write(2), and the path of an fd. Events and their info records are decoded
 * in JS (src/fanotify/calls.ts); the objects read through drain.c. */
#include "butter.h"
#include "fdpath.h"

int fanotify_init(unsigned int flags, unsigned int event_f_flags);
int fanotify_mark(int fd, unsigned int flags, u64 mask, int dirfd, const char *path);
int name_to_handle_at(int dirfd, const char *path, void *handle, void *mount_id, int flags);
int open_by_handle_at(int mount_fd, void *handle, int flags);

int bt_fanotify_init(int flags, int event_f_flags) { RET(fanotify_init((unsigned)flags, (unsigned)event_f_flags)); }

/* The mask crosses as two halves: bun:ffi has no unsigned 64-bit number that is not a bigint. */
int bt_fanotify_mark(int fd, int flags, int mask_lo, int mask_hi, int dirfd, const char *path) {
  u64 mask = ((u64)(unsigned)mask_hi << 32) | (unsigned)mask_lo;
  RET(fanotify_mark(fd, (unsigned)flags, mask, dirfd, path));
}

/* handle: a struct file_handle whose handle_bytes says its room; mount_id: 8 bytes (an int,
 * or a u64 with AT_HANDLE_MNT_ID_UNIQUE). */
int bt_name_to_handle_at(int dirfd, const char *path, void *handle, void *mount_id, int flags) {
  RET(name_to_handle_at(dirfd, path, handle, mount_id, flags));
}
int bt_open_by_handle_at(int mount_fd, void *handle, int flags) { RET(open_by_handle_at(mount_fd, handle, flags)); }
/* A permission response (8 bytes, or 24 with an audit rule record). */
int bt_fanotify_write(int fd, const void *buf, int len) { RET(write(fd, buf, (size_t)len)); }

/* The path of an open fd (fdpath.h), for JS. */
int bt_fd_path(int fd, char *buf, int room) { return bt_fd_readlink(fd, buf, room); }
