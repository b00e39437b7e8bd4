// Baseline: eventfd write(1) + read() in a loop, in C. Prints ns per write+read.
#include "bench.h"
#include <stdint.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long n = iterations(argc, argv, 200000);
  int fd = eventfd(0, EFD_CLOEXEC);
  uint64_t v = 1, out;
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    if (write(fd, &v, 8) != 8 || read(fd, &out, 8) != 8) return 1;
  }
  printf("%.1f\n", (now_ns() - t0) / n);
  return 0;
}
