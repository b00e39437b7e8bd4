/* Signal masks and signalfd: pthread_sigmask(3), sigpending(2), signalfd(2), and the
 * native half of processSigmask (src/signal/process-mask.ts).
 *
 * Sets cross as one u64 (bit n-1 = signal n): the kernel's sigset is 64 bits, glibc's
 * sigset_t is 1024 bits of which only the first 64 mean anything.
 *
 * processSigmask: a thread's mask can only be changed by that thread. So the caller
 * sends each other thread a reserved signal with tgkill(2); the handler, running in that
 * thread, edits the mask the kernel will restore when the handler returns (uc_sigmask in
 * the signal frame: that is the mask the thread goes on with) and reports the old mask
 * through a pipe. The caller waits for each report before the next thread, so one set of
 * globals describes the change in flight. */
#include "butter.h"

/* glibc's struct sigaction (x86_64 and aarch64): handler, mask, flags, restorer */
struct bt_sigaction {
  void *handler;
  bt_sigset mask;
  int flags;
  void (*restorer)(void);
};
struct pollfd { int fd; short events; short revents; };

int sigaction(int sig, const struct bt_sigaction *act, struct bt_sigaction *old);
int sigpending(bt_sigset *set);
int signalfd(int fd, const bt_sigset *mask, int flags);
int tgkill(int pid, int tid, int sig);
int poll(struct pollfd *fds, unsigned long n, int timeout);
int gettid(void);
int __libc_current_sigrtmin(void);
int __libc_current_sigrtmax(void);

#define SA_SIGINFO 4
#define SA_RESTART 0x10000000
#define SIG_DFL ((void *)0)
#define SIG_IGN ((void *)1)
#define POLLIN 1

/* Where the signal frame's ucontext keeps the mask restored on return (the kernel's
 * struct ucontext: after uc_mcontext on x86_64, before it on arm64). */
#if defined(__x86_64__)
#define UC_SIGMASK 296
#elif defined(__aarch64__)
#define UC_SIGMASK 40
#else
#error "butter's processSigmask knows the signal frame of x86_64 and aarch64 only"
#endif

static void to_set(bt_sigset *s, const u64 *bits) {
  for (int i = 0; i < 16; i++) s->v[i] = 0;
  s->v[0] = bits ? *bits : 0;
}

/* pthread_sigmask returns an error number instead of setting errno. A null set only
 * reads the mask. */
int bt_pthread_sigmask(int how, const u64 *set, u64 *old) {
  bt_sigset s, o;
  to_set(&s, set);
  int r = pthread_sigmask(how, set ? &s : 0, &o);
  if (r != 0) return -r;
  *old = o.v[0];
  return 0;
}

/* This thread's mask becomes (mask & ~clear) | add; the old one is stored in *old. */
int bt_sigmask_edit(const u64 *clear, const u64 *add, u64 *old) {
  bt_sigset s, o;
  int r = pthread_sigmask(SIG_SETMASK, 0, &o);
  if (r != 0) return -r;
  u64 next = (o.v[0] & ~*clear) | *add;
  to_set(&s, &next);
  r = pthread_sigmask(SIG_SETMASK, &s, 0);
  if (r != 0) return -r;
  *old = o.v[0];
  return 0;
}

int bt_sigpending(u64 *out) {
  bt_sigset s;
  if (sigpending(&s) < 0) return NEG_ERRNO;
  *out = s.v[0];
  return 0;
}

int bt_signalfd(int fd, const u64 *mask, int flags) {
  bt_sigset s;
  to_set(&s, mask);
  RET(signalfd(fd, &s, flags));
}

int bt_tgkill(int tgid, int tid, int sig) { RET(tgkill(tgid, tid, sig)); }

union bt_sigval { int i; void *p; };
int sigqueue(int pid, int sig, union bt_sigval value);
/* sigqueue(3) with an integer value (sival_int; sival_ptr shares its low bytes). */
int bt_sigqueue(int pid, int sig, int value) {
  union bt_sigval v;
  v.p = 0;
  v.i = value;
  RET(sigqueue(pid, sig, v));
}

/* Waits until fd a or fd b is readable (a held Signalfd's pipe and signalfd). */
int bt_wait_either(int a, int b) {
  struct pollfd p[2] = { { a, POLLIN, 0 }, { b, POLLIN, 0 } };
  RET(poll(p, 2, -1));
}

int bt_sigrtmin(void) { return __libc_current_sigrtmin(); }
int bt_sigrtmax(void) { return __libc_current_sigrtmax(); }

/* ---- processSigmask's broadcast ---- */

static volatile u64 edit_clear, edit_add;
static int reports[2] = {-1, -1};
static struct bt_sigaction previous;

struct report { long tid; u64 old; };

static void on_edit(int sig, void *info, void *ctx) {
  (void)sig;
  (void)info;
  int saved = *__errno_location();
  u64 *mask = (u64 *)((char *)ctx + UC_SIGMASK);
  struct report r = { gettid(), *mask };
  *mask = (r.old & ~edit_clear) | edit_add;
  write(reports[1], &r, sizeof r); /* 16 bytes: atomic on a pipe */
  *__errno_location() = saved;
}

