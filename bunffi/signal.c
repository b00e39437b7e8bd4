/* Signals: the 1:1 calls (pthread_sigmask(3), sigpending(2), signalfd(2), tgkill(2),
 * sigqueue(3)), and the process-wide machinery behind processSigmask and Signalfd's
 * holds.
 *
 * This file is compiled ONCE PER PROCESS (bunffi/load.ts, `shared`): every JS thread
 * (the main one and each Worker) calls the same copy, so its statics are the process's
 * state, as the kernel's dispositions and masks are. All of that state is changed under
 * one mutex, so concurrent callers on different threads wait their turn.
 *
 * Sets cross as one u64 (bit n-1 = signal n): the kernel's sigset is 64 bits.
 *
 * Changing every thread's mask: a thread's mask can only be changed by that thread, so
 * each other thread is sent the reserved signal (SIGRTMAX) with tgkill(2); the handler,
 * running in that thread, edits the mask the kernel restores when it returns (uc_sigmask
 * in the signal frame) and reports the old mask through a pipe. The handler stays
 * installed for the life of the process: a late SIGRTMAX can never hit the default
 * action (which ends the process).
 *
 * The same reach, with another request, enters a namespace on every thread
 * (processSetns): each thread runs unshare(CLONE_FS) (for a mount namespace), setns(2)
 * and chdir(2) itself, in the handler, and reports the errno.
 *
 * A hold on a signal: the signal is caught by on_held (which writes the siginfo_t to the
 * newest holder's pipe) and blocked in every thread. The holders are kept here, by
 * signal, newest last; the last release gives back each thread's own old bit and the old
 * disposition. A hold belongs to the thread that took it: when that thread ends (its
 * Worker ended), a pthread key destructor releases its holds and closes their fds. */
#include "butter.h"

/* glibc's struct sigaction (x86_64 and aarch64): handler, mask, flags, restorer */
struct bt_sigaction {
  void *handler;
  bt_sigset mask;
  int flags;
  void (*restorer)(void);
};
struct pollfd { int fd; short events; short revents; };

int sigaction(int sig, const struct bt_sigaction *act, struct bt_sigaction *old);
int sigpending(bt_sigset *set);
int signalfd(int fd, const bt_sigset *mask, int flags);
int tgkill(int pid, int tid, int sig);
int poll(struct pollfd *fds, unsigned long n, int timeout);
int gettid(void);
int getpid(void);
int open(const char *path, int flags, ...);
int fcntl(int fd, int cmd, ...);
void *opendir(const char *path);
void *readdir(void *dir);
int closedir(void *dir);
int nanosleep(const struct timespec *req, struct timespec *rem);
void *malloc(size_t n);
void *realloc(void *p, size_t n);
char *strstr(const char *haystack, const char *needle);
void free(void *p);
int pthread_mutex_lock(void *m);
int pthread_mutex_unlock(void *m);
int __libc_current_sigrtmin(void);
int __libc_current_sigrtmax(void);
int unshare(int flags);
int setns(int fd, int nstype);
int chdir(const char *path);

#define SA_SIGINFO 4
#define SA_RESTART 0x10000000
#define SIG_DFL ((void *)0)
#define SIG_IGN ((void *)1)
#define POLLIN 1
#define F_SETPIPE_SZ 1031
#define ESRCH 3
#define EAGAIN 11
#define ENOMEM 12
#define EIO 5
#define CLONE_FS 0x200
#define CLONE_NEWNS 0x20000

/* Where the signal frame's ucontext keeps the mask restored on return (the kernel's
 * struct ucontext: after uc_mcontext on x86_64, before it on arm64). */
#if defined(__x86_64__)
#define UC_SIGMASK 296
#elif defined(__aarch64__)
#define UC_SIGMASK 40
#else
#error "butter's signal helpers know the signal frame of x86_64 and aarch64 only"
#endif

/* Which call failed, for the JS side to name it (errors name the call that failed). */
enum { AT_NONE, AT_PIPE2, AT_SIGACTION, AT_TGKILL, AT_POLL, AT_PTHREAD_SIGMASK, AT_OPENDIR, AT_BUSY, AT_TIMEDOUT, AT_LIMIT, AT_OPEN, AT_KEY, AT_UNSHARE, AT_SETNS, AT_CHDIR };

/* glibc's PTHREAD_MUTEX_INITIALIZER is all zeros (a normal mutex) */
static union { char bytes[64]; long long align; } lock;
#define LOCK() pthread_mutex_lock(&lock)
#define UNLOCK() pthread_mutex_unlock(&lock)

static void to_set(bt_sigset *s, u64 bits) {
  for (int i = 0; i < 16; i++) s->v[i] = 0;
  s->v[0] = bits;
}

/* ---- the 1:1 calls ---- */

/* pthread_sigmask returns an error number instead of setting errno. A null set only
 * reads the mask. */
