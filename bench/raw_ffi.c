/* Peer for the sync benchmark: the least a bun:ffi program can do for write+read of an
 * eventfd (no validation, no objects), to separate butter's cost from the runtime's. */
typedef unsigned long long u64;
long read(int, void *, unsigned long);
long write(int, const void *, unsigned long);
int eventfd(unsigned int, int);
int raw_eventfd(void) { return eventfd(0, 02000000); }
int raw_write(int fd, u64 v) { return (int)write(fd, &v, 8); }
int raw_read(int fd, u64 *out) { return (int)read(fd, out, 8); }
/* and for the signal benchmark: sigqueue(3) and a signalfd of one signal (its mask as the
 * 8 bytes the kernel reads), read with raw_read's twin for a record of 128 bytes */
int sigqueue(int, int, void *);
int signalfd(int, const u64 *, int);
int raw_sigqueue(int pid, int sig, long value) { return sigqueue(pid, sig, (void *)value); }
int raw_signalfd(u64 mask) { return signalfd(-1, &mask, 02000000); }
int raw_read128(int fd, void *out) { return (int)read(fd, out, 128); }
