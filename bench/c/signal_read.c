// Baseline: a real-time signal queued to this process with sigqueue(3) and read back
// through a signalfd, one at a time, in C. Prints ns per sigqueue+read.
#define _GNU_SOURCE
#include "bench.h"
#include <signal.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long n = iterations(argc, argv, 200000);
  int sig = SIGRTMIN + 2;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_BLOCK, &set, 0); // one thread: blocking here holds it
  int fd = signalfd(-1, &set, SFD_CLOEXEC);
  struct signalfd_siginfo si;
  union sigval v;
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    v.sival_int = (int)i;
    if (sigqueue(getpid(), sig, v) != 0 || read(fd, &si, sizeof si) != sizeof si || si.ssi_int != (int)i) return 1;
  }
  printf("%.1f\n", (now_ns() - t0) / n);
  return 0;
}