int bt_pthread_sigmask(int how, const u64 *set, u64 *old) {
  bt_sigset s, o;
  to_set(&s, set ? *set : 0);
  int r = pthread_sigmask(how, set ? &s : 0, &o);
  if (r != 0) return -r;
  *old = o.v[0];
  return 0;
}

int bt_sigpending(u64 *out) {
  bt_sigset s;
  if (sigpending(&s) < 0) return NEG_ERRNO;
  *out = s.v[0];
  return 0;
}

int bt_signalfd(int fd, const u64 *mask, int flags) {
  bt_sigset s;
  to_set(&s, *mask);
  RET(signalfd(fd, &s, flags));
}

int bt_tgkill(int tgid, int tid, int sig) { RET(tgkill(tgid, tid, sig)); }

union bt_sigval { int i; void *p; };
int sigqueue(int pid, int sig, union bt_sigval value);
/* sigqueue(3) with an integer value (sival_int; sival_ptr shares its low bytes). */
int bt_sigqueue(int pid, int sig, int value) {
  union bt_sigval v;
  v.p = 0;
  v.i = value;
  RET(sigqueue(pid, sig, v));
}

/* Waits until fd a or fd b is readable (a held Signalfd's pipe and signalfd). */
int bt_wait_either(int a, int b) {
  struct pollfd p[2] = { { a, POLLIN, 0 }, { b, POLLIN, 0 } };
  RET(poll(p, 2, -1));
}

int bt_sigrtmin(void) { return __libc_current_sigrtmin(); }
int bt_sigrtmax(void) { return __libc_current_sigrtmax(); }

/* ---- changing every thread's mask ---- */

static int reports[2] = { -1, -1 }; /* handler -> requester: struct report */
static int claims[2] = { -1, -1 };  /* requester -> handler: one token per request */
static volatile int edit_target;    /* the thread the request in flight is for */
static volatile u64 edit_clear, edit_add;
static int edit_sig;                /* SIGRTMAX, once the handler is installed */

struct report { long tid; u64 old; };

/* What a request asks: edit the mask (processSigmask, holds) or enter a namespace. */
enum { OP_MASK, OP_SETNS };
static volatile int edit_op;
static volatile int ns_fd, ns_type, ns_back_fd;
static const char *volatile ns_dir;
static const char *volatile ns_back_dir;

/* Enters the namespace of the request in the calling thread: a thread of its own
 * filesystem attributes first for a mount namespace (setns refuses a shared fs_struct),
 * then the directory asked for (setns leaves the thread at the namespace's root). 0, or
 * the errno with *at the step. A thread that entered but could not change directory goes
 * back (ns_back_fd, ns_back_dir) before it says so: a failed thread is where it was. */
static int enter_ns(int *at) {
  if (ns_type == CLONE_NEWNS && unshare(CLONE_FS) < 0) { *at = AT_UNSHARE; return *__errno_location(); }
  if (setns(ns_fd, ns_type) < 0) { *at = AT_SETNS; return *__errno_location(); }
  if (ns_dir && chdir(ns_dir) < 0) {
    int e = *__errno_location();
    *at = AT_CHDIR;
    if (ns_back_fd >= 0 && setns(ns_back_fd, ns_type) == 0 && ns_back_dir) chdir(ns_back_dir);
    return e;
  }
  return 0;
}

/* Runs in the thread that was sent the request. The token makes a request answered at
 * most once: a thread that takes it edits its mask and reports; a request that timed out
 * takes its token back first, so a handler that runs late changes nothing. */
static void on_edit(int sig, void *info, void *ctx) {
  (void)sig;
  (void)info;
  int saved = *__errno_location();
  int me = gettid();
  char token;
  if (me == edit_target && read(claims[0], &token, 1) == 1) {
    u64 *mask = (u64 *)((char *)ctx + UC_SIGMASK);
    struct report r = { me, *mask };
    if (edit_op == OP_SETNS) {
      int at = AT_NONE, e = enter_ns(&at);
      r.old = (u64)e | (u64)at << 32; /* the errno, and the step that failed */
    } else *mask = (r.old & ~edit_clear) | edit_add;
    write(reports[1], &r, sizeof r); /* 16 bytes: atomic on a pipe */
  }
  *__errno_location() = saved;
}

/* Installs one of butter's handlers for sig, the disposition it replaces to *old (when
 * not null). Everything is blocked while it runs: on_edit must not take, between its
 * report and the return that installs the new mask, a signal the thread is about to
 * block; on_held writes one record at a time. 0 or -errno. */
static int install_handler(int sig, void (*handler)(int, void *, void *), struct bt_sigaction *old) {
  struct bt_sigaction act;
  act.handler = (void *)handler;
  bt_sigfillset(&act.mask);
  act.flags = SA_SIGINFO | SA_RESTART;
  act.restorer = 0;
  return sigaction(sig, &act, old) < 0 ? NEG_ERRNO : 0;
}

