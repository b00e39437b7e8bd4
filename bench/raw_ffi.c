/* Peer for the sync benchmark: the least a bun:ffi program can do for write+read of an
 * eventfd (no validation, no objects), to separate butter's cost from the runtime's. */
typedef unsigned long long u64;
long read(int, void *, unsigned long);
long write(int, const void *, unsigned long);
int eventfd(unsigned int, int);
int raw_eventfd(void) { return eventfd(0, 02000000); }
int raw_write(int fd, u64 v) { return (int)write(fd, &v, 8); }
int raw_read(int fd, u64 *out) { return (int)read(fd, out, 8); }
