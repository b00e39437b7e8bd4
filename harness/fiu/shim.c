/* butter's fault-injection shim, loaded with LD_PRELOAD by the error-path tests (never by
 * users). It wraps every libc function butter's C helpers call, each with a libfiu point
 * "butter/<function>". A wrapper can fail only while the calling thread is inside a
 * butter helper call (butter_fiu_enter/leave, called around each helper by
 * bunffi/load.ts in test mode): Bun's own threads, and Bun's own calls on the JS thread,
 * call the same functions and must never be hit.
 *
 * Plans: "the Nth call to F (inside a helper) fails with errno E", or "returns at most K
 * bytes" (a short read or write). Built by harness/fiu/build.ts with -DFIU_ENABLE. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fiu-control.h>
#include <fiu.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <signal.h>
#include <poll.h>
#include <sys/types.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <time.h>
#include <sys/syscall.h>
#include <linux/aio_abi.h>
#include <sys/fanotify.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sched.h>

static __thread int in_helper;
static __thread int armed;

void butter_fiu_enter(void) { in_helper++; }
void butter_fiu_leave(void) { in_helper--; }
/* Plans fire only while the thread is armed: a test arms it around the call under test,
 * so that a helper call made by something else in between (a late wake-up of another
 * queue, say) cannot take the failure meant for that call. */
/* armed_any: some JS thread is armed. butter's fanotify drain threads (named
 * "butter-drain") read the group for the JS thread, as its helper calls would: their
 * calls can fail while any thread is armed. */
static int armed_any;
void butter_fiu_arm(int on) { armed = on; armed_any = on; }
static __thread int drain_thread;
static int is_drain_thread(void) {
  char name[16];
  if (!drain_thread && pthread_getname_np(pthread_self(), name, sizeof name) == 0 && strcmp(name, "butter-drain") == 0) drain_thread = 1;
  return drain_thread;
}

/* One plan per function: fail (or shorten) its `nth` call from inside a helper. */
#define MAX_PLANS 64
struct plan {
  char point[64];
  int nth;      /* calls to let through first, plus one */
  int err;      /* errno to fail with, or 0 for a short transfer */
  long short_n; /* with err == 0: the most bytes the call may move */
  int fired;    /* how many times it fired */
};
static struct plan plans[MAX_PLANS];
static int nplans;
static pthread_mutex_t plans_lock = PTHREAD_MUTEX_INITIALIZER;

static struct plan *find(const char *point) {
  for (int i = 0; i < nplans; i++)
    if (strcmp(plans[i].point, point) == 0) return &plans[i];
  return 0;
}

/* libfiu calls this on every fiu_fail() of an enabled point: fire on the nth call only. */
static int countdown(const char *name, int *failnum, void **failinfo, unsigned int *flags) {
  (void)failinfo;
  (void)flags;
  pthread_mutex_lock(&plans_lock);
  struct plan *p = find(name);
  int fire = p && p->nth > 0 && --p->nth == 0;
  if (fire) {
    p->fired++;
    *failnum = p->err ? p->err : -1; /* -1: shorten instead of failing */
  }
  pthread_mutex_unlock(&plans_lock);
  return fire;
}

static int plan(const char *fn, int err, long short_n, int nth) {
  static int inited;
  if (!inited) {
    if (fiu_init(0) != 0) return -1;
    inited = 1;
  }
  char point[64];
  snprintf(point, sizeof point, "butter/%s", fn);
  pthread_mutex_lock(&plans_lock);
  struct plan *p = find(point);
  if (!p) {
    if (nplans == MAX_PLANS) {
      pthread_mutex_unlock(&plans_lock);
      return -1;
    }
    p = &plans[nplans++];
    snprintf(p->point, sizeof p->point, "%s", point);
  }
  p->nth = nth;
  p->err = err;
  p->short_n = short_n;
  p->fired = 0;
  pthread_mutex_unlock(&plans_lock);
  return fiu_enable_external(point, 1, 0, 0, countdown);
}

/* The nth call to fn from inside a helper fails with errno err. */
int butter_fiu_fail(const char *fn, int err, int nth) { return plan(fn, err, 0, nth); }
/* The nth call to fn (read or write) from inside a helper moves at most n bytes. */
int butter_fiu_short(const char *fn, long n, int nth) { return plan(fn, 0, n, nth); }

