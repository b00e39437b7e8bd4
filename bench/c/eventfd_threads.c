// Baseline for a forced wait: two threads ping-pong through two blocking eventfds, so
// every round is a thread-to-thread wake-up. Prints ns per round.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static int ping, pong;
static long n;

static void *echo(void *arg) {
  (void)arg;
  uint64_t v;
  for (long i = 0; i < n; i++) {
    if (read(ping, &v, 8) != 8 || write(pong, &v, 8) != 8) exit(1);
  }
  return 0;
}

int main(int argc, char **argv) {
  n = argc > 1 ? atol(argv[1]) : 20000;
  ping = eventfd(0, EFD_CLOEXEC);
  pong = eventfd(0, EFD_CLOEXEC);
  pthread_t t;
  pthread_create(&t, 0, echo, 0);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  uint64_t v = 1;
  for (long i = 0; i < n; i++) {
    if (write(ping, &v, 8) != 8 || read(pong, &v, 8) != 8) return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
  pthread_join(t, 0);
  return 0;
}
