/* The drain: a thread that reads an event fd (a fanotify group, an inotify instance) as
 * soon as the kernel has events, into a bounded buffer that JS takes from, and rings an
 * eventfd bell that the reactor waits on. It keeps going while the JS thread is busy,
 * blocked or never reads, so that the kernel's queue (inotify's max_queued_events,
 * fanotify's 16,384) does not overflow behind a busy program. The two kinds differ only in
 * how a record is framed, and fanotify adds what its events hold:
 *   - each notification event's fd is turned into its path and closed here, so a burst
 *     never holds a burst of fds (a private info record carries the path to JS);
 *   - each permission event is answered exactly once, under one lock: by JS, by the
 *     deadline (even when JS is stuck), by the drain at once when the access is the
 *     program's own (else a synchronous open of a guarded file from the JS thread would
 *     wait forever for an answer only that thread could give), or at close.
 * An inotify record is copied as the kernel wrote it. When the buffer is full the drain
 * stops reading; the kernel's queue fills next and overflows into an event
 * (FAN_Q_OVERFLOW, IN_Q_OVERFLOW), as it would without the drain: nothing is dropped unseen.
 *
 * Per JS thread (this file is compiled per thread): a pthread key destructor closes the
 * thread's drains when it ends, so a Worker's end leaves no thread, fd or waiting access. */
#include "butter.h"
#include "fdpath.h"

