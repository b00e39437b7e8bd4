/* butter's own declarations for its C helpers. Deliberately no system #include:
 * bun:ffi's built-in TinyCC compiles these files on the user's machine, which may have
 * no libc headers and no compiler. Only what the helpers need is declared, with the
 * Linux ABI's types (LP64: long is 64 bits on every architecture butter supports). */
#ifndef BUTTER_H
#define BUTTER_H

typedef unsigned long size_t;
typedef long ssize_t;
typedef long time_t;
typedef unsigned long long u64;
typedef long long i64;

int *__errno_location(void);
/* Every helper returns the kernel's result, or -errno: JS never reads errno. */
#define NEG_ERRNO (-*__errno_location())
#define RET(expr) do { long r_ = (long)(expr); return r_ < 0 ? NEG_ERRNO : r_; } while (0)

ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
int close(int fd);
long syscall(long number, ...);

struct timespec { time_t tv_sec; long tv_nsec; };

/* Constants and calls more than one helper file needs: declared once, here. */
#define O_NONBLOCK 04000
#define O_CLOEXEC 02000000
#define ENOENT 2
#define EINTR 4
#define EBUSY 16
#define ETIMEDOUT 110
#define SIG_BLOCK 0
#define SIG_SETMASK 2

int pipe2(int fds[2], int flags);
int eventfd(unsigned int initval, int flags);

/* The keys whose destructors give back what a JS thread held when it ends. */
typedef unsigned int pthread_key_t;
int pthread_key_create(pthread_key_t *key, void (*destructor)(void *));
int pthread_key_delete(pthread_key_t key);
int pthread_setspecific(pthread_key_t key, const void *value);

/* glibc's sigset_t: 1024 bits, of which the kernel's first 64 mean anything. */
typedef struct { unsigned long v[16]; } bt_sigset;
int pthread_sigmask(int how, const bt_sigset *set, bt_sigset *old);
/* The set of every signal: what a helper thread or a handler blocks so that it never
 * takes a signal meant for someone else. */
static inline void bt_sigfillset(bt_sigset *s) {
  for (int i = 0; i < 16; i++) s->v[i] = ~0ul;
}

#endif