/* How many times fn's plan fired. */
int butter_fiu_fired(const char *fn) {
  char point[64];
  snprintf(point, sizeof point, "butter/%s", fn);
  pthread_mutex_lock(&plans_lock);
  struct plan *p = find(point);
  int n = p ? p->fired : 0;
  pthread_mutex_unlock(&plans_lock);
  return n;
}

/* Disables every plan. The plans are emptied under plans_lock (countdown then fires on
 * none), and libfiu is told after it is released: fiu_fail() holds libfiu's lock while
 * it calls countdown, which takes plans_lock, so taking libfiu's lock (fiu_disable)
 * under plans_lock deadlocked with a drain thread's wrapped poll (seen in a CI run). */
void butter_fiu_reset(void) {
  char points[MAX_PLANS][64]; /* (a copy per call: two threads may reset at once) */
  pthread_mutex_lock(&plans_lock);
  int n = nplans;
  for (int i = 0; i < n; i++) {
    plans[i].nth = 0;
    memcpy(points[i], plans[i].point, sizeof points[i]);
  }
  pthread_mutex_unlock(&plans_lock);
  for (int i = 0; i < n; i++) fiu_disable(points[i]);
}

/* Whether the shim is loaded and working (the tests check before relying on it). */
int butter_fiu_ready(void) { return 1; }

