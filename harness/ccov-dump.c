/* Linked into each helper of the C coverage run (harness/c-coverage.ts). Bun ends a
 * process, and a Worker's thread, without running the handlers that would write gcov's
 * counts; so the loader calls bt_coverage_dump (after each test file, and at a process's
 * 'exit'), and bt_coverage_arm makes the end of each thread that opened a helper write
 * them (a pthread key destructor, which runs in a second round so that the helpers' own
 * end-of-thread destructors are counted first). */
typedef unsigned int pthread_key_t;
int pthread_key_create(pthread_key_t *key, void (*destructor)(void *));
int pthread_setspecific(pthread_key_t key, const void *value);
int pthread_key_delete(pthread_key_t key);
void __gcov_dump(void);

static pthread_key_t key;
static int made, own_copy;

/* One dump at a time in this object: libgcov's dump is not safe from two threads at once
 * (a Worker ending while the main thread dumps), and a torn .gcda is thrown away at the
 * next merge. (One CI run measured signal.c 12 points under every other run; this is the
 * way found that counts can be lost. Processes are kept apart by libgcov's lock on each
 * .gcda.) */
static int dumping;
static void dump(void) {
  while (__atomic_exchange_n(&dumping, 1, __ATOMIC_ACQUIRE)) {}
  __gcov_dump();
  __atomic_store_n(&dumping, 0, __ATOMIC_RELEASE);
}

void bt_coverage_dump(void) { dump(); }

static void at_thread_end(void *value) {
  if (value == (void *)1) {
    pthread_setspecific(key, (void *)2); /* once more, after the other destructors */
    return;
  }
  dump();
  /* a thread's own copy is done with: its key goes, or Workers would use up the
   * process's 1,024 keys */
  if (own_copy) {
    pthread_key_delete(key);
    made = 0;
  }
}

/* per_thread: this copy belongs to the calling thread alone (not a shared helper). */
void bt_coverage_arm(int per_thread) {
  own_copy = per_thread;
  if (!made) made = pthread_key_create(&key, at_thread_end) == 0;
  if (made) pthread_setspecific(key, (void *)1);
}
