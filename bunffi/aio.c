/* Linux AIO for the AIO family (src/aio/): the six calls 1:1, an iocb packed from JS's
 * fields, and the reap an AioContext does when its eventfd rings.
 *
 * Compiled once per JS thread: the contexts that thread's AioContext objects own are
 * recorded here, and a pthread key destructor destroys them when the thread ends (a
 * Worker ended with requests in flight). io_destroy(2) waits for every request in
 * flight, so the kernel is done with their buffers when it returns. (Their eventfds are
 * fds like any object's: bunffi/owned.c closes them.) */
#include "aio.h"

void *realloc(void *p, size_t n);
void free(void *p);

#define ENOMEM 12

/* io_pgetevents' last argument: the mask and the kernel's sigset size (8 bytes). */
struct aio_sigset { const u64 *mask; size_t size; };

int bt_io_setup(int nr, u64 *ctx) {
  *ctx = 0; /* the kernel requires it zero */
  RET(syscall(NR_io_setup, (long)nr, ctx));
}
int bt_io_destroy(u64 ctx) { RET(syscall(NR_io_destroy, ctx)); }
int bt_io_submit(u64 ctx, int n, struct iocb **list) { RET(syscall(NR_io_submit, ctx, (long)n, list)); }
int bt_io_cancel(u64 ctx, struct iocb *cb, struct io_event *result) { RET(syscall(NR_io_cancel, ctx, cb, result)); }
/* ts null: wait without a limit */
int bt_io_getevents(u64 ctx, int min, int nr, struct io_event *ev, struct timespec *ts) {
  RET(syscall(NR_io_getevents, ctx, (long)min, (long)nr, ev, ts));
}
/* mask null: the thread's own mask while waiting, as io_getevents */
int bt_io_pgetevents(u64 ctx, int min, int nr, struct io_event *ev, struct timespec *ts, const u64 *mask) {
  struct aio_sigset s = { mask, 8 };
  RET(syscall(NR_io_pgetevents, ctx, (long)min, (long)nr, ev, ts, mask ? &s : 0));
}

/* Fills an iocb: every field the kernel reads, the reserved ones zero. */
void bt_iocb_pack(struct iocb *cb, int opcode, int fd, u64 buf, u64 nbytes, i64 offset, int flags, int resfd, int rw_flags, int reqprio, u64 data) {
  cb->aio_data = data;
  cb->aio_key = 0;
  cb->aio_rw_flags = rw_flags;
  cb->aio_lio_opcode = (unsigned short)opcode;
  cb->aio_reqprio = (short)reqprio;
  cb->aio_fildes = (unsigned int)fd;
  cb->aio_buf = buf;
  cb->aio_nbytes = nbytes;
  cb->aio_offset = offset;
  cb->aio_reserved2 = 0;
  cb->aio_flags = (unsigned int)flags;
  cb->aio_resfd = (unsigned int)resfd;
}

/* After the context's eventfd rang: resets it, then takes every completion there is, up
 * to max, without waiting. The eventfd is read first, so that a completion after the
 * reap rings again. A failed read leaves the counter set, which only rings again. */
int bt_aio_reap(u64 ctx, int efd, struct io_event *ev, int max) {
  u64 count;
  struct timespec zero = { 0, 0 };
  (void)read(efd, &count, 8);
  RET(syscall(NR_io_getevents, ctx, 0L, (long)max, ev, &zero));
}

/* ---- the contexts this thread's objects own, destroyed when it ends ---- */

static u64 *owned;
static int count, cap;
static pthread_key_t key;
static int keyed;

static void thread_ended(void *value) {
  (void)value;
  for (int i = 0; i < count; i++) syscall(NR_io_destroy, owned[i]); /* waits for what is in flight */
  free(owned);
  owned = 0;
  count = cap = keyed = 0;
  pthread_key_delete(key);
}

/* Records a context as owned by an object of this thread. 0, or -errno with *at: 1 for
 * the key, 2 for memory. */
static int own(u64 ctx, int *at) {
  *at = 1;
  if (!keyed) {
    int e = pthread_key_create(&key, thread_ended);
    if (e) return -e;
    keyed = 1;
    pthread_setspecific(key, (void *)1); /* non-null: the destructor runs */
  }
  *at = 2;
  if (count == cap) {
    int n = cap ? cap * 2 : 8;
    u64 *p = realloc(owned, (size_t)n * sizeof *p);
    if (!p) return -ENOMEM;
    owned = p;
    cap = n;
  }
  owned[count++] = ctx;
  return 0;
}

/* An AioContext's context: io_setup, and the record that destroys it when this thread
 * ends, in one call (a thread ended between the two could not leave it behind). 0, or
 * -errno with *at: 0 for io_setup, 1 for the record's key, 2 for its memory (the
 * context is destroyed then). */
int bt_aio_setup_owned(int nr, u64 *ctx, int *at) {
  *ctx = 0;
  *at = 0;
  if (syscall(NR_io_setup, (long)nr, ctx) < 0) return NEG_ERRNO;
  int err = own(*ctx, at);
  if (err) {
    syscall(NR_io_destroy, *ctx);
  }
  if (!err) *at = 0;
  return err;
}

/* An object's close or its collection: forgets the context and destroys it in one call,
 * so that a thread ended between the two cannot leave it behind. */
int bt_aio_release(u64 ctx) {
  for (int i = 0; i < count; i++) {
    if (owned[i] == ctx) {
      owned[i] = owned[--count];
      break;
    }
  }
  RET(syscall(NR_io_destroy, ctx));
}
