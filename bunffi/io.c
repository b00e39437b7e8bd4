/* The fd I/O every family shares: read, write, close, and the O_NONBLOCK switch. */
#include "butter.h"

int fcntl(int fd, int cmd, ...);
#define F_GETFL 3
#define F_SETFL 4
#define O_NONBLOCK 04000

/* len is at most INT_MAX (the JS side passes a buffer's length), so the count fits an int. */
int bt_read(int fd, void *buf, int len) { RET(read(fd, buf, (size_t)len)); }
int bt_close(int fd) { RET(close(fd)); }

/* Reads one 8-byte counter (eventfd value, timerfd expirations) into *out.
 * Returns 8, or -errno; a short read is returned as its length for the caller to report. */
int bt_read_u64(int fd, u64 *out) { RET(read(fd, out, 8)); }
int bt_write_u64(int fd, u64 value) { RET(write(fd, &value, 8)); }

/* Sets (on != 0) or clears O_NONBLOCK; returns the previous flags or -errno. */
int bt_set_nonblocking(int fd, int on) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0) return NEG_ERRNO;
  int want = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
  if (want != fl && fcntl(fd, F_SETFL, want) < 0) return NEG_ERRNO;
  return fl;
}
