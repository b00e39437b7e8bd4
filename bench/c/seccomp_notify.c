// The C baseline of the seccomp notification round trip: a child whose getppid(2) is
// USER_NOTIF (everything else allowed) calls it N times; this process, the supervisor,
// receives each notification and answers it with a value. The child measures, and prints
// ns per call (the whole round trip: the call, the notification, the answer, the return).
// Usage: seccomp_notify [N [syncwake]] | seccomp_notify victim N   (the victim's part, for
// butter's run). With "syncwake" the listener gets SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
// (Linux 6.6), as butter sets it.
#define _GNU_SOURCE
#include <stddef.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include "bench.h"

// (6.1 headers lack these two: the values of Linux 6.6)
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1UL
#endif

static void victim(long n) {
  double t0 = now_ns();
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  printf("%.1f\n", (now_ns() - t0) / n);
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "victim") == 0) {
    victim(atol(argv[2]));
    return 0;
  }
  long n = iterations(argc, argv, 20000);
  struct sock_filter f[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { 4, f };
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    int fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    // hand the listener over (SCM_RIGHTS), then wait for the go
    char c = 0;
    struct iovec io = { &c, 1 };
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof fd);
    sendmsg(sv[1], &m, 0);
    read(sv[1], &c, 1);
    victim(n);
    _exit(0);
  }
  char c;
  struct iovec io = { &c, 1 };
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct msghdr m = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  recvmsg(sv[0], &m, 0);
  int fd;
  memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof fd);
  if (argc > 2 && strcmp(argv[2], "syncwake") == 0 && ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0) return 2;
  write(sv[0], &c, 1);
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  for (long i = 0; i < n; i++) {
    memset(&req, 0, sizeof req);
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) return 1;
    memset(&resp, 0, sizeof resp);
    resp.id = req.id;
    resp.val = 1;
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0) return 1;
  }
  return finish_producer(pid) ? 0 : 1;
}