/* Installs on_edit for `sig` once. -EBUSY when some other handler owns it. */
static int install_editor(int sig, int *where) {
  if (edit_sig == sig) return 0;
  struct bt_sigaction old;
  int err;
  if (sigaction(sig, 0, &old) < 0) { *where = AT_SIGACTION; return NEG_ERRNO; }
  if (old.handler != SIG_DFL && old.handler != SIG_IGN) { /* (ours returned above: edit_sig) */
    *where = AT_BUSY;
    return -EBUSY;
  }
  if (reports[0] < 0) {
    if (pipe2(reports, O_CLOEXEC) < 0) { *where = AT_PIPE2; return NEG_ERRNO; }
    if (pipe2(claims, O_CLOEXEC | O_NONBLOCK) < 0) {
      int e = NEG_ERRNO;
      close(reports[0]);
      close(reports[1]);
      reports[0] = reports[1] = -1;
      *where = AT_PIPE2;
      return e;
    }
  }
  if ((err = install_handler(sig, on_edit, 0))) { *where = AT_SIGACTION; return err; }
  edit_sig = sig;
  return 0;
}

/* A thread's blocked set from /proc: 0 when read, 1 when the thread is gone, -errno when
 * /proc could not be read. */
static int thread_blocked(int tid, u64 *out) {
  char path[64], buf[2048];
  char *p = path;
  const char *pre = "/proc/self/task/";
  while (*pre) *p++ = *pre++;
  char digits[16];
  int n = 0, t = tid;
  do { digits[n++] = (char)('0' + t % 10); t /= 10; } while (t > 0);
  while (n > 0) *p++ = digits[--n];
  const char *post = "/status";
  while (*post) *p++ = *post++;
  *p = 0;
  int fd = open(path, 0 /* O_RDONLY */ | O_CLOEXEC);
  if (fd < 0) {
    int e = *__errno_location();
    return e == ENOENT || e == ESRCH ? 1 : -e;
  }
  long got = read(fd, buf, sizeof buf - 1);
  int e = *__errno_location();
  close(fd);
  if (got < 0) return e == ESRCH ? 1 : -e;
  if (got == 0) return 1;
  buf[got] = 0;
  /* The kernel writes the set as "\nSigBlk:\t" and 16 lowercase hex digits
   * (render_sigset_t: _NSIG is 64 on every architecture butter runs on). */
  const char *s = strstr(buf, "\nSigBlk:\t");
  if (!s) return -EIO;
  s += 9;
  u64 v = 0;
  /* a hex digit's value without branches: '0'-'9' are 0x30-0x39, 'a'-'f' 0x61-0x66 */
  for (int i = 0; i < 16; i++) v = v << 4 | (u64)((s[i] & 15) + 9 * (s[i] >> 6));
  *out = v;
  return 0;
}

static const u64 UNBLOCKABLE = (1ull << 8) | (1ull << 18); /* SIGKILL, SIGSTOP */

struct tidmask { int tid; u64 mask; };
struct tidlist { struct tidmask *v; int n, cap; };

static int push(struct tidlist *l, int tid, u64 mask) {
  if (l->n == l->cap) {
    int cap = l->cap ? l->cap * 2 : 32;
    struct tidmask *v = realloc(l->v, (size_t)cap * sizeof *v);
    if (!v) return -ENOMEM;
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n].tid = tid;
  l->v[l->n].mask = mask;
  l->n++;
  return 0;
}
static int find(const struct tidlist *l, int tid) {
  for (int i = 0; i < l->n; i++) if (l->v[i].tid == tid) return i;
  return -1;
}

/* The edit for each thread: (mask & ~clear) | add, where `add` is the thread's own entry
 * in `per` when it has one, else `add_default`. With `op` OP_SETNS, instead: enter the
 * namespace ns_fd/ns_type (and ns_dir); a thread that cannot be reached (it blocks
 * SIGRTMAX) goes to `skipped`, and an undo enters `undo_fd` (and `undo_dir`). */
struct edit {
  u64 clear, add_default;
  const struct tidlist *per;
  int op;
  struct tidlist *skipped;
  int undo_fd;
  const char *undo_dir;
};
static u64 add_for(const struct edit *e, int tid) {
  int i = e->per ? find(e->per, tid) : -1;
  return (i >= 0 ? e->per->v[i].mask : e->add_default) & ~UNBLOCKABLE;
}

static const u64 ALL_BLOCKABLE = ~((1ull << 8) | (1ull << 18));

/* Asks thread `tid` to edit its mask; 0 with *old set, -ESRCH when it is gone, or
 * -errno. *changed says whether the thread did change its mask (with *old set): a wait
 * that failed after the thread took the request still reads its answer, so that the
 * change can be undone. */
