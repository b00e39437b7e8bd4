// What the C baselines share: a monotonic clock in nanoseconds, and N from argv.
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long iterations(int argc, char **argv, long dflt) { return argc > 1 ? atol(argv[1]) : dflt; }
