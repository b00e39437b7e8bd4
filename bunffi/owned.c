/* The fds a JS thread's objects own, so that they are closed when that thread ends.
 *
 * Compiled once per JS thread (bunffi/load.ts' default), so these statics are one
 * thread's: the main thread's or one Worker's. An object's fd is added when it is made
 * and taken out just before close(2); when the thread ends (its Worker ended by
 * terminate(), process.exit() in it, or a normal end) no finalizer of its objects will
 * ever run, so a pthread key destructor closes what is left. */
#include "butter.h"

void *realloc(void *p, size_t n);
void free(void *p);

#define ENOMEM 12

static unsigned char *owned; /* owned[fd] != 0: an object of this thread owns fd */
static int cap;
static pthread_key_t key;
static int keyed;

static void thread_ended(void *value) {
  (void)value;
  for (int fd = 0; fd < cap; fd++) if (owned[fd]) close(fd);
  free(owned);
  owned = 0;
  cap = 0;
  keyed = 0;
  pthread_key_delete(key); /* allowed in its own destructor (POSIX); keys are few */
}

/* Records that an object of this thread owns fd. 0, or -errno (the key or memory). */
int bt_own(int fd) { /* fd >= 0: an object's constructor made it */
  if (!keyed) {
    int e = pthread_key_create(&key, thread_ended);
    if (e) return -e;
    keyed = 1;
    pthread_setspecific(key, (void *)1); /* non-null: the destructor runs */
  }
  if (fd >= cap) {
    int n = cap ? cap : 64;
    while (n <= fd) n *= 2;
    unsigned char *p = realloc(owned, (size_t)n);
    if (!p) return -ENOMEM;
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
