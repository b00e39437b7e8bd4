/* seccomp(2) for every operation, prctl(2) for no_new_privs and the seccomp mode, and the
 * user-notification ioctls. seccomp(2) has no wrapper in glibc before 2.x on every
 * system butter meets: it goes through syscall() with each architecture's number. */
#include "butter.h"

int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
int ioctl(int fd, unsigned long request, ...);

#if defined(__x86_64__)
#define NR_seccomp 317
#elif defined(__aarch64__) || defined(__riscv)
#define NR_seccomp 277
#else
#error "butter: add this architecture's seccomp number"
#endif

/* struct sock_fprog: a u16 count, then (aligned) the instructions' address */
struct sock_fprog { unsigned short len; const void *filter; };

/* seccomp(op, flags, args) for the operations whose args is a plain pointer (or null). */
int bt_seccomp(int op, unsigned int flags, void *args) { RET(syscall(NR_seccomp, (long)op, (long)flags, args)); }

/* SECCOMP_SET_MODE_FILTER with `count` 8-byte instructions. The result: 0, a listener
 * fd (NEW_LISTENER), or with TSYNC the id of a thread that could not be synchronised. */
int bt_seccomp_filter(unsigned int flags, const void *insns, int count) {
  struct sock_fprog prog = { (unsigned short)count, insns };
  RET(syscall(NR_seccomp, 1L, (long)flags, &prog));
}

int bt_prctl(int option, u64 a2) { RET(prctl(option, (unsigned long)a2, 0, 0, 0)); }

/* A notification ioctl on a listener fd whose argument is a struct: RECV, SEND, ID_VALID, ADDFD. */
int bt_notif_ioctl(int fd, u64 request, void *arg) { RET(ioctl(fd, (unsigned long)request, arg)); }
/* SET_FLAGS takes the flags themselves as its argument, not a pointer to them. */
int bt_notif_set_flags(int fd, u64 flags) { RET(ioctl(fd, 0x40082104UL /* SECCOMP_IOCTL_NOTIF_SET_FLAGS */, (unsigned long)flags)); }

struct pollfd { int fd; short events; short revents; };
int poll(struct pollfd *fds, unsigned long n, int timeout);

/* Whether a listener has a notification (POLLIN 1) or no filtered task left (POLLHUP
 * 0x10): its revents, after waiting up to `timeout` ms (-1: for ever). */
int bt_notif_poll(int fd, int timeout) {
  struct pollfd p = { fd, 1 /* POLLIN */, 0 };
  int r = poll(&p, 1, timeout);
  if (r < 0) return NEG_ERRNO;
  return p.revents;
}

/* ---- a child filtered from its first instruction after exec ---- */

int pipe2(int fds[2], int flags);
int dup2(int old, int newfd);
int fcntl(int fd, int cmd, ...);
int chdir(const char *path);
int execve(const char *path, char *const argv[], char *const envp[]);
void _exit(int status);
int pthread_sigmask(int how, const bt_sigset *set, bt_sigset *old);

struct bt_sigaction_k { void *handler; unsigned long flags; void *restorer; u64 mask; };

#if defined(__x86_64__)
#define NR_clone 56
#define NR_rt_sigaction 13
#define NR_waitid 247
#define NR_wait4 61
#elif defined(__aarch64__) || defined(__riscv)
#define NR_clone 220
#define NR_rt_sigaction 134
#define NR_waitid 95
#define NR_wait4 260
#endif
#define CLONE_PIDFD 0x1000
#define NR_pidfd_getfd 438
#define SECCOMP_FILTER_FLAG_NEW_LISTENER 8
#define SIGCHLD_ 17
#define F_SETFD 2
#define PR_SET_NO_NEW_PRIVS 38

/* Which step failed in the child, for the JS side to name it. */
enum { STEP_NONE, STEP_DUP2, STEP_CHDIR, STEP_PRCTL, STEP_SECCOMP, STEP_EXECVE, STEP_PIPE2, STEP_CLONE, STEP_GETFD, STEP_LISTENER = -1 };
struct child_report { int step; int err; };

/* In the child, between clone and exec: raw system calls only (the child is a copy of
 * one thread of a threaded process; no lock, no allocation, no handler of Bun's).
 * gcov cannot count it (the child execs or _exits: no exit handler writes counts), so
 * the C coverage run leaves it out; test/seccomp/spawn.test.ts makes each step fail. */