static int reach(int pid, int tid, u64 clear, u64 add, u64 *old, int timeout_ms, int *where, int *changed) {
  char token = 1;
  struct report r;
  *changed = 0;
  edit_clear = clear;
  edit_add = add;
  edit_target = tid;
  if (write(claims[1], &token, 1) != 1) { edit_target = 0; *where = AT_LIMIT; return -EAGAIN; } /* 64 Ki stale tokens */
  if (tgkill(pid, tid, edit_sig) < 0) {
    int e = NEG_ERRNO;
    read(claims[0], &token, 1); /* take the token back */
    edit_target = 0;
    *where = AT_TGKILL;
    return e;
  }
  for (;;) {
    struct pollfd p = { reports[0], POLLIN, 0 };
    int n = poll(&p, 1, timeout_ms);
    if (n < 0 && *__errno_location() == EINTR) continue;
    if (n <= 0) {
      int e = n < 0 ? NEG_ERRNO : -ETIMEDOUT;
      *where = n < 0 ? AT_POLL : AT_TIMEDOUT;
      if (read(claims[0], &token, 1) != 1) {
        /* the thread took the request: its answer is on the way (the reports pipe
         * blocks), and its change must be known to be undone */
        if (read(reports[0], &r, sizeof r) == sizeof r) { *old = r.old; *changed = 1; }
        edit_target = 0;
        return e;
      }
      edit_target = 0;
      u64 ignored;
      if (n == 0 && thread_blocked(tid, &ignored) == 1) { *where = AT_NONE; return -ESRCH; } /* it ended meanwhile */
      return e;
    }
    if (read(reports[0], &r, sizeof r) != sizeof r) { edit_target = 0; *where = AT_POLL; return -EIO; }
    edit_target = 0;
    *old = r.old;
    *changed = 1;
    return 0;
  }
}

static void sleep_ms(int ms) {
  struct timespec ts = { 0, ms * 1000000L };
  nanosleep(&ts, 0);
}

/* Edits the mask of every thread of the process (see struct edit); each thread reached
 * (this one included) is added to *olds with its old mask. All or nothing: on an error,
 * every thread already changed gets its old bits back. Call with the lock held.
 *
 * Threads keep being born: the task list is read again until a pass reaches no new
 * thread. A thread that blocks SIGRTMAX cannot be reached. One being born or ending
 * blocks every signal for a moment (glibc), so a thread that blocks them all is looked
 * at again for up to 500 passes of 1 ms (a birth on a loaded or emulated machine took
 * longer than 50: the aarch64 guest; it then kept the mask it was born with, the
 * holder's bit included); one that keeps blocking SIGRTMAX is left as it is when it
 * would only have to unblock (the safe side), and is EBUSY when it would have to block
 * more. Its old mask is not recorded: a release gives it the holder's bit. */
