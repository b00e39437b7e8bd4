/* The epoll set both reactor backends keep (reactor.c, reactor_aio.c): the declarations,
 * one-shot registration of an fd for the directions still waited for, and the reports a
 * ready event gives. Included after butter.h. */
#ifndef BUTTER_EPOLL_H
#define BUTTER_EPOLL_H

int epoll_create1(int flags);
int epoll_ctl(int ep, int op, int fd, void *event);
int epoll_wait(int ep, void *events, int max, int timeout);

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLIN 0x001
#define EPOLLOUT 0x004
#define EPOLLERR 0x008
#define EPOLLHUP 0x010
#define EPOLLONESHOT (1u << 30)

/* struct epoll_event is packed on x86-64 only (uapi eventpoll.h, EPOLL_PACKED). */
#ifdef __x86_64__
struct __attribute__((packed)) ep_event { unsigned int events; u64 data; };
#else
struct ep_event { unsigned int events; u64 data; };
#endif

/* One report of fd: readable (mask bit 1), writable (bit 2), or both. MOD first, ADD
 * when the fd is not registered yet. 0, or -errno (EPERM: fd cannot be polled). */
static int ep_arm(int ep, int fd, int mask) {
  struct ep_event e = { ((mask & 1) ? EPOLLIN : 0) | ((mask & 2) ? EPOLLOUT : 0) | EPOLLONESHOT, (u64)(unsigned int)fd };
  if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e) == 0) return 0;
  if (*__errno_location() != ENOENT) return NEG_ERRNO;
  RET(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e));
}

/* The reports of a ready event, written to out: fd * 2 + direction (0: readable, 1:
 * writable); an error or hang-up reports both, and JS wakes whichever waits. Returns
 * how many (0 to 2). */
static int ep_reports(const struct ep_event *e, int *out) {
  int fd = (int)e->data, n = 0;
  if (e->events & (EPOLLIN | EPOLLERR | EPOLLHUP)) out[n++] = fd * 2;
  if (e->events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) out[n++] = fd * 2 + 1;
  return n;
}

#endif
