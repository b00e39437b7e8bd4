/* The path of an open fd, from its /proc/self/fd entry: what fanotify's events carry
 * (fanotify.c for the 1:1 layer and for permission events, drain.c for the
 * events its thread reads). */
#ifndef BUTTER_FDPATH_H
#define BUTTER_FDPATH_H
#include "butter.h"

ssize_t readlink(const char *path, char *buf, size_t size);

#define FDPATH_ENAMETOOLONG 36

/* readlink of fd's /proc/self/fd entry into buf: the length, or -errno (ENAMETOOLONG
 * when the path filled the room, since readlink truncates without saying so). */
static inline int bt_fd_readlink(int fd, char *buf, int room) {
  char link[32] = "/proc/self/fd/";
  int i = 14;
  char digits[12];
  int n = 0;
  do digits[n++] = (char)('0' + fd % 10); while ((fd /= 10) > 0);
  while (n > 0) link[i++] = digits[--n];
  link[i] = 0;
  long r = readlink(link, buf, (size_t)room);
  if (r < 0) return NEG_ERRNO;
  if (r >= room) return -FDPATH_ENAMETOOLONG;
  return (int)r;
}

#endif