static int edit_all(const struct edit *e, struct tidlist *olds, int timeout_ms, int *where, int *bad_tid) {
  int pid = getpid(), self = gettid(), err = 0, sig = __libc_current_sigrtmax();
  u64 sigbit = 1ull << (sig - 1);
  struct tidlist unreached = { 0, 0, 0 };
  if ((err = install_editor(sig, where))) return err;
  edit_op = e->op;
  if (e->op == OP_SETNS) {
    int e2 = enter_ns(where);
    if (e2) return -e2;
    if ((err = push(olds, self, 0))) { *where = AT_LIMIT; goto undo; }
  } else {
    bt_sigset s, o;
    int r = pthread_sigmask(SIG_SETMASK, 0, &o);
    if (r == 0) {
      to_set(&s, (o.v[0] & ~e->clear) | add_for(e, self));
      r = pthread_sigmask(SIG_SETMASK, &s, 0);
    }
    if (r != 0) { *where = AT_PTHREAD_SIGMASK; return -r; }
    if ((err = push(olds, self, o.v[0]))) { *where = AT_LIMIT; goto undo; }
  }
  for (int pass = 0, waited = 0;; pass++) {
    if (pass > 1000) { *where = AT_LIMIT; err = -EAGAIN; goto undo; }
    int reached = 0, transient = 0;
    unreached.n = 0;
    void *dir = opendir("/proc/self/task");
    if (!dir) { *where = AT_OPENDIR; err = NEG_ERRNO; goto undo; }
    for (char *ent; (ent = readdir(dir));) {
      const char *name = ent + 19; /* glibc's struct dirent: ino, off, reclen, type, name */
      if (name[0] == '.') continue; /* "." and "..": the rest are thread ids */
      int tid = 0;
      for (const char *c = name; *c; c++) tid = tid * 10 + (*c - '0');
      if (find(olds, tid) >= 0) continue;
      u64 blocked, old;
      int st = thread_blocked(tid, &blocked);
      if (st == 1) continue; /* ended */
      if (st < 0) { closedir(dir); *where = AT_OPEN; *bad_tid = tid; err = st; goto undo; }
      if (blocked & sigbit) {
        if ((blocked & ALL_BLOCKABLE) == ALL_BLOCKABLE) transient++;
        if ((err = push(&unreached, tid, blocked))) { closedir(dir); *where = AT_LIMIT; goto undo; }
        continue;
      }
      int changed, r = reach(pid, tid, e->clear, add_for(e, tid), &old, timeout_ms, where, &changed);
      if (changed && e->op == OP_SETNS && (int)old != 0) { /* it could not enter: nothing changed there */
        closedir(dir);
        *bad_tid = tid;
        *where = (int)(old >> 32);
        err = -(int)old;
        goto undo;
      }
      if (changed && (err = push(olds, tid, old))) { closedir(dir); *where = AT_LIMIT; goto undo; }
      if (r == -ESRCH) continue;
      if (r < 0) { closedir(dir); *bad_tid = tid; err = r; goto undo; }
      reached = 1;
    }
    closedir(dir);
    if (reached) continue;                   /* threads may have been born meanwhile */
    if (transient == 0 || waited >= 500) break;
    sleep_ms(1);
    waited++;
  }
  for (int i = 0; i < unreached.n && e->op == OP_SETNS; i++)
    if ((err = push(e->skipped, unreached.v[i].tid, unreached.v[i].mask))) { *where = AT_LIMIT; goto undo; }
  for (int i = 0; i < unreached.n && e->op == OP_MASK; i++) {
    u64 blocked = unreached.v[i].mask;
    if (add_for(e, unreached.v[i].tid) & ~blocked) {
      *bad_tid = unreached.v[i].tid;
      *where = AT_BUSY;
      err = -EBUSY;
      goto undo;
    }
  }
  free(unreached.v);
  return 0;

undo:
  free(unreached.v);
  if (e->op == OP_SETNS) {
    /* the threads already moved go back where they were */
    ns_fd = e->undo_fd;
    ns_dir = e->undo_dir;
    ns_back_fd = -1;
    for (int i = 0; i < olds->n; i++) {
      int tid = olds->v[i].tid, ignored_where, ignored_changed;
      u64 ignored;
      if (tid == self) enter_ns(&ignored_where);
      else reach(pid, tid, 0, 0, &ignored, timeout_ms, &ignored_where, &ignored_changed);
    }
    e->skipped->n = 0; /* (OP_SETNS always has its list: bt_process_setns) */
    olds->n = 0;
    return err;
  }
  /* the threads already changed get their old bits for what was edited */
  for (int i = 0; i < olds->n; i++) {
    int tid = olds->v[i].tid, ignored_where;
    u64 bits = e->clear | add_for(e, tid), back = olds->v[i].mask & bits, ignored;
    if (tid == self) {
      bt_sigset s, o;
      pthread_sigmask(SIG_SETMASK, 0, &o);
      to_set(&s, (o.v[0] & ~bits) | back);
      pthread_sigmask(SIG_SETMASK, &s, 0);
    } else {
      int ignored_changed;
      reach(pid, tid, bits, back, &ignored, timeout_ms, &ignored_where, &ignored_changed);
    }
  }
  olds->n = 0;
  return err;
}

/* processSigmask: every thread's mask becomes (mask & ~clear) | add. Returns 0 with
 * *old the calling thread's old mask, or -errno with *where and *bad_tid set. */
int bt_process_mask(const u64 *clear, const u64 *add, u64 *old, int timeout_ms, int *where) {
  struct edit e = { *clear, *add, 0, OP_MASK, 0, -1, 0 };
  struct tidlist olds = { 0, 0, 0 };
  where[0] = AT_NONE;
  where[1] = 0;
  LOCK();
  int r = edit_all(&e, &olds, timeout_ms, &where[0], &where[1]);
  UNLOCK();
  if (r == 0) *old = olds.v[0].mask;
  free(olds.v);
  return r;
}

/* processSetns: every thread enters the namespace `fd` of type `type` (and, with `dir`,
 * that directory). Threads that block SIGRTMAX cannot be reached: up to `max` of them
 * are listed in skipped[] (tids) and *nskipped says how many there were. All or nothing:
 * on an error every thread already moved enters `undo_fd` (and `undo_dir`) again.
 * Returns how many threads were moved, or -errno with where[0] the step and where[1] the
 * thread. */
int bt_process_setns(int fd, int type, const char *dir, int undo_fd, const char *undo_dir, int timeout_ms,
                     int *skipped, int max, int *nskipped, int *where) {
  struct tidlist olds = { 0, 0, 0 }, skip = { 0, 0, 0 };
  struct edit e = { 0, 0, 0, OP_SETNS, &skip, undo_fd, undo_dir };
  where[0] = AT_NONE;
  where[1] = 0;
  LOCK();
  ns_fd = fd;
  ns_type = type;
  ns_dir = dir;
  ns_back_fd = undo_fd;
  ns_back_dir = undo_dir;
  int r = edit_all(&e, &olds, timeout_ms, &where[0], &where[1]);
  edit_op = OP_MASK;
  ns_dir = ns_back_dir = 0;
  ns_back_fd = -1;
  UNLOCK();
  if (r == 0) r = olds.n;
  *nskipped = skip.n;
  for (int i = 0; i < skip.n && i < max; i++) skipped[i] = skip.v[i].tid;
  free(olds.v);
  free(skip.v);
  return r;
}

