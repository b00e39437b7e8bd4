/* The filtered program of test/seccomp/trap.test.ts: catches SIGSYS and prints what the
 * kernel put in its siginfo (the call's result, the syscall, the architecture, the rule's
 * data). Built by gcc where the tests run, or by the host for the aarch64 guest, which has
 * no compiler (harness/vm.ts: harness/build/guest/). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
static volatile int nr = -1, data = -1; static volatile unsigned arch;
static void on_sys(int sig, siginfo_t *si, void *ctx) { (void)sig; (void)ctx; nr = si->si_syscall; arch = si->si_arch; data = si->si_errno; }
int main(void) {
  struct sigaction sa; memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sys; sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSYS, &sa, 0);
  long r = syscall(SYS_getppid);
  printf("%ld %d %x %d\n", r, nr, arch, data);
  return 0;
}
