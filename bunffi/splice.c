/* splice(2), tee(2), vmsplice(2) and the pipe and zero-copy calls beside them:
 * fcntl's pipe sizes, FIONREAD, copy_file_range(2), sendfile(2), and the fresh pages that
 * vmsplice puts under what the kernel took (the memory it takes is bunffi/pages.c's). */
#include "butter.h"

typedef long long loff_t;
struct iovec { void *base; size_t len; };
struct pollfd { int fd; short events; short revents; };

ssize_t splice(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len, unsigned int flags);
ssize_t tee(int fd_in, int fd_out, size_t len, unsigned int flags);
ssize_t vmsplice(int fd, const struct iovec *iov, unsigned long nr, unsigned int flags);
ssize_t copy_file_range(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len, unsigned int flags);
ssize_t sendfile(int out_fd, int in_fd, long *offset, size_t count);
int fcntl(int fd, int cmd, ...);
int ioctl(int fd, unsigned long request, ...);
int poll(struct pollfd *fds, unsigned long n, int timeout);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off);
int munmap(void *addr, size_t len);
int getpagesize(void);
void *memcpy(void *dst, const void *src, size_t n);

#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#define FIONREAD 0x541B
#define PROT_RW 3
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)
#define POLLIN 0x001
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010

/* An offset pointer is null for the fd's own position; otherwise the kernel reads and moves it on. */
int bt_splice(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, long len, int flags) {
  RET(splice(fd_in, off_in, fd_out, off_out, (size_t)len, (unsigned)flags));
}
int bt_tee(int fd_in, int fd_out, long len, int flags) { RET(tee(fd_in, fd_out, (size_t)len, (unsigned)flags)); }
int bt_copy_file_range(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, long len, int flags) {
  RET(copy_file_range(fd_in, off_in, fd_out, off_out, (size_t)len, (unsigned)flags));
}
int bt_sendfile(int out_fd, int in_fd, long *offset, long count) { RET(sendfile(out_fd, in_fd, offset, (size_t)count)); }

int bt_pipe2(int *fds, int flags) { RET(pipe2(fds, flags)); }
int bt_get_pipe_size(int fd) { RET(fcntl(fd, F_GETPIPE_SZ)); }
int bt_set_pipe_size(int fd, int size) { RET(fcntl(fd, F_SETPIPE_SZ, size)); }
int bt_fionread(int fd) {
  int n = 0;
  int r = ioctl(fd, FIONREAD, &n);
  return r < 0 ? NEG_ERRNO : n;
}

/* Which of two ends is ready now, without waiting: bit 0 fd_in readable (or at end),
 * bit 1 fd_out writable (or failed). A mover that got EAGAIN waits on the end that is not. */
int bt_ready(int fd_in, int fd_out) {
  struct pollfd p[2] = {{fd_in, POLLIN, 0}, {fd_out, POLLOUT, 0}};
  int r = poll(p, 2, 0);
  if (r < 0) return NEG_ERRNO;
  return ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0) | ((p[1].revents & (POLLOUT | POLLERR | POLLHUP)) ? 2 : 0);
}

/* Puts fresh pages under [from, to) (rounded out to whole pages), keeping the bytes of
 * the rounded-out edges that were not handed over. The pipe keeps its references to the
 * old pages, whose contents nobody can change any more. */
static int replace_pages(char *from, char *to) {
  unsigned long page = (unsigned long)getpagesize();
  char *lo = (char *)((unsigned long)from & ~(page - 1));
  char *hi = (char *)(((unsigned long)to + page - 1) & ~(page - 1));
  size_t head = (size_t)(from - lo), tail = (size_t)(hi - to);
  char *keep = mmap(0, 2 * page, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (keep == MAP_FAILED) return NEG_ERRNO;
  memcpy(keep, lo, head);
  memcpy(keep + page, to, tail);
  void *r = mmap(lo, (size_t)(hi - lo), PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  int err = r == MAP_FAILED ? NEG_ERRNO : 0;
  if (!err) {
    memcpy(lo, keep, head);
    memcpy(to, keep + page, tail);
  }
  munmap(keep, 2 * page);
  return err;
}

/* vmsplice(2) of `n` segments, then fresh pages under every byte the kernel took, so
 * that what JS writes there next can never change what the pipe holds. Returns the
 * bytes taken, or -errno; *replace_err is the error of replacing pages (the bytes were
 * taken even then, and the caller must not let the memory be written). */
int bt_vmsplice(int fd, struct iovec *iov, int n, int flags, int *replace_err) {
  long r = vmsplice(fd, iov, (unsigned long)n, (unsigned)flags);
  if (r < 0) return NEG_ERRNO;
  long left = r;
  *replace_err = 0;
  for (int i = 0; i < n && left > 0 && !*replace_err; i++) {
    long took = (long)iov[i].len < left ? (long)iov[i].len : left;
    if (took > 0) *replace_err = replace_pages(iov[i].base, (char *)iov[i].base + took);
    left -= took;
  }
  return (int)r;
}
