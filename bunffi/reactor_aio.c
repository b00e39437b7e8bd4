/* The reactor's kernel-only backend (the default; reactor.c is the fallback): an epoll
 * set of the fds JS waits on, and one Linux AIO poll request (IOCB_CMD_POLL, since
 * 4.18) on the epoll fd itself, whose completion rings an eventfd doorbell
 * (IOCB_FLAG_RESFD). When a watched fd becomes ready, the kernel completes the request
 * from the thread that made it ready and signals the doorbell; Bun's event loop, which
 * reads the doorbell through its own fd stream, wakes directly: one thread hop, as a C
 * program's epoll_wait has, where the helper-thread backend takes two. No thread of
 * butter's exists, so nothing can call into a Worker that has ended.
 *
 * Why the epoll fd and not each fd: AIO poll refuses files that wait on two queues
 * (pipes and FIFOs say EINVAL, measured), and an epoll fd has one.
 *
 * Compiled once per JS thread: these statics are that thread's reactor. Registrations are
 * EPOLLONESHOT, as in reactor.c: a report per fd, then JS re-arms after EAGAIN. The one
 * poll request is outstanding whenever the reactor is idle; after each doorbell JS calls
 * bt_reactor_aio_reap, which takes the completion, lists the ready fds (epoll_wait, no wait), and
 * submits the request again (it completes at once if something is ready already, so no
 * wake-up is lost). The context, the epoll set and the doorbell belong to the JS thread
 * that made them: a pthread key destructor gives them back when it ends. */
#include "aio.h"
#include "epoll.h"

#define POLLIN 0x001

/* Which call failed, for the JS side to name it. */
enum { AT_IO_SETUP = 1, AT_EPOLL_CREATE1, AT_EVENTFD, AT_PTHREAD_KEY_CREATE, AT_IO_SUBMIT, AT_IO_GETEVENTS, AT_EPOLL_WAIT };

static unsigned long ctx;
static int ep = -1, bell = -1;
static struct iocb request;  /* the poll request on ep; the kernel copies it at submit */
static int outstanding;      /* whether it is submitted and not yet reaped */
static int unreaped;         /* a reap failed: the request may have completed unseen */
static pthread_key_t key;

static void owner_ended(void *value) {
  (void)value;
  syscall(NR_io_destroy, ctx); /* cancels the request and waits for it */
  close(ep);
  close(bell);
  pthread_key_delete(key);
}

static int submit(void) {
  struct iocb *list[1] = { &request };
  if (syscall(NR_io_submit, ctx, 1, list) != 1) return NEG_ERRNO;
  outstanding = 1;
  return 0;
}

/* Takes the request's completion if it came (a zero timeout never sleeps, so never
 * EINTR). 0, or -errno: then whether it completed is not known (unreaped). */
static int take_completion(void) {
  struct io_event done;
  struct timespec zero = { 0, 0 };
  long got = syscall(NR_io_getevents, ctx, 0, 1, &done, &zero);
  unreaped = got < 0;
  if (got < 0) return NEG_ERRNO;
  if (got == 1) outstanding = 0;
  return 0;
}

/* Makes this thread's context, epoll set and doorbell and submits the poll request;
 * returns the doorbell fd (for JS to stream), or -errno with *at the call that failed
 * (AT_IO_SETUP: AIO is not available here, and JS uses the thread backend instead). */
int bt_reactor_aio_start(int *at) {
  int err;
  ctx = 0;
  if (syscall(NR_io_setup, 1, &ctx) < 0) { *at = AT_IO_SETUP; return NEG_ERRNO; }
  ep = epoll_create1(O_CLOEXEC);
  if (ep < 0) { *at = AT_EPOLL_CREATE1; err = NEG_ERRNO; goto destroy; }
  bell = eventfd(0, O_NONBLOCK | O_CLOEXEC);
  if (bell < 0) { *at = AT_EVENTFD; err = NEG_ERRNO; goto close_ep; }
  char *p = (char *)&request;
  for (size_t i = 0; i < sizeof request; i++) p[i] = 0;
  request.aio_lio_opcode = IOCB_CMD_POLL;
  request.aio_fildes = (unsigned int)ep;
  request.aio_buf = POLLIN;
  request.aio_flags = IOCB_FLAG_RESFD;
  request.aio_resfd = (unsigned int)bell;
  if ((err = submit())) { *at = AT_IO_SUBMIT; goto close_bell; }
  if ((err = pthread_key_create(&key, owner_ended))) { *at = AT_PTHREAD_KEY_CREATE; err = -err; goto close_bell; }
  pthread_setspecific(key, (void *)1); /* non-null: owner_ended runs when this thread ends */
  return bell;
close_bell:
  close(bell);
  bell = -1;
close_ep:
  close(ep);
  ep = -1;
destroy:
  syscall(NR_io_destroy, ctx);
  outstanding = 0;
  return err;
}

/* The reactor's own fds, for leak accounting: [epoll fd, doorbell]. */
void bt_reactor_aio_fds(int *out) { out[0] = ep; out[1] = bell; }

/* Asks for one report of fd: readable (mask bit 1), writable (bit 2), or both. 0, or
 * -errno from epoll_ctl (EPERM: fd cannot be polled, a regular file), or from io_submit
 * with *at set when the poll request could not be put back. */
int bt_reactor_aio_arm(int fd, int mask, int *at) {
  /* The request must be outstanding, or nothing would ring. If it completed without
   * being reaped (a reap that failed), reap it now and submit it again: what is ready
   * stays in the epoll set's ready list, so the new request completes at once. */
  int err;
  if (outstanding && unreaped && (err = take_completion())) { *at = AT_IO_GETEVENTS; return err; }
  if (!outstanding && (err = submit())) { *at = AT_IO_SUBMIT; return err; }
  *at = 0;
  return ep_arm(ep, fd, mask);
}

int bt_reactor_aio_disarm(int fd) { RET(epoll_ctl(ep, EPOLL_CTL_DEL, fd, 0)); }

/* After a doorbell (or any time): takes the poll request's completion if it came, lists
 * the ready fds without waiting (out[i] = fd * 2 + direction; an error or hang-up gives
 * both), and submits the request again. Returns how many (out has room for 128), or
 * -errno with *at the call that failed. */
int bt_reactor_aio_reap(int *out, int max, int *at) {
  struct ep_event ev[64];
  int n = 0, err;
  if (outstanding && (err = take_completion())) { *at = AT_IO_GETEVENTS; return err; }
  (void)max; /* JS gives room for 128 reports: 64 fds, both directions */
  int k = epoll_wait(ep, ev, 64, 0);
  if (k < 0) { *at = AT_EPOLL_WAIT; return NEG_ERRNO; }
  for (int i = 0; i < k; i++) n += ep_reports(&ev[i], out + n);
  /* more may be ready than fitted: the request completes again at once, and rings. If
   * it cannot be submitted, JS wakes every waiter (each reads first, then arms again,
   * and the arm retries the submit and reports its error to that waiter). */
  if (!outstanding && (err = submit())) { *at = AT_IO_SUBMIT; return err; }
  return n;
}
