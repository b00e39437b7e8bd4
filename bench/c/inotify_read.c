// Baseline: the C reader of the inotify benchmark. Reads with read(2) into a 64 KiB
// buffer and walks each event as a decoder must. Per round:
//   drain  runs the producer to the end first (the kernel queue fills), then times
//          reading every event back
//   live   starts the producer and times from its start to the last event read
// The first WARMUP_ROUNDS rounds are a warm-up, not counted (as for the JS readers,
// whose JIT and heap need them).
// Prints ns per event. Usage: inotify_read MODE PRODUCER DIR FILES ROUNDS
#include "bench.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#define WARMUP_ROUNDS 4

int main(int argc, char **argv) {
  if (argc != 6) return 2;
  int live = strcmp(argv[1], "live") == 0;
  long files = atol(argv[4]), rounds = atol(argv[5]), want = 2 * files;
  int fd = inotify_init1(IN_CLOEXEC);
  if (fd < 0 || inotify_add_watch(fd, argv[3], IN_CREATE | IN_DELETE) < 0) return 1;
  static char buf[65536] __attribute__((aligned(8)));
  double total = 0;
  unsigned long check = 0;  // keeps the walk from being optimised away
  for (long r = 1 - WARMUP_ROUNDS; r <= rounds; r++) {
    double t0 = now_ns();
    pid_t pid = start_producer(argv + 2);
    if (!live) {
      if (!finish_producer(pid)) return 1;
      t0 = now_ns();
    }
    for (long got = 0; got < want;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) return 1;
      for (char *p = buf; p < buf + n;) {
        struct inotify_event *ev = (struct inotify_event *)p;
        if (ev->mask & IN_Q_OVERFLOW) return 3;
        check += ev->wd + ev->mask + ev->len;
        p += sizeof *ev + ev->len;
        got++;
      }
    }
    if (r > 0) total += now_ns() - t0;
    if (live && !finish_producer(pid)) return 1;
  }
  printf("%.1f\n", total / (want * rounds));
  return check == 0;
}