/* ---- holds ---- */

static volatile int route[65];  /* signal -> write end of its newest holder's pipe, 0: none */
static volatile long lost[65];  /* by signal: caught signals that did not fit in a pipe */
/* Records written to any holder's pipe, ever. JS reads it as memory, without a call: a
 * Signalfd that just had a signal reads its pipe again only when this moved (a read
 * that says EAGAIN costs as much as the signalfd's own). Incremented after the write,
 * so a reader that missed one finds it in its next read, after a wait or an empty one. */
static volatile int caught_seq;
static struct bt_sigaction saved[65]; /* the disposition before the first hold */
static int saved_count[65];          /* how many times each signal was ever held */
/* Each thread's mask when a hold first blocked its signals. One per hold, shared by
 * every signal it blocked, and moved in from edit_all's own list: so nothing is
 * allocated after the masks changed, where a failure could no longer undo cleanly. */
struct snapshot { struct tidlist l; int refs; };
static struct snapshot *before[65];  /* by signal, while it is held */
static int before_default[65];       /* the holding thread's own bit: for threads born since */
static void drop_snapshot(int sig) {
  struct snapshot *s = before[sig];
  before[sig] = 0;
  if (s && --s->refs == 0) {
    free(s->l.v);
    free(s);
  }
}

struct holder { int sig, pipe_rd, pipe_wr, sfd, owner; };
#define MAX_HOLDERS 1024
static struct holder holders[MAX_HOLDERS];
static int nholders;

static pthread_key_t owner_key;
static int owner_key_made;

static void on_held(int sig, void *info, void *ctx) {
  (void)ctx;
  int saved_errno = *__errno_location();
  int fd = route[sig]; /* (installed only for 1..64, so the kernel passes only those) */
  if (fd <= 0 || write(fd, info, 128) != 128) lost[sig]++;
  else caught_seq++;
  *__errno_location() = saved_errno;
}

/* A pipe for caught signals: non-blocking, close-on-exec, 1 MiB when allowed (8192
 * records; the default 64 KiB holds 512). */
int bt_catch_pipe(int *fds) {
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) return NEG_ERRNO;
  fcntl(fds[1], F_SETPIPE_SZ, 1 << 20); /* best effort: capped by fs.pipe-max-size */
  return 0;
}

static int holders_of(int sig) {
  int n = 0;
  for (int i = 0; i < nholders; i++) if (holders[i].sig == sig) n++;
  return n;
}
static int newest_pipe(int sig) {
  for (int i = nholders - 1; i >= 0; i--) if (holders[i].sig == sig) return holders[i].pipe_wr;
  return 0;
}

static int catch_sig(int sig) {
  saved_count[sig]++;
  return install_handler(sig, on_held, &saved[sig]);
}
static int catch_sig_keep(int sig) { return install_handler(sig, on_held, 0); }

/* Puts back the disposition the first hold replaced, unless someone replaced ours since
 * (Bun's own handler for a process.on listener): theirs stays. */
static int uncatch_sig(int sig) {
  struct bt_sigaction now;
  if (sigaction(sig, 0, &now) < 0) return NEG_ERRNO;
  if (now.handler != (void *)on_held) return 0;
  return sigaction(sig, &saved[sig], 0) < 0 ? NEG_ERRNO : 0;
}

static void owner_ended(void *value);

/* Holds signals `sigs` (a u64 mask) for the pipe (rd, wr) and signalfd `sfd` of the
 * calling thread's Signalfd. Signals not yet held are caught, then blocked in every
 * thread. All or nothing: returns 0, or -errno with where[0] the failing call (and
 * where[1] the thread, if one was at fault). */
