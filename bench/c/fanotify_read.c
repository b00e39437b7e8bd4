// Baseline: a C reader of a fanotify group, for the fanotify benchmark. The same group as
// butter's reader, the same work per event:
//   fid  FAN_REPORT_DFID_NAME, FAN_CREATE | FAN_DELETE on the directory's children: each
//        event's records walked and its name found (64 KiB reads)
//   fd   an fd group, FAN_CLOSE_WRITE: each event's fd turned into its path (readlink of
//        /proc/self/fd/N) and closed (2 KiB reads, as butter's: the kernel opens an fd
//        per event it hands out)
// Counted in events as the producer made them (a merged create+delete counts two).
// MODE drain: the producer runs to the end first, then the time to read every event;
//      live: the time from the producer's start to the last event.
// Round 0 is a warm-up, not counted. Prints ns per event.
// Usage: fanotify_read GROUP MODE PRODUCER DIR FILES ROUNDS
#define _GNU_SOURCE
#include "bench.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/wait.h>
#include <unistd.h>

// Rounds run and not counted first, the same in the JS reader (bench/fanotify.ts): the
// JIT needs about that many events before the JS runs at its speed.
#define WARMUP_ROUNDS 4

int main(int argc, char **argv) {
  if (argc != 7) return 2;
  int fid = strcmp(argv[1], "fid") == 0, live = strcmp(argv[2], "live") == 0;
  long files = atol(argv[5]), rounds = atol(argv[6]);
  // fid: a create and a delete per file; fd: one close-after-write per file
  long want = fid ? 2 * files : files;
  int fd = fanotify_init(FAN_CLOEXEC | (fid ? FAN_REPORT_DFID_NAME : 0), O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (fd < 0) return 1;
  unsigned long long mask = fid ? FAN_CREATE | FAN_DELETE | FAN_EVENT_ON_CHILD : FAN_CLOSE_WRITE | FAN_EVENT_ON_CHILD;
  if (fanotify_mark(fd, FAN_MARK_ADD, mask, AT_FDCWD, argv[4]) < 0) return 1;
  static char buf[65536] __attribute__((aligned(8)));
  size_t size = fid ? sizeof buf : 2048;
  char link[64], path[4096];
  double total = 0;
  unsigned long check = 0;  // keeps the walk from being optimised away
  for (long r = 1 - WARMUP_ROUNDS; r <= rounds; r++) {
    double t0 = now_ns();
    pid_t pid = start_producer(argv + 3);
    if (!live) {
      if (!finish_producer(pid)) return 1;
      t0 = now_ns();
    }
    for (long got = 0; got < want;) {
      ssize_t n = read(fd, buf, size);
      if (n <= 0) return 1;
      for (struct fanotify_event_metadata *m = (void *)buf; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
        if (m->mask & FAN_Q_OVERFLOW) return 3;
        if (fid) {
          struct fanotify_event_info_fid *info = (void *)(m + 1);
          struct file_handle *h = (void *)info->handle;
          check += strlen((char *)h->f_handle + h->handle_bytes);
        } else {
          snprintf(link, sizeof link, "/proc/self/fd/%d", m->fd);
          ssize_t len = readlink(link, path, sizeof path);
          if (len < 0) return 1;
          check += (unsigned long)len;
          close(m->fd);
        }
        // a create and a delete of one name may come merged, as one event with both bits:
        // the bits are what is counted, by every reader
        got += fid ? __builtin_popcountll(m->mask & (FAN_CREATE | FAN_DELETE)) : 1;
      }
    }
    if (r > 0) total += now_ns() - t0;
    if (live && !finish_producer(pid)) return 1;
  }
  printf("%.1f\n", total / (want * rounds));
  return check == 0xffffffff;  // (never)
}
