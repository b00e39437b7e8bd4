// Baseline: the C reader of the inotify drain benchmark. Per round: run the producer (the
// queue fills while this process waits for it), then time reading every event back with
// read(2) into a 64 KiB buffer, walking each event as a decoder must. Prints ns per event.
// Usage: inotify_drain PRODUCER DIR FILES ROUNDS
#include "bench.h"
#include <stdint.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 5) return 2;
  long files = atol(argv[3]), rounds = atol(argv[4]), want = 2 * files;
  int fd = inotify_init1(IN_CLOEXEC);
  if (fd < 0 || inotify_add_watch(fd, argv[2], IN_CREATE | IN_DELETE) < 0) return 1;
  static char buf[65536] __attribute__((aligned(8)));
  double total = 0;
  unsigned long check = 0;  // keeps the walk from being optimised away
  for (long r = 0; r < rounds; r++) {
    pid_t pid = fork();
    if (pid == 0) {
      execl(argv[1], argv[1], argv[2], argv[3], (char *)0);
      _exit(127);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0) return 1;
    double t0 = now_ns();
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
    total += now_ns() - t0;
  }
  printf("%.1f\n", total / (want * rounds));
  return check == 0;
}
