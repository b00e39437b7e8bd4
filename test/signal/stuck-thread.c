/* A thread that cannot answer butter's SIGRTMAX for a while, for the tests of
 * processSigmask's waits (test/signal/stuck.test.ts). Compiled with bun:ffi's cc in a
 * child process; header-free, as butter's own helpers are.
 *   in_vfork:   the thread waits in vfork(2) for a child that sleeps, a wait only a fatal
 *               signal ends: a handler runs only after it (its mask blocks nothing);
 *               then it stays, idle.
 *   in_handler: the thread runs a handler that sleeps with every signal blocked (its
 *               mask, as /proc shows it, blocks everything). */
typedef unsigned long pthread_t;
struct timespec { long sec, nsec; };
int pthread_create(pthread_t *t, const void *attr, void *(*fn)(void *), void *arg);
int vfork(void);
void _exit(int status);
int waitpid(int pid, int *status, int options);
int nanosleep(const struct timespec *req, struct timespec *rem);
int getpid(void);
int gettid(void);
int tgkill(int tgid, int tid, int sig);
int sigaction(int sig, const void *act, void *old);

static volatile int tid;
static volatile int ms;

static void sleep_ms(int n) {
  struct timespec ts = { n / 1000, (long)(n % 1000) * 1000000L };
  nanosleep(&ts, 0);
}

static void *in_vfork(void *arg) {
  (void)arg;
  tid = gettid();
  int pid = vfork();
  if (pid == 0) {
    sleep_ms(ms);
    _exit(0);
  }
  waitpid(pid, 0, 0);
  for (;;) sleep_ms(1000); /* (alive, so that its mask can be read after) */
  return 0;
}

/* glibc's struct sigaction on x86-64 and aarch64: handler, mask (128 bytes), flags, restorer */
struct gsigaction { void *handler; unsigned long mask[16]; int flags; void *restorer; };
static void sleeper(int sig) {
  (void)sig;
  sleep_ms(ms);
}
static void *idle(void *arg) {
  (void)arg;
  tid = gettid();
  for (;;) sleep_ms(1000);
  return 0;
}

/* Starts the thread; returns its tid (after it is in place). how: 0 vfork, 1 handler (on
 * signal sig, which this installs with every signal blocked while it runs). */
int stuck_start(int how, int duration_ms, int sig) {
  pthread_t t;
  ms = duration_ms;
  tid = 0;
  if (how == 1) {
    struct gsigaction act;
    act.handler = (void *)sleeper;
    for (int i = 0; i < 16; i++) act.mask[i] = ~0ul;
    act.flags = 0;
    act.restorer = 0;
    if (sigaction(sig, &act, 0) < 0) return -1;
  }
  if (pthread_create(&t, 0, how == 0 ? in_vfork : idle, 0) != 0) return -1;
  while (!tid) sleep_ms(1);
  if (how == 1 && tgkill(getpid(), tid, sig) < 0) return -1;
  sleep_ms(50); /* in vfork's wait, or in the handler, by now */
  return tid;
}

/* A thread that blocks the signals of `mask` (a 64-bit set: SIGRTMAX among them, say)
 * and sleeps until blocker_stop(): a thread processSigmask cannot reach. */
int pthread_sigmask(int how, const unsigned long *set, unsigned long *old);
int pthread_join(pthread_t t, void **ret);
static volatile int stop;
static unsigned long block_mask[16];
static pthread_t blocker;
static void *blocking(void *arg) {
  (void)arg;
  pthread_sigmask(0 /* SIG_BLOCK */, block_mask, 0);
  tid = gettid();
  while (!stop) sleep_ms(1);
  return 0;
}
int blocker_start(unsigned long mask) {
  stop = 0;
  tid = 0;
  block_mask[0] = mask;
  if (pthread_create(&blocker, 0, blocking, 0) != 0) return -1;
  while (!tid) sleep_ms(1);
  return tid;
}
void blocker_stop(void) {
  stop = 1;
  pthread_join(blocker, 0);
}
