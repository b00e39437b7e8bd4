// The inotify benchmarks' workload: creates and unlinks FILES empty files in DIR, which a
// watch for IN_CREATE|IN_DELETE sees as 2*FILES events (distinct names: none coalesced).
// Usage: inotify_produce DIR FILES
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  long files = atol(argv[2]);
  char path[4096];
  for (long i = 0; i < files; i++) {
    snprintf(path, sizeof path, "%s/f%ld", argv[1], i);
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0 || close(fd) != 0 || unlink(path) != 0) return 1;
  }
  return 0;
}