int bt_hold(const u64 *sigs, int pipe_rd, int pipe_wr, int sfd, int timeout_ms, int *where) {
  u64 fresh = 0, caught = 0;
  int err = 0, self = gettid();
  where[0] = AT_NONE;
  where[1] = 0;
  LOCK();
  if (!owner_key_made) {
    if ((err = -pthread_key_create(&owner_key, owner_ended))) { where[0] = AT_KEY; goto out; }
    owner_key_made = 1;
  }
  int count = 0;
  for (int s = 1; s <= 64; s++) if (*sigs >> (s - 1) & 1) count++;
  if (nholders + count > MAX_HOLDERS) { where[0] = AT_LIMIT; err = -EAGAIN; goto out; }
  for (int s = 1; s <= 64; s++) {
    if (!(*sigs >> (s - 1) & 1) || holders_of(s) > 0) continue;
    fresh |= 1ull << (s - 1);
  }
  /* Caught before blocked: an idle loop thread takes signals whatever its mask, so a
   * signal must never find the hold half-made with its default action. */
  for (int s = 1; s <= 64; s++) {
    if (!(fresh >> (s - 1) & 1)) continue;
    route[s] = pipe_wr;
    if ((err = catch_sig(s))) { where[0] = AT_SIGACTION; goto undo; }
    caught |= 1ull << (s - 1);
  }
  if (fresh) {
    struct snapshot *snap = malloc(sizeof *snap);
    if (!snap) { where[0] = AT_LIMIT; err = -ENOMEM; goto undo; }
    struct edit e = { 0, fresh, 0, OP_MASK, 0, -1, 0 };
    struct tidlist olds = { 0, 0, 0 };
    if ((err = edit_all(&e, &olds, timeout_ms, &where[0], &where[1]))) {
      free(olds.v);
      free(snap);
      goto undo;
    }
    snap->l = olds;
    snap->refs = 0;
    int mine = find(&olds, self);
    for (int s = 1; s <= 64; s++) {
      if (!(fresh >> (s - 1) & 1)) continue;
      drop_snapshot(s); /* (there is none: a signal's record ends with its last hold) */
      before[s] = snap;
      snap->refs++;
      before_default[s] = mine >= 0 && (olds.v[mine].mask >> (s - 1) & 1);
    }
  }
  for (int s = 1; s <= 64; s++) {
    if (!(*sigs >> (s - 1) & 1)) continue;
    struct holder h = { s, pipe_rd, pipe_wr, sfd, self };
    holders[nholders++] = h;
    route[s] = pipe_wr;
  }
  pthread_setspecific(owner_key, (void *)1); /* non-null: the destructor runs at its end */
  goto out;
undo:
  for (int s = 1; s <= 64; s++) {
    if (!(caught >> (s - 1) & 1)) continue;
    sigaction(s, &saved[s], 0);
  }
  for (int s = 1; s <= 64; s++) if (fresh >> (s - 1) & 1) route[s] = newest_pipe(s);
out:
  UNLOCK();
  return err;
}

/* Releases every hold of the pipe whose write end is `pipe_wr`. When a signal's last
 * holder goes, each thread gets back its own old bit (a thread born since: the holding
 * thread's), then the old disposition. All or nothing. With `close_fds`, the holds' pipe
 * ends and signalfd are closed too, once released: CLOSE_OTHERS from close() (JS closes
 * its own fd, the read end, after), CLOSE_OTHERS | CLOSE_READ for a Signalfd dropped
 * without close() or whose thread ended. Call with the lock held. */
#define CLOSE_OTHERS 1 /* the pipe's write end and the signalfd */
#define CLOSE_READ 2   /* the pipe's read end (the JS object's own fd) */
static int release(int pipe_wr, int close_fds, int timeout_ms, int *where) {
  struct holder gone[64];
  int ngone = 0, err = 0;
  u64 ending = 0, uncaught = 0;
  for (int i = 0; i < nholders;) {
    if (holders[i].pipe_wr != pipe_wr || ngone == 64) { i++; continue; }
    gone[ngone++] = holders[i];
    for (int j = i; j + 1 < nholders; j++) holders[j] = holders[j + 1];
    nholders--;
  }
  if (ngone == 0) return 0;
  for (int g = 0; g < ngone; g++) if (holders_of(gone[g].sig) == 0) ending |= 1ull << (gone[g].sig - 1);
  if (ending) {
    /* each thread's own old bits for the ending signals; a thread not seen then (born
     * since) gets the holding thread's */
    struct tidlist per = { 0, 0, 0 }, olds = { 0, 0, 0 };
    u64 dflt = 0;
    for (int s = 1; s <= 64; s++) if (ending >> (s - 1) & 1 && before_default[s]) dflt |= 1ull << (s - 1);
    for (int s = 1; s <= 64 && !err; s++) {
      if (!(ending >> (s - 1) & 1)) continue;
      for (int i = 0; i < before[s]->l.n && !err; i++) {
        int tid = before[s]->l.v[i].tid;
        if (find(&per, tid) >= 0) continue;
        u64 bits = 0;
        for (int t = 1; t <= 64; t++) {
          if (!(ending >> (t - 1) & 1)) continue;
          int k = find(&before[t]->l, tid);
          u64 bit = 1ull << (t - 1);
          if (k >= 0 ? before[t]->l.v[k].mask & bit : before_default[t]) bits |= bit;
        }
        if (push(&per, tid, bits)) { where[0] = AT_LIMIT; err = -ENOMEM; }
      }
    }
    struct edit e = { ending, dflt, &per, OP_MASK, 0, -1, 0 };
    if (!err) err = edit_all(&e, &olds, timeout_ms, &where[0], &where[1]);
    free(per.v);
    free(olds.v);
    for (int s = 1; s <= 64 && !err; s++) {
      if (!(ending >> (s - 1) & 1)) continue;
      if ((err = uncatch_sig(s))) { where[0] = AT_SIGACTION; break; }
      uncaught |= 1ull << (s - 1);
    }
    if (err && uncaught != ending && (uncaught || where[0] == AT_SIGACTION)) {
      /* the masks were given back but a disposition was not: hold them again, whole */
      for (int s = 1; s <= 64; s++) if (uncaught >> (s - 1) & 1) catch_sig(s);
      struct edit again = { 0, ending, 0, OP_MASK, 0, -1, 0 };
      struct tidlist o2 = { 0, 0, 0 };
      int w2[2];
      edit_all(&again, &o2, timeout_ms, &w2[0], &w2[1]);
      free(o2.v);
    }
  }
  if (err) {
    for (int g = 0; g < ngone; g++) holders[nholders++] = gone[g];
    for (int g = 0; g < ngone; g++) route[gone[g].sig] = newest_pipe(gone[g].sig);
    return err;
  }
  for (int g = 0; g < ngone; g++) route[gone[g].sig] = newest_pipe(gone[g].sig);
  for (int s = 1; s <= 64; s++) if (ending >> (s - 1) & 1) drop_snapshot(s);
  if (close_fds & CLOSE_OTHERS) {
    close(gone[0].pipe_wr);
    if (gone[0].sfd >= 0) close(gone[0].sfd);
  }
  if (close_fds & CLOSE_READ) close(gone[0].pipe_rd); /* (a hold always has its pipe) */
  return 0;
}

