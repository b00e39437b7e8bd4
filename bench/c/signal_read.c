// Baseline: a real-time signal queued to this process with sigqueue(3) and read back,
// one at a time, in C. Prints ns per sigqueue+read. Two ways:
//   signalfd (default)  the signal blocked, read through a signalfd
//   handler             the signal caught by an SA_SIGINFO handler that writes its
//                       siginfo to a pipe, read from the pipe: what butter's held
//                       Signalfd does, since Bun's own threads do not block signals
#define _GNU_SOURCE
#include "bench.h"
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static int pipefd[2];

static void caught(int sig, siginfo_t *info, void *uc) {
  (void)sig;
  (void)uc;
  if (write(pipefd[1], info, sizeof *info) != sizeof *info) _exit(1);
}

int main(int argc, char **argv) {
  long n = iterations(argc, argv, 200000);
  int handler = argc > 2 && strcmp(argv[2], "handler") == 0;
  int sig = SIGRTMIN + 2;
  int fd = -1;
  if (handler) {
    if (pipe(pipefd) != 0) return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = caught;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(sig, &sa, 0);
  } else {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_BLOCK, &set, 0); // one thread: blocking here holds it
    fd = signalfd(-1, &set, SFD_CLOEXEC);
  }
  struct signalfd_siginfo si;
  siginfo_t info;
  union sigval v;
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    v.sival_int = (int)i;
    if (sigqueue(getpid(), sig, v) != 0) return 1;
    if (handler) {
      if (read(pipefd[0], &info, sizeof info) != sizeof info || info.si_value.sival_int != (int)i) return 1;
    } else if (read(fd, &si, sizeof si) != sizeof si || si.ssi_int != (int)i) {
      return 1;
    }
  }
  printf("%.1f\n", (now_ns() - t0) / n);
  return 0;
}
