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

#endif
