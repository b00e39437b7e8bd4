/* timerfd_create(2), timerfd_settime(2), timerfd_gettime(2), and clock_gettime(2) for
 * computing absolute deadlines. An itimerspec crosses the boundary as four i64s in a
 * BigInt64Array: [interval.sec, interval.nsec, value.sec, value.nsec]. */
#include "butter.h"

struct itimerspec { struct timespec it_interval; struct timespec it_value; };
int timerfd_create(int clockid, int flags);
int timerfd_settime(int fd, int flags, const struct itimerspec *new_value, struct itimerspec *old_value);
int timerfd_gettime(int fd, struct itimerspec *curr);
int clock_gettime(int clockid, struct timespec *tp);

static void unpack(struct itimerspec *it, const i64 *v) {
  it->it_interval.tv_sec = v[0]; it->it_interval.tv_nsec = v[1];
  it->it_value.tv_sec = v[2]; it->it_value.tv_nsec = v[3];
}
static void pack(i64 *v, const struct itimerspec *it) {
  v[0] = it->it_interval.tv_sec; v[1] = it->it_interval.tv_nsec;
  v[2] = it->it_value.tv_sec; v[3] = it->it_value.tv_nsec;
}

int bt_timerfd_create(int clockid, int flags) { RET(timerfd_create(clockid, flags)); }

/* io[0..3] is the new setting; on success io[4..7] receives the old one. */
int bt_timerfd_settime(int fd, int flags, i64 *io) {
  struct itimerspec nv, old;
  unpack(&nv, io);
  if (timerfd_settime(fd, flags, &nv, &old) < 0) return NEG_ERRNO;
  pack(io + 4, &old);
  return 0;
}

int bt_timerfd_gettime(int fd, i64 *out) {
  struct itimerspec cur;
  if (timerfd_gettime(fd, &cur) < 0) return NEG_ERRNO;
  pack(out, &cur);
  return 0;
}

int bt_clock_gettime(int clockid, i64 *out) {
  struct timespec ts;
  if (clock_gettime(clockid, &ts) < 0) return NEG_ERRNO;
  out[0] = ts.tv_sec; out[1] = ts.tv_nsec;
  return 0;
}
