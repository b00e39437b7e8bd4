// Baseline for a forced wait: two threads ping-pong through two blocking eventfds, so
// every round is a thread-to-thread wake-up. Prints ns per round.
#include "bench.h"
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
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
  n = iterations(argc, argv, 20000);
  ping = eventfd(0, EFD_CLOEXEC);
  pong = eventfd(0, EFD_CLOEXEC);
  pthread_t t;
  pthread_create(&t, 0, echo, 0);
  double t0 = now_ns();
  uint64_t v = 1;
  for (long i = 0; i < n; i++) {
    if (write(ping, &v, 8) != 8 || read(pong, &v, 8) != 8) return 1;
  }
  printf("%.1f\n", (now_ns() - t0) / n);
  pthread_join(t, 0);
  return 0;
}
