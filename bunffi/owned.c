/* The fds (and mounts) a JS thread's objects own, so that they are given back when that
 * thread ends.
 *
 * Compiled once per JS thread (bunffi/load.ts' default), so these statics are one
 * thread's: the main thread's or one Worker's. An object's fd is added when it is made
 * and taken out just before close(2); when the thread ends (its Worker ended by
 * terminate(), process.exit() in it, or a normal end) no finalizer of its objects will
 * ever run, so a pthread key destructor closes what is left. */
#include "butter.h"

void *realloc(void *p, size_t n);
void *malloc(size_t n);
void free(void *p);
int umount2(const char *target, int flags);
#define MNT_DETACH 2

#define ENOMEM 12

static unsigned char *owned; /* owned[fd] != 0: an object of this thread owns fd */
static int cap;
static pthread_key_t key;
static int keyed;

/* Mounts made by this thread's disposable mounts (src/mount/disposable.ts), by path:
 * detached (MNT_DETACH) at the thread's end, newest first. */
static char **mounts;
static int nmounts, mcap;

static void thread_ended(void *value) {
  (void)value;
  for (int fd = 0; fd < cap; fd++) if (owned[fd]) close(fd);
  for (int i = nmounts - 1; i >= 0; i--) {
    umount2(mounts[i], MNT_DETACH);
    free(mounts[i]);
  }
  free(owned);
  free(mounts);
  owned = 0;
  mounts = 0;
  cap = nmounts = mcap = 0;
  keyed = 0;
  pthread_key_delete(key); /* allowed in its own destructor (POSIX); keys are few */
}

static int ensure_key(void) {
  if (!keyed) {
    int e = pthread_key_create(&key, thread_ended);
    if (e) return -e;
    keyed = 1;
    pthread_setspecific(key, (void *)1); /* non-null: the destructor runs */
  }
  return 0;
}

/* Where a record failed, for JS to name the call: the key, or memory. */
enum { AT_KEY = 1, AT_MEMORY };

/* Records that an object of this thread owns fd. 0, or -errno with *at set. */
int bt_own(int fd, int *at) { /* fd >= 0: an object's constructor made it */
  int e = ensure_key();
  if (e) { *at = AT_KEY; return e; }
  if (fd >= cap) {
    int n = cap ? cap : 64;
    while (n <= fd) n *= 2;
    unsigned char *p = realloc(owned, (size_t)n);
    if (!p) { *at = AT_MEMORY; return -ENOMEM; }
    for (int i = cap; i < n; i++) p[i] = 0;
    owned = p;
    cap = n;
  }
  owned[fd] = 1;
  return 0;
}

/* An object hands its fd to the program (fanotify's takeFd()): forgotten, not closed.
 * (fd may be one this thread never recorded: an object that gives back more than its fd.) */
void bt_disown(int fd) {
  if (fd >= 0 && fd < cap) owned[fd] = 0;
}

/* An object's close, or the collector's: forgets fd and closes it in one call, so that a
 * thread ended between the two (a Worker terminated in the middle of close()) cannot
 * leak it. */
int bt_disown_close(int fd) {
  bt_disown(fd);
  RET(close(fd));
}

/* How many fds this thread's objects own (for tests). */
int bt_owned_count(void) {
  int n = 0;
  for (int fd = 0; fd < cap; fd++) n += owned[fd] != 0;
  return n;
}

/* Records a mount this thread's object made at path (NUL-terminated, n bytes with the
 * NUL). 0, or -errno with *at set. */
int bt_own_mount(const char *path, long n, int *at) {
  int e = ensure_key();
  if (e) { *at = AT_KEY; return e; }
  *at = AT_MEMORY;
  if (nmounts == mcap) {
    int c = mcap ? mcap * 2 : 8;
    char **p = realloc(mounts, (size_t)c * sizeof *p);
    if (!p) return -ENOMEM;
    mounts = p;
    mcap = c;
  }
  char *copy = malloc((size_t)n);
  if (!copy) return -ENOMEM;
  for (long i = 0; i < n; i++) copy[i] = path[i];
  mounts[nmounts++] = copy;
  return 0;
}

/* The object unmounted it (or gave up on it): forget the newest record of path. */
void bt_disown_mount(const char *path) {
  for (int i = nmounts - 1; i >= 0; i--) {
    const char *a = mounts[i], *b = path;
    while (*a && *a == *b) a++, b++;
    if (*a != *b) continue;
    free(mounts[i]);
    for (int j = i; j + 1 < nmounts; j++) mounts[j] = mounts[j + 1];
    nmounts--;
    return;
  }
}

/* How many mounts this thread's objects own (for tests). */
int bt_owned_mounts(void) { return nmounts; }
