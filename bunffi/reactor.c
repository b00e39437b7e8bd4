/* The reactor's helper-thread backend (the fallback where Linux AIO poll is not
 * available: reactor_aio.c is the default): one helper thread per JS thread, blocked in
 * epoll_wait, that reports each ready fd and direction by writing fd * 2 + direction
 * (4 bytes) into a pipe which the JS thread reads with Bun's own fd stream.
 *
 * Why a pipe and not a threadsafe JSCallback: a callback into a Worker that has been
 * terminated crashes the whole process (measured: SIGSEGV), and Bun runs no hook on
 * terminate() that could stop the thread first. A pipe needs no live JS at the other
 * end: reports to a dead Worker just sit in its pipe.
 *
 * Registrations are EPOLLONESHOT: an fd reports once, then JS re-arms it only after a
 * read said EAGAIN, so a busy fd never floods the pipe and the pipe (64 KiB, 16384
 * reports) cannot fill while JS lives. The write end blocks, so no report is dropped.
 *
 * The thread and its four fds belong to the JS thread that started them: a pthread key
 * destructor stops them when that thread ends, so a Worker leaves nothing behind. */
#include "butter.h"
#include "epoll.h"

typedef unsigned long pthread_t;
int pthread_create(pthread_t *t, const void *attr, void *(*fn)(void *), void *arg);
int pthread_join(pthread_t t, void **ret);
int pthread_setname_np(pthread_t t, const char *name);
int __libc_current_sigrtmax(void);

#define BATCH 64 /* at most 128 reports = 512 bytes: one write, atomic (under PIPE_BUF) */
#define STOP ((u64)-1) /* the epoll data of the stop eventfd: no fd has that number */

/* This file is compiled once per JS thread, so these are that thread's reactor. */
static int g_ep = -1, g_pipe[2] = { -1, -1 }, g_stop = -1;
static pthread_key_t g_key;
static pthread_t g_thread;

/* Which call failed at start, for the JS side to name it. */
enum { AT_EPOLL_CREATE1 = 1, AT_PIPE2, AT_EVENTFD, AT_EPOLL_CTL, AT_PTHREAD_KEY_CREATE, AT_PTHREAD_CREATE };

static void *reactor_loop(void *arg) {
  struct ep_event ev[BATCH];
  int fds[BATCH * 2];
  (void)arg;
  for (;;) {
    int n = epoll_wait(g_ep, ev, BATCH, -1), m = 0, stop = 0;
    if (n < 0) {
      if (*__errno_location() == EINTR) continue;
      break;
    }
    /* a report is fd * 2 + direction (0: readable, 1: writable); an error or hang-up
     * reports both, and JS wakes whichever waits */
    for (int i = 0; i < n; i++) {
      if (ev[i].data == STOP) stop = 1;
      else m += ep_reports(&ev[i], fds + m);
    }
    if (stop) break;
    /* A blocking write of <= PIPE_BUF bytes to a pipe is all-or-nothing, and restarted
     * after butter's SIGRTMAX (SA_RESTART). Any failure means the reader is gone (its
     * thread ended: the read end was closed to unblock this write). (m >= 1 here: epoll
     * reports only what was asked for, and every report of an armed fd is one.) */
    if (write(g_pipe[1], fds, (size_t)m * 4) < 0) break;
  }
  /* The JS thread that owned this reactor has ended: give back the rest. */
  close(g_ep);
  close(g_pipe[1]);
  close(g_stop);
  return 0;
}

/* The JS thread that started the reactor has ended (its Worker ended, by terminate(),
 * process.exit() in it or a normal end): stop the thread. Closing the read end first
 * unblocks a write the thread may be stuck in (nobody reads any more); the thread then
 * closes its own fds. The key is deleted so that Workers do not use up the process's keys. */
static void owner_ended(void *value) {
  (void)value;
  u64 one = 1;
  close(g_pipe[0]);
  write(g_stop, &one, 8);
  /* waited for: the JS thread's end gives back its reactor thread too, not a moment later */
  pthread_join(g_thread, 0);
  pthread_key_delete(g_key);
}

/* Starts the thread; returns the pipe's read end, for JS, or -errno with *at the call
 * that failed. Both ends block: JS reads only after Bun's fd stream saw the end
 * readable, and the thread's writes must never be dropped.
 * The thread is created with every signal blocked except SIGRTMAX, so that it never
 * takes a signal meant for the process (signalfd users rely on that) and processSigmask
 * can still reach it; it ends with its JS thread, which waits for it (owner_ended). */
int bt_reactor_start(int *at) {
  bt_sigset all, old;
  int err, rtmax = __libc_current_sigrtmax();
  g_ep = epoll_create1(O_CLOEXEC);
  if (g_ep < 0) { *at = AT_EPOLL_CREATE1; return NEG_ERRNO; }
  if (pipe2(g_pipe, O_CLOEXEC) < 0) { *at = AT_PIPE2; err = NEG_ERRNO; goto close_ep; }
  g_stop = eventfd(0, O_CLOEXEC | O_NONBLOCK);
  if (g_stop < 0) { *at = AT_EVENTFD; err = NEG_ERRNO; goto close_pipe; }
  struct ep_event e = { EPOLLIN, STOP };
  if (epoll_ctl(g_ep, EPOLL_CTL_ADD, g_stop, &e) < 0) { *at = AT_EPOLL_CTL; err = NEG_ERRNO; goto close_stop; }
  if ((err = pthread_key_create(&g_key, owner_ended))) { *at = AT_PTHREAD_KEY_CREATE; err = -err; goto close_stop; }
  bt_sigfillset(&all);
  all.v[0] &= ~(1ul << (rtmax - 1));
  pthread_sigmask(SIG_BLOCK, &all, &old);
  err = pthread_create(&g_thread, 0, reactor_loop, 0);
  pthread_sigmask(SIG_SETMASK, &old, 0);
  if (err) { *at = AT_PTHREAD_CREATE; err = -err; pthread_key_delete(g_key); goto close_stop; }
  pthread_setname_np(g_thread, "butter-reactor"); /* for ps, /proc and leak checks */
  pthread_setspecific(g_key, (void *)1); /* non-null: owner_ended runs when this thread ends */
  return g_pipe[0];
close_stop:
  close(g_stop);
  g_stop = -1;
close_pipe:
  close(g_pipe[0]);
  close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
close_ep:
  close(g_ep);
  g_ep = -1;
  return err;
}

/* The reactor's own fds, for leak accounting: [epoll fd, pipe read end, pipe write end, stop eventfd]. */
void bt_reactor_fds(int *out) { out[0] = g_ep; out[1] = g_pipe[0]; out[2] = g_pipe[1]; out[3] = g_stop; }

/* Asks for one report of fd: readable (mask bit 1), writable (bit 2), or both (JS
 * passes every direction still waited for). Returns 0 or -errno (EPERM: fd cannot be
 * polled). */
int bt_reactor_arm(int fd, int mask) { return ep_arm(g_ep, fd, mask); }

int bt_reactor_disarm(int fd) { RET(epoll_ctl(g_ep, EPOLL_CTL_DEL, fd, 0)); }
