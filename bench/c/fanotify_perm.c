// The permission round trip of the fanotify benchmark: an open(2) blocked by a
// FAN_OPEN_PERM mark until the group answers.
//   fanotify_perm open FILE N        the opener: opens and closes FILE N times, prints
//                                    ns per open (the figure every responder is judged by)
//   fanotify_perm respond FILE N     the C responder: marks FILE, starts the opener (this
//                                    program again), answers FAN_ALLOW to each event,
//                                    prints the opener's figure
#define _GNU_SOURCE
#include "bench.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  long n = atol(argv[3]);
  if (strcmp(argv[1], "open") == 0) {
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
      int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
      if (fd < 0 || close(fd) != 0) return 1;
    }
    printf("%.1f\n", (now_ns() - t0) / n);
    return 0;
  }
  int fan = fanotify_init(FAN_CLOEXEC | FAN_CLASS_CONTENT, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (fan < 0 || fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, argv[2]) < 0) return 1;
  int out[2];
  if (pipe(out) < 0) return 1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    execl("/proc/self/exe", argv[0], "open", argv[2], argv[3], (char *)0);
    _exit(127);
  }
  close(out[1]);
  static char buf[4096] __attribute__((aligned(8)));
  for (long got = 0; got < n;) {
    ssize_t len = read(fan, buf, sizeof buf);
    if (len <= 0) return 1;
    for (struct fanotify_event_metadata *m = (void *)buf; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
      struct fanotify_response r = { m->fd, FAN_ALLOW };
      if (write(fan, &r, sizeof r) != sizeof r) return 1;
      close(m->fd);
      got++;
    }
  }
  char figure[64] = { 0 };
  if (read(out[0], figure, sizeof figure - 1) <= 0) return 1;
  int status;
  if (waitpid(pid, &status, 0) != pid || status != 0) return 1;
  fputs(figure, stdout);
  return 0;
}