int bt_release(int pipe_wr, int close_fds, int timeout_ms, int *where) {
  where[0] = AT_NONE;
  where[1] = 0;
  LOCK();
  int r = release(pipe_wr, close_fds, timeout_ms, where);
  UNLOCK();
  return r;
}

/* The thread that took holds has ended (its Worker ended): release them, close their fds. */
static void owner_ended(void *value) {
  (void)value;
  int self = gettid(), where[2];
  LOCK();
  for (int i = 0; i < nholders;) {
    if (holders[i].owner != self) { i++; continue; }
    int before_n = nholders;
    release(holders[i].pipe_wr, CLOSE_OTHERS | CLOSE_READ, 2000, where);
    if (nholders == before_n) i++; /* could not be released: leave it */
  }
  UNLOCK();
}

/* Puts butter's handler back on every held signal whose disposition someone replaced.
 * Bun installs its own handler when a process.on listener is added; when the last one
 * goes it installs what it found there before (measured: butter's handler's address,
 * but with Bun's own flags, without SA_SIGINFO, so the handler would be called without
 * its siginfo), or the default. What the last release restores follows: the foreign
 * handler while it is there, and what was there before it once it has gone. */
static struct bt_sigaction before_foreign[65];
int bt_reassert(void) {
  int err = 0;
  LOCK();
  for (int s = 1; s <= 64; s++) {
    struct bt_sigaction now;
    if (holders_of(s) == 0) {
      /* Not held: Bun, removing its last listener, may have put back a stale copy of
       * butter's handler (without SA_SIGINFO); what belongs there is the default. */
      if (saved_count[s] == 0) continue; /* never held: nothing of butter's can be there */
      if (sigaction(s, 0, &now) < 0) { err = NEG_ERRNO; continue; }
      if (now.handler == (void *)on_held) {
        struct bt_sigaction dfl;
        dfl.handler = SIG_DFL;
        to_set(&dfl.mask, 0);
        dfl.flags = 0;
        dfl.restorer = 0;
        if (sigaction(s, &dfl, 0) < 0) err = NEG_ERRNO;
      }
      continue;
    }
    if (sigaction(s, 0, &now) < 0) { err = NEG_ERRNO; continue; }
    int ours = now.handler == (void *)on_held;
    if (ours && (now.flags & SA_SIGINFO)) continue; /* untouched */
    if (catch_sig_keep(s) < 0) { err = NEG_ERRNO; continue; }
    if (ours) {
      saved[s] = before_foreign[s]; /* the foreign handler went, giving back ours */
    } else {
      before_foreign[s] = saved[s];
      saved[s] = now;
    }
  }
  UNLOCK();
  return err;
}

/* How many holders each signal has: out[s] for s in 1..64. */
void bt_held(int *out) {
  LOCK();
  for (int s = 0; s <= 64; s++) out[s] = s ? holders_of(s) : 0;
  UNLOCK();
}

long bt_lost(int sig) { return lost[sig]; }
int *bt_caught_seq(void) { return (int *)&caught_seq; }

/* The machinery's own fds, which live as long as the process (for leak accounting):
 * the report pipe and the claim pipe, -1 before the first use. */
void bt_machinery_fds(int *out) {
  out[0] = reports[0]; out[1] = reports[1]; out[2] = claims[0]; out[3] = claims[1];
}