/* Installs the handler for `sig`. EBUSY when some other handler owns `sig` (another
 * processSigmask in flight on another JS thread, or the program's own). */
int bt_broadcast_begin(int sig) {
  if (pipe2(reports, O_CLOEXEC) < 0) return NEG_ERRNO;
  struct bt_sigaction act;
  act.handler = (void *)on_edit;
  /* Everything blocked while the handler runs: between its report and the return that
   * installs the new mask, the thread must not take a signal it is about to block. */
  bt_sigfillset(&act.mask);
  act.flags = SA_SIGINFO | SA_RESTART;
  act.restorer = 0;
  if (sigaction(sig, &act, &previous) < 0) {
    int e = NEG_ERRNO;
    close(reports[0]);
    close(reports[1]);
    return e;
  }
  if (previous.handler != SIG_DFL && previous.handler != SIG_IGN) {
    sigaction(sig, &previous, 0);
    close(reports[0]);
    close(reports[1]);
    return -EBUSY;
  }
  return 0;
}

/* Makes thread `tid` edit its mask to (mask & ~clear) | add and waits up to
 * `timeout_ms` for it; stores its old mask in *old. -ESRCH: the thread has exited. */
int bt_broadcast_thread(int pid, int tid, int sig, const u64 *clear, const u64 *add, u64 *old, int timeout_ms) {
  edit_clear = *clear;
  edit_add = *add;
  if (tgkill(pid, tid, sig) < 0) return NEG_ERRNO;
  for (;;) {
    struct pollfd p = { reports[0], POLLIN, 0 };
    int n = poll(&p, 1, timeout_ms);
    if (n < 0 && *__errno_location() == EINTR) continue;
    if (n < 0) return NEG_ERRNO;
    if (n == 0) return -ETIMEDOUT;
    struct report r;
    if (read(reports[0], &r, sizeof r) != sizeof r) return NEG_ERRNO;
    if (r.tid != tid) continue; /* a late report from a thread that timed out before */
    *old = r.old;
    return 0;
  }
}

/* Removes the handler: SIG_IGN first, which discards a signal still pending in a thread
 * that never ran it, then the disposition that was there before. */
int bt_broadcast_end(int sig) {
  struct bt_sigaction ign;
  ign.handler = SIG_IGN;
  to_set(&ign.mask, 0);
  ign.flags = 0;
  ign.restorer = 0;
  sigaction(sig, &ign, 0);
  sigaction(sig, &previous, 0);
  close(reports[0]);
  close(reports[1]);
  return 0;
}

/* ---- Signalfd's catching handler ----
 *
 * Bun's event loop waits in epoll_pwait2 with an EMPTY signal mask (seen with strace),
 * so while the JS thread idles every signal is delivered to it whatever its mask:
 * blocking alone cannot keep a signal pending for signalfd. So a held signal is also
 * caught: the handler writes the siginfo_t it got (128 bytes, one atomic write) to the
 * holder's pipe, which the JS side reads before its signalfd. The pipe is non-blocking:
 * a handler must never wait on JS; a signal that does not fit is counted as lost. */

#define F_SETPIPE_SZ 1031
int fcntl(int fd, int cmd, ...);

static volatile int route[65];  /* signal -> write end of its holder's pipe, 0: none */
static volatile long lost[65];  /* by signal: caught signals that did not fit in the pipe */
static struct bt_sigaction saved[65];

static void on_held(int sig, void *info, void *ctx) {
  (void)ctx;
  int saved_errno = *__errno_location();
  int fd = sig > 0 && sig <= 64 ? route[sig] : 0;
  if (fd <= 0 || write(fd, info, 128) != 128) lost[sig > 0 && sig <= 64 ? sig : 0]++;
  *__errno_location() = saved_errno;
}

/* A pipe for caught signals: non-blocking, close-on-exec, 1 MiB when allowed (8192
 * records; the default 64 KiB holds 512). */
int bt_catch_pipe(int *fds) {
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) return NEG_ERRNO;
  fcntl(fds[1], F_SETPIPE_SZ, 1 << 20); /* best effort: capped by fs.pipe-max-size */
  return 0;
}

/* Catches `sig` with the handler above, keeping the disposition it replaces. */
int bt_catch(int sig) {
  struct bt_sigaction act;
  act.handler = (void *)on_held;
  bt_sigfillset(&act.mask);
  act.flags = SA_SIGINFO | SA_RESTART;
  act.restorer = 0;
  RET(sigaction(sig, &act, &saved[sig]));
}
/* Puts back the disposition bt_catch replaced. */
int bt_uncatch(int sig) { RET(sigaction(sig, &saved[sig], 0)); }
void bt_route(int sig, int fd) { route[sig] = fd; }
long bt_lost(int sig) { return lost[sig]; }
