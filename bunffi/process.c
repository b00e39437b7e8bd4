/* Process identity through the raw syscall, never a libc cache (glibc caches nothing for
 * these today, but a libc may, and a child made by a raw clone() would see a stale value). */
#include "butter.h"

#if defined(__x86_64__)
#define NR_getpid 39
#define NR_getppid 110
#define NR_gettid 186
#elif defined(__aarch64__) || defined(__riscv)
#define NR_getpid 172
#define NR_getppid 173
#define NR_gettid 178
#else
#error "butter: add this architecture's syscall numbers"
#endif

int bt_getpid(void) { RET(syscall(NR_getpid)); }
int bt_getppid(void) { RET(syscall(NR_getppid)); }
int bt_gettid(void) { RET(syscall(NR_gettid)); }

/* pidfd_open(2): the same number on every architecture (the unified table, 424 on). */
#define NR_pidfd_open 434
int bt_pidfd_open(int pid, int flags) { RET(syscall(NR_pidfd_open, (long)pid, (long)flags)); }

int execve(const char *path, char *const argv[], char *const envp[]);
/* argv and envp: NULL-terminated arrays of pointers to strings the caller keeps alive.
 * Returns only on failure. */
int bt_execve(const char *path, char *const *argv, char *const *envp) { RET(execve(path, argv, envp)); }

/* pidfd_send_signal(2): a signal to the process of a pidfd, never to a reused pid. */
#define NR_pidfd_send_signal 424
int bt_pidfd_send_signal(int pidfd, int sig) { RET(syscall(NR_pidfd_send_signal, (long)pidfd, (long)sig, 0L, 0L)); }