typedef unsigned long pthread_t;
int pthread_create(pthread_t *t, const void *attr, void *(*fn)(void *), void *arg);
int pthread_join(pthread_t t, void **ret);
int pthread_setname_np(pthread_t t, const char *name);
pthread_t pthread_self(void);
int pthread_mutex_lock(void *m);
int pthread_mutex_unlock(void *m);
int __libc_current_sigrtmax(void);
int clock_gettime(int clk, struct timespec *ts);
int nanosleep(const struct timespec *req, struct timespec *rem);
int getpid(void);
int tgkill(int tgid, int tid, int sig);
struct pollfd { int fd; short events; short revents; };
int poll(struct pollfd *fds, unsigned long n, int timeout);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off);
int munmap(void *addr, size_t len);
void *realloc(void *p, size_t n);
void free(void *p);
#define PROT_RW 3
#define MAP_PRIVATE_ANON 0x22
#define MAP_FAILED ((void *)-1)
void *memmove(void *dst, const void *src, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

#define POLLIN 1
#define EAGAIN 11
#define ENOMEM 12
#define ENOENT_ 2
#define EIO_ 5
#define CLOCK_MONOTONIC 1

/* The two kinds (bt_drain_open's kind). */
#define KIND_FANOTIFY 0
#define KIND_INOTIFY 1
#define INOTIFY_HDR 16 /* wd, mask, cookie, len; the name's len bytes follow */

/* ---- the fanotify layout (uapi) and butter's private records ---- */
#define META_LEN 24
#define PERM_EVENTS 0x00170000u
#define INFO_PIDFD 4
#define FAN_ALLOW 1
/* Private info records the drain appends (types no kernel uses: the kernel's are < 64). */
#define BT_PATH 0xB0  /* the path of the event's fd: hdr, then the bytes, NUL-padded to 4 */
#define BT_PATH_ERR 0xB1 /* the readlink failed: hdr, then the errno (4 bytes) */
/* metadata's reserved byte, for JS: who answered a permission event before JS took it */
#define BY_DEADLINE 1
#define BY_SELF 2
#define PATH_ROOM 4096
#define RETRY_MS 10 /* a failed deadline answer, or a failed poll, is tried again after this */

struct pending {
  int fd;        /* the event's fd: its answer names it */
  int open;      /* the drain still holds fd (an event answered before JS took it has
                    its fd closed at once: a program that never reads holds no fds) */
  int answered;  /* 0, BY_DEADLINE or BY_SELF (JS-given answers remove the entry) */
  int taken;     /* JS holds the event (and closes the fd) */
  i64 due;       /* ms on CLOCK_MONOTONIC */
  u64 seq;       /* read order: an fd closed early may be handed out again for a later event */
};

struct drain {
  int kind;
  int src, bell, wake; /* wake: an eventfd that tells the thread to look again (or to stop) */
  int stopping;
  int deadline_ms, deadline_resp, keep;
  pthread_t thread;
  union { char bytes[64]; long long align; } mu; /* glibc's initializer is all zeros */
  unsigned char *buf;   /* events ready for JS: [head, tail) */
  int cap, head, tail;
  int err;              /* -errno of a failed read, reported to JS once */
  struct pending *pend;
  int npend, cappend;
  u64 seq;
  int max_read;         /* bytes per read: each event read holds an fd until it is here */
  int sc_off, sc_len;   /* events read from the group and not yet in buf (no room) */
  unsigned char scratch[64 * 1024];
  char path[PATH_ROOM];
  struct drain *next;   /* this JS thread's drains */
};

static struct drain *g_drains; /* this JS thread's (the file is compiled per thread) */
static pthread_key_t g_key;
static int g_keyed;

static i64 now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (i64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The bell and the wake eventfd are butter's own plumbing, moved with raw syscalls: an
 * 8-byte write or read of an eventfd it made cannot fail but for EAGAIN (the bell full at
 * 2^64-2, or already quiet), and the fault-injection shim aims read(2) and write(2)
 * failures at the group's read and a response's write only. */
#if defined(__x86_64__)
#define NR_READ 0
#define NR_WRITE 1
#elif defined(__aarch64__)
#define NR_READ 63
#define NR_WRITE 64
#else
#error "butter's drain knows the syscall numbers of x86_64 and aarch64 only"
#endif
static void poke(int efd) {
  u64 one = 1;
  syscall(NR_WRITE, efd, &one, 8);
}
static void quiet(int efd) {
  u64 v;
  syscall(NR_READ, efd, &v, 8);
}
static void ring(struct drain *d) { poke(d->bell); }

/* A record's framing: its header's size, and its whole length from the header (fanotify's
 * event_len; inotify's header and name). 64 bits: an inotify len near 2^32 must not wrap. */
static int hdr_len(struct drain *d) { return d->kind == KIND_INOTIFY ? INOTIFY_HDR : META_LEN; }
static u64 rec_len(struct drain *d, const unsigned char *ev) {
  return d->kind == KIND_INOTIFY ? INOTIFY_HDR + (u64) * (const unsigned *)(ev + 12) : *(const unsigned *)ev;
}

/* The entry of an event JS holds (its fd is open in JS: no other entry can have it). */
static struct pending *find_taken(struct drain *d, int fd) {
  for (int i = 0; i < d->npend; i++) if (d->pend[i].taken && d->pend[i].fd == fd) return &d->pend[i];
  return 0;
}

/* The entry of the next event JS takes with that fd: the oldest not taken (an older
 * event's closed fd number may have been handed out again to a newer one). */
static struct pending *find_next(struct drain *d, int fd) {
  struct pending *best = 0;
  for (int i = 0; i < d->npend; i++) {
    struct pending *p = &d->pend[i];
    if (!p->taken && p->fd == fd && (!best || p->seq < best->seq)) best = p;
  }
  return best;
}

/* An event answered before JS took it: its fd is of no more use. */
static void let_go(struct pending *p) {
  if (p->answered && !p->taken) { /* (open until now: only this closes an untaken one's fd) */
    close(p->fd);
    p->open = 0;
  }
}

static void forget(struct drain *d, struct pending *p) {
  *p = d->pend[--d->npend];
}

static int respond(struct drain *d, int fd, unsigned response) {
  struct { int fd; unsigned response; } r = { fd, response };
  for (;;) {
    long n = write(d->src, &r, sizeof r);
    if (n >= 0) return 0;
    if (*__errno_location() != EINTR) return NEG_ERRNO;
  }
}

/* Room for n more bytes at the tail (moving what is there to the front first). */
static int room(struct drain *d, int n) {
  if (d->head > 0 && d->cap - d->tail < n) {
    memmove(d->buf, d->buf + d->head, (size_t)(d->tail - d->head));
    d->tail -= d->head;
    d->head = 0;
  }
  return d->cap - d->tail >= n;
}

static void put_u16(unsigned char *p, int v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }


/* Closes the pidfd records' fds of one event (and marks them -1). */
static void close_pidfds(unsigned char *ev) {
  unsigned len = *(unsigned *)ev, at = *(unsigned short *)(ev + 6);
  while (at + 4 <= len) {
    unsigned rl = *(unsigned short *)(ev + at + 2);
    if (rl < 4) break;
    if (ev[at] == INFO_PIDFD && rl >= 8 && *(int *)(ev + at + 4) >= 0) {
      close(*(int *)(ev + at + 4));
      *(int *)(ev + at + 4) = -1;
    }
    at += rl;
  }
}

/* Appends the path of the event's fd (a BT_PATH record), or the readlink's errno (a
 * BT_PATH_ERR record), at out + *total. */
static void add_path(struct drain *d, unsigned char *out, unsigned *total, int efd) {
  int r = bt_fd_readlink(efd, d->path, PATH_ROOM);
  unsigned char *rec = out + *total;
  rec[1] = 0;
  if (r >= 0) {
    unsigned rlen = (unsigned)(4 + r + 3) & ~3u;
    rec[0] = BT_PATH;
    put_u16(rec + 2, (int)rlen); /* (padded: the path ends at the first NUL, or at the end) */
    memcpy(rec + 4, d->path, (size_t)r);
    for (unsigned i = 4 + (unsigned)r; i < rlen; i++) rec[i] = 0;
    *total += rlen;
  } else {
    rec[0] = BT_PATH_ERR;
    put_u16(rec + 2, 8);
    *(int *)(rec + 4) = -r;
    *total += 8;
  }
}

/* Copies one event from scratch into the buffer, with its path; the caller made sure of
 * room (event_len + PATH_ROOM + 8). A notification event's fd is closed (unless keep); a
 * permission event's waits for its one answer (at once if the access is the program's). */
static void take_in(struct drain *d, unsigned char *ev, unsigned len) {
  unsigned char *out = d->buf + d->tail;
  memcpy(out, ev, len);
  unsigned mask = *(unsigned *)(out + 8);
  int efd = *(int *)(out + 16);
  int pid = *(int *)(out + 20);
  unsigned total = len;
  int perm = (mask & PERM_EVENTS) != 0;
  if (efd >= 0) add_path(d, out, &total, efd);
  if (efd >= 0 && perm) {
    if (d->npend == d->cappend) {
      int n = d->cappend ? d->cappend * 2 : 64;
      struct pending *p = realloc(d->pend, (size_t)n * sizeof *p);
      if (!p) { /* no memory to wait in: the deadline's answer now */
        respond(d, efd, (unsigned)d->deadline_resp);
        close(efd);
        *(int *)(out + 16) = -1;
        out[5] = BY_DEADLINE;
        goto done;
      }
      d->pend = p;
      d->cappend = n;
    }
    struct pending *p = &d->pend[d->npend++];
    p->fd = efd;
    p->open = 1;
    p->seq = d->seq++;
    p->taken = 0;
    p->due = now_ms() + d->deadline_ms;
    p->answered = 0;
    poke(d->wake); /* (read by JS, maybe: the thread's wait must include this deadline) */
    /* the program's own access (any of its threads): answered now, or it deadlocks */
    if (pid == getpid() || (pid > 0 && tgkill(getpid(), pid, 0) == 0)) {
      if (respond(d, efd, FAN_ALLOW) == 0) p->answered = BY_SELF;
      let_go(p);
    }
  } else if (efd >= 0 && !d->keep) {
    close(efd);
    *(int *)(out + 16) = -1;
  }
done:
  *(unsigned *)out = total;
  /* a pidfd record's fd: closed unless kept (permission events keep theirs with the event) */
  if (!d->keep && !perm) close_pidfds(out);
  d->tail += (int)total;
}

/* Answers what waited past its deadline; returns ms to the next deadline, or -1. */
static int expire(struct drain *d) {
  i64 t = now_ms(), next = -1;
  for (int i = 0; i < d->npend;) {
    struct pending *p = &d->pend[i];
    if (!p->answered && p->due <= t) {
      /* ENOENT: the kernel no longer waits (its group answered, or the access went away);
       * any other failure leaves the access waiting: asked again in 10 ms */
      int r = respond(d, p->fd, (unsigned)d->deadline_resp);
      if (r == 0 || r == -ENOENT_) p->answered = BY_DEADLINE;
      else p->due = t + RETRY_MS;
      let_go(p);
    }
    if (p->answered && p->taken) { /* JS holds the fd and learns it from bt_drain_pending */
      forget(d, p);
      continue;
    }
    if (!p->answered && (next < 0 || p->due < next)) next = p->due;
    i++;
  }
  return next < 0 ? -1 : (int)(next - t < 0 ? 0 : next - t);
}

/* Moves events read from the group into the buffer while there is room (an event
 * needs its length, its path and a record header); returns how many moved. Events that
 * do not fit wait in scratch, fds and all, and the group is not read meanwhile. A read
 * that ends inside an event (never the kernel's, which returns whole events; a short
 * read forced by the tests' shim) is an error kept for JS, EIO, and what it holds is
 * dropped: its bytes cannot be trusted, and would stop the group being read again. */
static int move_in(struct drain *d) {
  int moved = 0;
  while (d->sc_off < d->sc_len) {
    int left = d->sc_len - d->sc_off;
    u64 len = left < hdr_len(d) ? 0 : rec_len(d, d->scratch + d->sc_off);
    if (len < (u64)hdr_len(d) || len > (u64)left) {
      d->err = -EIO_; /* (none was kept: a read happens only without one) */
      ring(d);
      d->sc_off = d->sc_len;
      break;
    }
    if (d->kind == KIND_INOTIFY) { /* as the kernel wrote it */
      if (!room(d, (int)len)) break;
      memcpy(d->buf + d->tail, d->scratch + d->sc_off, (size_t)len);
      d->tail += (int)len;
    } else {
      if (!room(d, (int)len + PATH_ROOM + 8)) break;
      take_in(d, d->scratch + d->sc_off, (unsigned)len);
    }
    d->sc_off += (int)len;
    moved++;
  }
  if (d->sc_off >= d->sc_len) d->sc_off = d->sc_len = 0;
  return moved;
}

/* One read of the group, under the lock: by the thread when the group is readable, and
 * by JS when it finds the buffer empty (so that a non-blocking read right after an
 * access sees its event, as a read of the group itself would). A read takes at most
 * max_read bytes: the kernel opens an fd for every event it hands out, and an event it
 * cannot open one for is lost, so a read never asks for more events than fds to spare.
 * Returns the bytes read (0: nothing, no room, or an error kept for JS). */
static long fill(struct drain *d) {
  long got = 0;
  if (d->err) return 0;
  int moved = move_in(d);
  if (d->sc_len == 0) {
    do got = read(d->src, d->scratch, (size_t)d->max_read);
    while (got < 0 && *__errno_location() == EINTR);
    if (got < 0) {
      if (*__errno_location() != EAGAIN) {
        d->err = NEG_ERRNO;
        ring(d);
      }
    } else {
      d->sc_len = (int)got;
      moved += move_in(d);
    }
  }
  if (moved > 0) ring(d);
  return got > 0 ? got : 0;
}

/* How long the drain leaves new events to JS before it reads them itself. JS waits on
 * the group too (and on the bell): when it is free it reads first, one hop from the
 * kernel, and the drain only steps in for a JS thread that is busy, blocked or not
 * reading; once it has, it keeps reading without waiting until the group is empty. */
#define GRACE_MS 1

static int readable(int fd, int ms) {
  struct pollfd p = { fd, POLLIN, 0 };
  return poll(&p, 1, ms) > 0;
}

static void *drain_loop(void *arg) {
  struct drain *d = arg;
  /* named by itself, before any call (the fault-injection shim knows butter's threads by it) */
  pthread_setname_np(pthread_self(), "butter-drain");
  int draining = 0;
  for (;;) {
    pthread_mutex_lock(&d->mu);
    int wait = expire(d);
    /* full, or an error JS has not taken: the group is not read; JS taking events does
     * not wake this thread, so it looks again every 10 ms */
    int idle = d->err || d->sc_len > 0;
    if (idle && (wait < 0 || wait > 10)) wait = 10;
    pthread_mutex_unlock(&d->mu);
    struct pollfd fds[2] = { { d->wake, POLLIN, 0 }, { idle ? -1 : d->src, POLLIN, 0 } };
    int n = poll(fds, 2, wait);
    if (n < 0 && *__errno_location() != EINTR) {
      /* (ENOMEM, say): the thread must not end, or what waits would never be answered */
      struct timespec pause = { 0, RETRY_MS * 1000000L };
      nanosleep(&pause, 0);
      continue;
    }
    if (n <= 0) continue;
    if (fds[0].revents) {
      quiet(d->wake);
      if (d->stopping) break;
      continue; /* a new deadline: computed again at the top */
    }
    /* (n > 0 and not the wake fd: the group is readable) */
    if (!draining) {
      if (readable(d->wake, GRACE_MS) && d->stopping) break;
      if (!readable(d->src, 0)) continue; /* JS read them */
      draining = 1;
    }
    pthread_mutex_lock(&d->mu);
    long got = fill(d);
    pthread_mutex_unlock(&d->mu);
    if (got == 0 || !readable(d->src, 0)) draining = 0;
  }
  return 0;
}

/* Stops the thread and gives everything back: what waits is answered with the deadline's
 * answer, the fds of events JS never took are closed, and the group's fd too when
 * close_src (the collector's and the thread end's close; JS's close() closes it itself). */
static void shut(struct drain *d, int close_src) {
  pthread_mutex_lock(&d->mu);
  d->stopping = 1;
  pthread_mutex_unlock(&d->mu);
  poke(d->wake);
  pthread_join(d->thread, 0);
  for (int i = 0; i < d->npend; i++) {
    struct pending *p = &d->pend[i];
    if (!p->answered) respond(d, p->fd, (unsigned)d->deadline_resp);
    if (!p->taken && p->open) close(p->fd);
  }
  /* fanotify events read that never got into the buffer: their fds, and an answer for
   * each permission event among them (inotify's records hold nothing to give back) */
  for (int at = d->sc_off; d->kind == KIND_FANOTIFY && at + META_LEN <= d->sc_len;) {
    unsigned char *ev = d->scratch + at;
    int efd = *(int *)(ev + 16);
    if (efd >= 0) {
      if (*(unsigned *)(ev + 8) & PERM_EVENTS) respond(d, efd, (unsigned)d->deadline_resp);
      close(efd);
    }
    close_pidfds(ev);
    at += (int)*(unsigned *)ev;
  }
  /* events JS never took may hold fds (notification events with keep) and pidfds */
  for (int at = d->head; d->kind == KIND_FANOTIFY && at + META_LEN <= d->tail;) {
    unsigned char *ev = d->buf + at;
    int efd = *(int *)(ev + 16);
    if (efd >= 0 && (*(unsigned *)(ev + 8) & PERM_EVENTS) == 0) close(efd);
    close_pidfds(ev);
    at += (int)*(unsigned *)ev;
  }
  close(d->bell);
  close(d->wake);
  if (close_src) close(d->src);
  free(d->pend);
  struct drain **pp = &g_drains;
  while (*pp != d) pp = &(*pp)->next; /* (every drain is on the list from its start) */
  *pp = d->next;
  munmap(d, sizeof *d + (size_t)d->cap);
}

static void owner_ended(void *value) {
  (void)value;
  while (g_drains) shut(g_drains, 1);
  g_keyed = 0;
  pthread_key_delete(g_key);
}

/* Starts a drain of src (kind: KIND_FANOTIFY or KIND_INOTIFY) with a buffer of cap
 * bytes; *out = the drain. Returns the bell (an eventfd JS waits on), or -errno with *at:
 * 1 mmap, 2 eventfd, 3 pthread_key_create, 4 pthread_create. The drain and its buffer
 * are one anonymous mapping (zeroed). The deadline, its answer and keep are fanotify's. */
int bt_drain_open(int kind, int src, int cap, int max_read, int deadline_ms, int deadline_resp, int keep, struct drain **out, int *at) {
  bt_sigset all, old;
  int err;
  if (!g_keyed) {
    if ((err = pthread_key_create(&g_key, owner_ended))) { *at = 3; return -err; }
    g_keyed = 1;
    pthread_setspecific(g_key, (void *)1);
  }
  struct drain *d = mmap(0, sizeof *d + (size_t)cap, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
  if (d == MAP_FAILED) { *at = 1; return NEG_ERRNO; }
  d->kind = kind;
  d->src = src;
  d->buf = (unsigned char *)(d + 1);
  d->cap = cap;
  d->max_read = max_read < (int)sizeof d->scratch ? max_read : (int)sizeof d->scratch;
  d->deadline_ms = deadline_ms;
  d->deadline_resp = deadline_resp;
  d->keep = keep;
  d->bell = eventfd(0, O_CLOEXEC | O_NONBLOCK);
  if (d->bell < 0) { *at = 2; err = NEG_ERRNO; goto fail; }
  d->wake = eventfd(0, O_CLOEXEC | O_NONBLOCK);
  if (d->wake < 0) { *at = 2; err = NEG_ERRNO; close(d->bell); goto fail; }
  /* every signal blocked but SIGRTMAX (processSigmask reaches every thread with it) */
  bt_sigfillset(&all);
  all.v[0] &= ~(1ul << (__libc_current_sigrtmax() - 1));
  pthread_sigmask(SIG_BLOCK, &all, &old);
  err = pthread_create(&d->thread, 0, drain_loop, d);
  pthread_sigmask(SIG_SETMASK, &old, 0);
  if (err) { *at = 4; err = -err; close(d->bell); close(d->wake); goto fail; }
  d->next = g_drains;
  g_drains = d;
  *out = d;
  return d->bell;
fail:
  munmap(d, sizeof *d + (size_t)cap);
  return err;
}

/* Moves whole events from the buffer into out + n (up to len): the new n. Permission
 * events answered before JS took them say so in the reserved byte (their fd is -1:
 * closed); the others are JS's to hold from now. */
static int copy_out(struct drain *d, unsigned char *out, int n, int len) {
  while (d->head + hdr_len(d) <= d->tail) {
    int elen = (int)rec_len(d, d->buf + d->head); /* (whole: move_in checked it) */
    if (n + elen > len) break;
    unsigned char *ev = out + n;
    memcpy(ev, d->buf + d->head, (size_t)elen);
    d->head += elen;
    n += elen;
    if (d->kind == KIND_INOTIFY) continue;
    int efd = *(int *)(ev + 16);
    struct pending *p = efd >= 0 && (*(unsigned *)(ev + 8) & PERM_EVENTS) ? find_next(d, efd) : 0;
    if (p) {
      if (p->answered) {
        /* (its fd was closed when it was answered: let_go) */
        ev[5] = (unsigned char)p->answered;
        *(int *)(ev + 16) = -1;
        forget(d, p);
      } else {
        p->taken = 1;
      }
    }
  }
  return n;
}

/* Moves whole events into out (at most len bytes): what the drain holds, then what the
 * group has now (so that a read right after an access sees all of it, as a read of the
 * group itself would). The count of bytes, 0 when nothing is ready (the bell is quiet
 * again), or the read error the drain met (once). */
int bt_drain_take(struct drain *d, unsigned char *out, int len) {
  pthread_mutex_lock(&d->mu);
  int n = copy_out(d, out, 0, len);
  if (d->head == d->tail) {
    fill(d);
    n = copy_out(d, out, n, len);
  }
  move_in(d); /* (room again for events that waited in scratch) */
  if (d->head == d->tail) {
    d->head = d->tail = 0;
    quiet(d->bell);
  }
  int r = n;
  if (n == 0 && d->err) {
    r = d->err;
    d->err = 0;
  }
  pthread_mutex_unlock(&d->mu);
  return r;
}

/* JS answers a permission event it took: 0, -ENOENT when the drain answered it already
 * (the deadline), or the write's -errno (the event still waits then). */
int bt_drain_answer(struct drain *d, int efd, const void *resp, int len) {
  pthread_mutex_lock(&d->mu);
  struct pending *p = find_taken(d, efd);
  int r;
  if (!p || p->answered) {
    if (p) forget(d, p);
    r = -ENOENT_;
  } else {
    r = 0;
    for (;;) {
      long n = write(d->src, resp, (size_t)len);
      if (n >= 0) break;
      if (*__errno_location() != EINTR) { r = NEG_ERRNO; break; }
    }
    if (r == 0) forget(d, p);
  }
  pthread_mutex_unlock(&d->mu);
  return r;
}

/* 1 while a permission event JS took still waits for an answer, 0 once the drain gave it. */
int bt_drain_pending(struct drain *d, int efd) {
  pthread_mutex_lock(&d->mu);
  struct pending *p = find_taken(d, efd);
  int r = p && !p->answered;
  if (p && p->answered) forget(d, p);
  pthread_mutex_unlock(&d->mu);
  return r;
}

/* Blocks until events are ready, in the buffer or in the group (a blocking group's
 * readEvent). 0, or -errno. */
int bt_drain_wait(struct drain *d) {
  struct pollfd p[2] = { { d->bell, POLLIN, 0 }, { d->src, POLLIN, 0 } };
  for (;;) {
    int n = poll(p, 2, -1);
    if (n >= 0) return 0;
    if (*__errno_location() != EINTR) return NEG_ERRNO;
  }
}

/* JS's close() (close_src 0: FdObject closes the group) or the collector's (1). */
void bt_drain_close(struct drain *d, int close_src) { shut(d, close_src); }
