// Baseline: eventfd write(1) + read() in a loop, in C. Prints ns per write+read.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 200000;
  int fd = eventfd(0, EFD_CLOEXEC);
  uint64_t v = 1, out;
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    if (write(fd, &v, 8) != 8 || read(fd, &out, 8) != 8) return 1;
  }
  printf("%.1f\n", (now_ns() - t0) / n);
  return 0;
}
