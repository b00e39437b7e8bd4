// Baseline: the async ping-pong in C: write(1), epoll_wait for readability, read().
// Prints ns per round.
#include "bench.h"
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long n = iterations(argc, argv, 200000);
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd}, got;
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  uint64_t v = 1, out;
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    if (write(fd, &v, 8) != 8) return 1;
    if (epoll_wait(ep, &got, 1, -1) != 1) return 1;
    if (read(fd, &out, 8) != 8) return 1;
  }
  printf("%.1f\n", (now_ns() - t0) / n);
  return 0;
}