#define REAL(name) \
  static __typeof__(name) *real_##name; \
  if (!real_##name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

/* The decision every wrapper makes: 0 = call through; >0 = fail with that errno;
 * -1 = shorten the transfer (to the plan's short_n bytes). */
static __thread int deciding;
static int decide(const char *point) {
  if (in_helper ? !armed : !(armed_any && is_drain_thread())) return 0;
  /* libfiu may allocate: its own malloc calls come back here, and must pass */
  if (deciding) return 0;
  deciding = 1;
  int d = fiu_fail(point);
  deciding = 0;
  return d;
}

static long shortened(const char *point, long n) {
  pthread_mutex_lock(&plans_lock);
  struct plan *p = find(point);
  long k = p ? p->short_n : n;
  pthread_mutex_unlock(&plans_lock);
  return k < n ? k : n;
}

/* The failure of a function that returns -1 and sets errno, when `decision` (evaluated
 * once: decide() consumes a plan) plans one. */
#define FAIL_IF_PLANNED(decision) \
  do {                            \
    int d_ = (decision);          \
    if (d_ > 0) {                 \
      errno = d_;                 \
      return -1;                  \
    }                             \
  } while (0)

/* A function returning -1 and setting errno on failure. */
#define WRAP(ret, name, params, args)        \
  ret name params {                          \
    REAL(name);                              \
    FAIL_IF_PLANNED(decide("butter/" #name)); \
    return real_##name args;                 \
  }

WRAP(int, eventfd, (unsigned int initval, int flags), (initval, flags))
WRAP(int, timerfd_create, (int clockid, int flags), (clockid, flags))
WRAP(int, timerfd_settime, (int fd, int flags, const struct itimerspec *nv, struct itimerspec *old), (fd, flags, nv, old))
WRAP(int, timerfd_gettime, (int fd, struct itimerspec *cur), (fd, cur))
WRAP(int, clock_gettime, (clockid_t clk, struct timespec *tp), (clk, tp))
WRAP(int, gethostname, (char *name, size_t len), (name, len))
WRAP(int, sethostname, (const char *name, size_t len), (name, len))
WRAP(int, getdomainname, (char *name, size_t len), (name, len))
WRAP(int, setdomainname, (const char *name, size_t len), (name, len))
WRAP(int, epoll_create1, (int flags), (flags))
WRAP(int, epoll_ctl, (int ep, int op, int fd, struct epoll_event *ev), (ep, op, fd, ev))
WRAP(int, epoll_wait, (int ep, struct epoll_event *ev, int max, int timeout), (ep, ev, max, timeout))
WRAP(int, pipe2, (int fds[2], int flags), (fds, flags))
WRAP(int, inotify_init1, (int flags), (flags))
WRAP(int, inotify_add_watch, (int fd, const char *path, uint32_t mask), (fd, path, mask))
WRAP(int, inotify_rm_watch, (int fd, int wd), (fd, wd))
WRAP(int, sigpending, (sigset_t *set), (set))
WRAP(int, signalfd, (int fd, const sigset_t *mask, int flags), (fd, mask, flags))
WRAP(int, sigaction, (int sig, const struct sigaction *act, struct sigaction *old), (sig, act, old))
WRAP(int, tgkill, (pid_t tgid, pid_t tid, int sig), (tgid, tid, sig))
WRAP(int, sigqueue, (pid_t pid, int sig, const union sigval value), (pid, sig, value))
WRAP(int, poll, (struct pollfd *fds, nfds_t n, int timeout), (fds, n, timeout))
WRAP(ssize_t, splice, (int a, loff_t *oa, int b, loff_t *ob, size_t n, unsigned int f), (a, oa, b, ob, n, f))
WRAP(ssize_t, tee, (int a, int b, size_t n, unsigned int f), (a, b, n, f))
WRAP(ssize_t, vmsplice, (int fd, const struct iovec *iov, size_t nr, unsigned int f), (fd, iov, nr, f))
WRAP(ssize_t, copy_file_range, (int a, loff_t *oa, int b, loff_t *ob, size_t n, unsigned int f), (a, oa, b, ob, n, f))
WRAP(ssize_t, sendfile, (int out, int in, off_t *off, size_t n), (out, in, off, n))
WRAP(int, fanotify_init, (unsigned int flags, unsigned int event_f_flags), (flags, event_f_flags))
WRAP(int, fanotify_mark, (int fd, unsigned int flags, uint64_t mask, int dirfd, const char *path), (fd, flags, mask, dirfd, path))
WRAP(int, name_to_handle_at, (int dirfd, const char *path, struct file_handle *h, int *mnt, int flags), (dirfd, path, h, mnt, flags))
WRAP(int, open_by_handle_at, (int mount_fd, struct file_handle *h, int flags), (mount_fd, h, flags))
WRAP(ssize_t, readlink, (const char *restrict path, char *restrict buf, size_t n), (path, buf, n))
WRAP(int, mount, (const char *src, const char *tgt, const char *type, unsigned long f, const void *data), (src, tgt, type, f, data))
WRAP(int, umount, (const char *tgt), (tgt))
WRAP(int, umount2, (const char *tgt, int f), (tgt, f))
WRAP(int, unshare, (int f), (f))
WRAP(int, setns, (int fd, int t), (fd, t))
WRAP(int, chdir, (const char *path), (path))
WRAP(int, execve, (const char *path, char *const argv[], char *const envp[]), (path, argv, envp))

/* fcntl(2) and ioctl(2) are variadic: butter's helpers pass one int or pointer after the command. */
int fcntl(int fd, int cmd, ...) {
  REAL(fcntl);
  va_list ap;
  va_start(ap, cmd);
  long arg = va_arg(ap, long);
  va_end(ap);
  FAIL_IF_PLANNED(decide("butter/fcntl"));
  return real_fcntl(fd, cmd, arg);
}
/* prctl(2) is variadic too: butter's helper passes four unsigned longs after the option. */
int prctl(int option, ...) {
  REAL(prctl);
  va_list ap;
  va_start(ap, option);
  unsigned long a2 = va_arg(ap, unsigned long), a3 = va_arg(ap, unsigned long);
  unsigned long a4 = va_arg(ap, unsigned long), a5 = va_arg(ap, unsigned long);
  va_end(ap);
  FAIL_IF_PLANNED(decide("butter/prctl"));
  return real_prctl(option, a2, a3, a4, a5);
}
int ioctl(int fd, unsigned long req, ...) {
  REAL(ioctl);
  va_list ap;
  va_start(ap, req);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  FAIL_IF_PLANNED(decide("butter/ioctl"));
  return real_ioctl(fd, req, arg);
}

/* mmap(2) returns MAP_FAILED and sets errno. */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
  REAL(mmap);
  int d = decide("butter/mmap");
  if (d > 0) {
    errno = d;
    return MAP_FAILED;
  }
  return real_mmap(addr, len, prot, flags, fd, off);
}

/* opendir(3) returns NULL and sets errno. */
DIR *opendir(const char *path) {
  REAL(opendir);
  int d = decide("butter/opendir");
  if (d > 0) {
    errno = d;
    return NULL;
  }
  return real_opendir(path);
}

/* open(2) is variadic: the mode is there only with O_CREAT or O_TMPFILE. */
int open(const char *path, int flags, ...) {
  REAL(open);
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, mode_t);
    va_end(ap);
  }
  FAIL_IF_PLANNED(decide("butter/open"));
  return real_open(path, flags, mode);
}

