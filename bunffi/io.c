/* The fd I/O every family shares: read, write, close. */
#include "butter.h"

/* len is at most INT_MAX (the JS side passes a buffer's length), so the count fits an int. */
int bt_read(int fd, void *buf, int len) { RET(read(fd, buf, (size_t)len)); }
int bt_close(int fd) { RET(close(fd)); }

/* Reads one 8-byte counter (eventfd value, timerfd expirations) into *out.
 * Returns 8, or -errno; a short read is returned as its length for the caller to report. */
int bt_read_u64(int fd, u64 *out) { RET(read(fd, out, 8)); }
int bt_write_u64(int fd, u64 value) { RET(write(fd, &value, 8)); }
