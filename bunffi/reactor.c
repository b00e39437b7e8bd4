/* The readiness reactor's native half: one helper thread per JS thread, blocked in
 * epoll_wait, that reports each ready fd to JS through a threadsafe JSCallback.
 * Registrations are EPOLLONESHOT: an fd reports once, then JS re-arms it only after a
 * read said EAGAIN, so a busy fd never floods the JS thread with wake-ups. */
#include "butter.h"

typedef unsigned long pthread_t;
int pthread_create(pthread_t *t, const void *attr, void *(*fn)(void *), void *arg);
int pthread_detach(pthread_t t);
int pthread_sigmask(int how, const void *set, void *old);
int epoll_create1(int flags);
int epoll_ctl(int ep, int op, int fd, void *event);
int epoll_wait(int ep, void *events, int max, int timeout);
int eventfd(unsigned int initval, int flags);

#define EPOLL_CLOEXEC 02000000
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLIN 0x001
#define EPOLLONESHOT (1u << 30)
#define EINTR 4
#define ENOENT 2
#define SIG_BLOCK 0
#define SIG_SETMASK 2

/* struct epoll_event is packed on x86-64 only (uapi eventpoll.h, EPOLL_PACKED). */
#ifdef __x86_64__
struct __attribute__((packed)) ep_event { unsigned int events; u64 data; };
#else
struct ep_event { unsigned int events; u64 data; };
#endif

#define STOP_TAG (~0ull)
static int g_ep = -1, g_stop = -1;
static void (*g_ready)(int fd);

static void *reactor_loop(void *arg) {
  struct ep_event ev[64];
  (void)arg;
  for (;;) {
    int n = epoll_wait(g_ep, ev, 64, -1);
    if (n < 0) {
      if (*__errno_location() == EINTR) continue;
      return 0;
    }
    for (int i = 0; i < n; i++) {
      if (ev[i].data == STOP_TAG) return 0;
      g_ready((int)ev[i].data);
    }
  }
}

/* Starts the thread; returns the epoll fd or -errno. The thread is created with every
 * signal blocked so that it never takes a signal meant for the process (signalfd users
 * rely on that), and detached: it ends with the process or at bt_reactor_stop. */
int bt_reactor_start(void *ready) {
  u64 all[16], old[16];
  pthread_t t;
  int err;
  for (int i = 0; i < 16; i++) all[i] = ~0ull;
  g_ready = (void (*)(int))ready;
  g_ep = epoll_create1(EPOLL_CLOEXEC);
  if (g_ep < 0) return NEG_ERRNO;
  g_stop = eventfd(0, 02000000 /* EFD_CLOEXEC */);
  if (g_stop < 0) { err = NEG_ERRNO; close(g_ep); return err; }
  struct ep_event se = { EPOLLIN, STOP_TAG };
  if (epoll_ctl(g_ep, EPOLL_CTL_ADD, g_stop, &se) < 0) goto fail;
  pthread_sigmask(SIG_BLOCK, all, old);
  err = pthread_create(&t, 0, reactor_loop, 0);
  pthread_sigmask(SIG_SETMASK, old, 0);
  if (err) { *__errno_location() = err; goto fail; }
  pthread_detach(t);
  return g_ep;
fail:
  err = NEG_ERRNO;
  close(g_stop);
  close(g_ep);
  return err;
}

/* Asks for one readiness report of fd. Returns 0 or -errno (EPERM: fd cannot be polled). */
int bt_reactor_arm(int fd) {
  struct ep_event e = { EPOLLIN | EPOLLONESHOT, (u64)(unsigned int)fd };
  if (epoll_ctl(g_ep, EPOLL_CTL_MOD, fd, &e) == 0) return 0;
  if (*__errno_location() != ENOENT) return NEG_ERRNO;
  RET(epoll_ctl(g_ep, EPOLL_CTL_ADD, fd, &e));
}

int bt_reactor_disarm(int fd) { RET(epoll_ctl(g_ep, EPOLL_CTL_DEL, fd, 0)); }

/* Ends the thread (a Worker that exits must not leave it calling into a dead JS thread). */
int bt_reactor_stop(void) {
  u64 one = 1;
  RET(write(g_stop, &one, 8));
}
