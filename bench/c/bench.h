// What the C baselines share: a monotonic clock in nanoseconds, N from argv, and the
// producer the event readers start and wait for.
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long iterations(int argc, char **argv, long dflt) { return argc > 1 ? atol(argv[1]) : dflt; }

// Starts the producer: PRODUCER DIR FILES (argv[0..2] of what is given).
static inline pid_t start_producer(char **producer) {
  pid_t pid = fork();
  if (pid == 0) {
    execl(producer[0], producer[0], producer[1], producer[2], (char *)0);
    _exit(127);
  }
  return pid;
}

// Waits for it: 1 if it ended well.
static inline int finish_producer(pid_t pid) {
  int status;
  return pid > 0 && waitpid(pid, &status, 0) == pid && status == 0;
}