/* read/write can also be short: the real call is made, and reports at most the plan's
 * bytes (the kernel refuses a counter read under 8 bytes, so asking for less would test
 * EINVAL, not a short transfer). */
#define WRAP_IO(name, buftype)                                          \
  ssize_t name(int fd, buftype buf, size_t n) {                         \
    REAL(name);                                                         \
    int d = decide("butter/" #name);                                    \
    FAIL_IF_PLANNED(d);                                                 \
    ssize_t r = real_##name(fd, buf, n);                                \
    if (d < 0 && r > 0) r = (ssize_t)shortened("butter/" #name, (long)r); \
    return r;                                                           \
  }
WRAP_IO(read, void *)
WRAP_IO(write, const void *)

/* close(2) releases the fd even when it reports an error (Linux): so does the shim. */
int close(int fd) {
  REAL(close);
  int d = decide("butter/close");
  int r = real_close(fd);
  FAIL_IF_PLANNED(d);
  return r;
}

/* syscall(2) is variadic: forward six arguments, as glibc's own wrapper reads them. */
long syscall(long number, ...) {
  REAL(syscall);
  va_list ap;
  long a[6];
  va_start(ap, number);
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
  FAIL_IF_PLANNED(decide("butter/syscall"));
  long r = real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
  /* "io_event": not a function but the result of a completion, which the kernel reports
   * in the events io_getevents(2) fills: the first event reaped carries -errno instead. */
  if ((number == SYS_io_getevents || number == SYS_io_pgetevents) && r >= 1) {
    int d = decide("butter/io_event");
    if (d > 0) ((struct io_event *)a[3])->res = -d;
  }
  return r;
}

/* malloc(3) and realloc(3) return NULL with ENOMEM. The real ones are glibc's own
 * entry points (no dlsym: dlsym may allocate). Only a helper's calls can fail (decide()):
 * glibc's calls from inside a helper's libc call (opendir's buffer) count too. */
extern void *__libc_malloc(size_t n);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
void *malloc(size_t n) {
  if (decide("butter/malloc") > 0) {
    errno = ENOMEM;
    return NULL;
  }
  return __libc_malloc(n);
}
void *realloc(void *p, size_t n) {
  if (decide("butter/realloc") > 0) {
    errno = ENOMEM;
    return NULL;
  }
  return __libc_realloc(p, n);
}
/* TinyCC binds a helper's malloc, realloc and free to Bun's own allocator, past
 * LD_PRELOAD: the suite compiles the helpers with these three in their place
 * (bunffi/load.ts' wrapHelpers), all on glibc's allocator. */
void *butter_fiu_malloc(size_t n) { return malloc(n); }
void *butter_fiu_realloc(void *p, size_t n) { return realloc(p, n); }
void butter_fiu_free(void *p) { __libc_free(p); }

/* pthread_create and pthread_sigmask return the error number instead of setting errno. */
int pthread_sigmask(int how, const sigset_t *set, sigset_t *old) {
  REAL(pthread_sigmask);
  int d = decide("butter/pthread_sigmask");
  if (d > 0) return d;
  return real_pthread_sigmask(how, set, old);
}
int pthread_key_create(pthread_key_t *key, void (*destructor)(void *)) {
  REAL(pthread_key_create);
  int d = decide("butter/pthread_key_create");
  if (d > 0) return d;
  return real_pthread_key_create(key, destructor);
}
int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg) {
  REAL(pthread_create);
  int d = decide("butter/pthread_create");
  if (d > 0) return d;
  return real_pthread_create(t, attr, fn, arg);
}
