/* fanotify_init(2), fanotify_mark(2), name_to_handle_at(2), open_by_handle_at(2), a
 * response's write(2), and the path of an fd. Events and their info records are decoded
 * in JS (src/fanotify/calls.ts); the objects read through fanotify_drain.c. */
#include "butter.h"

int fanotify_init(unsigned int flags, unsigned int event_f_flags);
int fanotify_mark(int fd, unsigned int flags, u64 mask, int dirfd, const char *path);
int name_to_handle_at(int dirfd, const char *path, void *handle, void *mount_id, int flags);
int open_by_handle_at(int mount_fd, void *handle, int flags);
ssize_t readlink(const char *path, char *buf, size_t size);

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

/* "/proc/self/fd/<fd>" into out (room for 32 bytes). */
static void fd_link(int fd, char *out) {
  const char *p = "/proc/self/fd/";
  int i = 0;
  while (*p) out[i++] = *p++;
  char digits[12];
  int n = 0;
  do digits[n++] = (char)('0' + fd % 10); while ((fd /= 10) > 0);
  while (n > 0) out[i++] = digits[--n];
  out[i] = 0;
}

/* readlink of an fd's /proc/self/fd entry into buf: the length, or -errno (ENAMETOOLONG
 * when the path filled the room, since readlink truncates without saying so). */
int bt_fd_path(int fd, char *buf, int room) {
  char link[32];
  fd_link(fd, link);
  long r = readlink(link, buf, (size_t)room);
  if (r < 0) return NEG_ERRNO;
  if (r >= room) return -36; /* ENAMETOOLONG */
  return (int)r;
}