/* GCOVR_EXCL_START */
static void child(const char *path, char *const *argv, char *const *envp, const char *cwd, const int *fds,
                  const void *insns, int count, unsigned int flags, int nnp, int report_fd, int go_fd) {
  struct child_report r = { STEP_NONE, 0 };
  /* every handler back to the default, so that a signal before exec runs nothing of Bun's */
  for (long sig = 1; sig <= 64; sig++) {
    struct bt_sigaction_k old, dfl = { 0, 0, 0, 0 };
    if (sig == 9 || sig == 19 || sig == 32 || sig == 33) continue;
    if (syscall(NR_rt_sigaction, sig, 0, &old, 8L) == 0 && old.handler != (void *)1) syscall(NR_rt_sigaction, sig, &dfl, 0, 8L);
  }
  for (int i = 0; i < 3; i++) {
    if (fds[i] < 0) continue;
    if (fds[i] == i ? fcntl(i, F_SETFD, 0) < 0 : dup2(fds[i], i) < 0) { r.step = STEP_DUP2; goto fail; }
  }
  if (cwd && chdir(cwd) < 0) { r.step = STEP_CHDIR; goto fail; }
  if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) { r.step = STEP_PRCTL; goto fail; }
  {
    struct sock_fprog prog = { (unsigned short)count, insns };
    long fd = syscall(NR_seccomp, 1L, (long)flags, &prog);
    if (fd < 0) { r.step = STEP_SECCOMP; goto fail; }
    if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
      /* the parent takes the listener (pidfd_getfd) before exec closes it; the two
       * calls this needs here, write and read, go through the filter too */
      struct child_report l = { STEP_LISTENER, (int)fd };
      char go;
      write(report_fd, &l, sizeof l);
      if (read(go_fd, &go, 1) != 1) _exit(127); /* the parent gave up */
    }
  }
  {
    bt_sigset none;
    for (int i = 0; i < 16; i++) none.v[i] = 0;
    pthread_sigmask(SIG_SETMASK, &none, 0); /* the program starts with nothing blocked */
  }
  execve(path, argv, envp);
  r.step = STEP_EXECVE;
fail:
  r.err = *__errno_location();
  write(report_fd, &r, sizeof r);
  _exit(127);
}
/* GCOVR_EXCL_STOP */

/* Starts `path` in a child with the filter installed between clone and exec (and
 * no_new_privs first when `nnp`). fds[0..2]: the child's stdin, stdout, stderr (-1: as
 * this process's). Returns the pid, with *pidfd its pidfd; or -errno with *step the step
 * that failed (in the child, which is reaped then). */
int bt_spawn_filtered(const char *path, char *const *argv, char *const *envp, const char *cwd, const int *fds,
                      const void *insns, int count, unsigned int flags, int nnp, int *pidfd, int *step, int *listener) {
  int st[2], go[2] = { -1, -1 };
  *step = STEP_NONE;
  *listener = -1;
  if (pipe2(st, O_CLOEXEC) < 0) { *step = STEP_PIPE2; return NEG_ERRNO; }
  if ((flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) && pipe2(go, O_CLOEXEC) < 0) {
    int e = NEG_ERRNO;
    close(st[0]);
    close(st[1]);
    *step = STEP_PIPE2;
    return e;
  }
  bt_sigset all, old;
  bt_sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old); /* no signal in the child before its handlers are reset */
  int fd = -1;
  long pid = syscall(NR_clone, (long)(CLONE_PIDFD | SIGCHLD_), 0L, &fd, 0L, 0L);
  if (pid == 0) { /* GCOVR_EXCL_START (the child) */
    close(st[0]);
    if (go[1] >= 0) close(go[1]);
    child(path, argv, envp, cwd, fds, insns, count, flags, nnp, st[1], go[0]);
  } /* GCOVR_EXCL_STOP */
  int e = pid < 0 ? NEG_ERRNO : 0;
  pthread_sigmask(SIG_SETMASK, &old, 0);
  close(st[1]);
  if (go[0] >= 0) close(go[0]);
  if (e) {
    close(st[0]);
    if (go[1] >= 0) close(go[1]);
    *step = STEP_CLONE;
    return e;
  }
  struct child_report r;
  long n;
  for (;;) {
    do n = read(st[0], &r, sizeof r); while (n < 0 && *__errno_location() == EINTR);
    if (n != sizeof r || r.step != STEP_LISTENER) break;
    /* the child's listener: take it, then let the child go on to exec */
    long mine = syscall(NR_pidfd_getfd, (long)fd, (long)r.err, 0L);
    if (mine < 0) {
      int ge = NEG_ERRNO;
      close(go[1]); /* the child sees EOF and ends */
      close(st[0]);
      syscall(NR_wait4, pid, 0L, 0L, 0L);
      close(fd);
      *step = STEP_GETFD;
      return ge;
    }
    *listener = (int)mine;
    char one = 1;
    write(go[1], &one, 1);
    close(go[1]);
    go[1] = -1;
  }
  if (go[1] >= 0) close(go[1]);
  close(st[0]);
  if (n == sizeof r) { /* it failed before exec: reap it */
    syscall(NR_wait4, pid, 0L, 0L, 0L);
    close(fd);
    if (*listener >= 0) close(*listener);
    *listener = -1;
    *step = r.step;
    return -r.err;
  }
  *pidfd = fd;
  return (int)pid;
}

/* waitid(P_PIDFD, pidfd, WEXITED | WNOHANG): out[0] the si_code (CLD_EXITED 1, CLD_KILLED
 * 2, CLD_DUMPED 3), out[1] the status; 0 with out[0] 0 while it still runs. */
int bt_waitid_pidfd(int pidfd, int *out) {
  int info[32]; /* siginfo_t: 128 bytes */
  for (int i = 0; i < 32; i++) info[i] = 0;
  long r = syscall(NR_waitid, 3L /* P_PIDFD */, (long)pidfd, info, 4L | 1L /* WEXITED | WNOHANG */, 0L);
  if (r < 0) return NEG_ERRNO;
  out[0] = info[2]; /* si_code */
  out[1] = info[6]; /* si_status: after signo, errno, code, pid, uid */
  return 0;
}
