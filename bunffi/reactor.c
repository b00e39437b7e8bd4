/* The readiness reactor's native half: one helper thread per JS thread, blocked in
 * epoll_wait, that reports each ready fd by writing its number (4 bytes) into a pipe
 * which the JS thread reads with Bun's own fd stream.
 *
 * Why a pipe and not a threadsafe JSCallback: a callback into a Worker that has been
 * terminated crashes the whole process (measured: SIGSEGV), and Bun runs no hook on
 * terminate() that could stop the thread first. A pipe needs no live JS at the other
 * end: reports to a dead Worker just sit in its pipe.
 *
 * Registrations are EPOLLONESHOT: an fd reports once, then JS re-arms it only after a
 * read said EAGAIN, so a busy fd never floods the pipe and the pipe (64 KiB, 16384
 * reports) cannot fill while JS lives. The write end blocks, so no report is dropped. */
#include "butter.h"

typedef unsigned long pthread_t;
int pthread_create(pthread_t *t, const void *attr, void *(*fn)(void *), void *arg);
int pthread_detach(pthread_t t);
int epoll_create1(int flags);
int epoll_ctl(int ep, int op, int fd, void *event);
int epoll_wait(int ep, void *events, int max, int timeout);

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLIN 0x001
#define EPOLLONESHOT (1u << 30)
#define BATCH 64 /* 64 reports = 256 bytes: one write, atomic (under PIPE_BUF) */

/* struct epoll_event is packed on x86-64 only (uapi eventpoll.h, EPOLL_PACKED). */
#ifdef __x86_64__
struct __attribute__((packed)) ep_event { unsigned int events; u64 data; };
#else
struct ep_event { unsigned int events; u64 data; };
#endif

static int g_ep = -1, g_pipe[2] = { -1, -1 };

static void *reactor_loop(void *arg) {
  struct ep_event ev[BATCH];
  int fds[BATCH];
  (void)arg;
  for (;;) {
    int n = epoll_wait(g_ep, ev, BATCH, -1);
    if (n < 0) {
      if (*__errno_location() == EINTR) continue;
      return 0;
    }
    for (int i = 0; i < n; i++) fds[i] = (int)ev[i].data;
    /* A blocking write of <= PIPE_BUF bytes to a pipe is all-or-nothing; EINTR cannot
     * happen with every signal blocked. Any other failure means the reader is gone. */
    if (n > 0 && write(g_pipe[1], fds, (size_t)n * 4) < 0) return 0;
  }
}

/* Starts the thread; returns the pipe's read end, for JS, or -errno. Both ends block:
 * JS reads only after Bun's fd stream saw the end readable, and the thread's writes must
 * never be dropped.
 * The thread is created with every signal blocked so that it never takes a signal meant
 * for the process (signalfd users rely on that), and detached: it ends with the process. */
int bt_reactor_start(void) {
  bt_sigset all, old;
  pthread_t t;
  int err;
  bt_sigfillset(&all);
  g_ep = epoll_create1(O_CLOEXEC);
  if (g_ep < 0) return NEG_ERRNO;
  if (pipe2(g_pipe, O_CLOEXEC) < 0) { err = NEG_ERRNO; close(g_ep); return err; }
  pthread_sigmask(SIG_BLOCK, &all, &old);
  err = pthread_create(&t, 0, reactor_loop, 0);
  pthread_sigmask(SIG_SETMASK, &old, 0);
  if (err) {
    close(g_pipe[0]); close(g_pipe[1]); close(g_ep);
    return -err;
  }
  pthread_detach(t);
  return g_pipe[0];
}

/* The reactor's own fds, for leak accounting: [epoll fd, pipe read end, pipe write end]. */
void bt_reactor_fds(int *out) { out[0] = g_ep; out[1] = g_pipe[0]; out[2] = g_pipe[1]; }

/* Asks for one readiness report of fd. Returns 0 or -errno (EPERM: fd cannot be polled). */
int bt_reactor_arm(int fd) {
  struct ep_event e = { EPOLLIN | EPOLLONESHOT, (u64)(unsigned int)fd };
  if (epoll_ctl(g_ep, EPOLL_CTL_MOD, fd, &e) == 0) return 0;
  if (*__errno_location() != ENOENT) return NEG_ERRNO;
  RET(epoll_ctl(g_ep, EPOLL_CTL_ADD, fd, &e));
}

int bt_reactor_disarm(int fd) { RET(epoll_ctl(g_ep, EPOLL_CTL_DEL, fd, 0)); }
