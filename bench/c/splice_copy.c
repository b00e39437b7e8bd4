/* Copies a file to another, as the physical limit for butter's spliceAll: "splice" moves
 * file -> pipe -> file with splice(2); "rw" is a read/write loop through a 1 MiB buffer.
 * Prints "elapsed-ns cpu-ns bytes". */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static long long now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}
static long long cpu(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000000000LL + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1000LL;
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  int in = open(argv[2], O_RDONLY), out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0) return 1;
  long long t0 = now(), c0 = cpu(), total = 0;
  if (strcmp(argv[1], "splice") == 0) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return 1;
    fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
    for (;;) {
      ssize_t n = splice(in, NULL, p[1], NULL, 1 << 20, SPLICE_F_MOVE);
      if (n < 0) return 1;
      if (n == 0) break;
      for (ssize_t left = n; left > 0;) {
        ssize_t m = splice(p[0], NULL, out, NULL, (size_t)left, SPLICE_F_MOVE);
        if (m <= 0) return 1;
        left -= m;
      }
      total += n;
    }
  } else {
    char *buf = malloc(1 << 20);
    for (;;) {
      ssize_t n = read(in, buf, 1 << 20);
      if (n < 0) return 1;
      if (n == 0) break;
      for (ssize_t off = 0; off < n;) {
        ssize_t m = write(out, buf + off, (size_t)(n - off));
        if (m <= 0) return 1;
        off += m;
      }
      total += n;
    }
  }
  printf("%lld %lld %lld\n", now() - t0, cpu() - c0, total);
  return 0;
}
