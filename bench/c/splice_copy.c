/* Copies a file to a file or to a TCP socket, as the physical limit for butter's
 * spliceAll: "splice" moves file -> pipe -> out with splice(2), "sendfile" uses
 * sendfile(2), "rw" is a read/write loop through a 1 MiB buffer. The destination is a
 * path, or tcp:PORT for the sink on 127.0.0.1 (bench/c/tcp_sink.c): then the copy ends
 * when the sink has read everything and closed (shutdown, then read to EOF), so the
 * figure is end to end. Prints "elapsed-ns cpu-ns bytes". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
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

static int open_out(const char *dst) {
  if (strncmp(dst, "tcp:", 4) != 0) return open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(dst + 4))};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0 ? -1 : s;
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  int in = open(argv[2], O_RDONLY), out = open_out(argv[3]);
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
  } else if (strcmp(argv[1], "sendfile") == 0) {
    for (;;) {
      ssize_t n = sendfile(out, in, NULL, 1 << 20);
      if (n < 0) return 1;
      if (n == 0) break;
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
  if (strncmp(argv[3], "tcp:", 4) == 0) {
    char c;
    shutdown(out, SHUT_WR);
    while (read(out, &c, 1) > 0) {
    }
  }
  printf("%lld %lld %lld\n", now() - t0, cpu() - c0, total);
  return 0;
}
