/* inotify_init1(2), inotify_add_watch(2), inotify_rm_watch(2). Events are read with
 * io.c's bt_read and decoded in JS (src/inotify/calls.ts). */
#include "butter.h"

int inotify_init1(int flags);
int inotify_add_watch(int fd, const char *path, unsigned int mask);
int inotify_rm_watch(int fd, int wd);

int bt_inotify_init1(int flags) { RET(inotify_init1(flags)); }
int bt_inotify_add_watch(int fd, const char *path, int mask) { RET(inotify_add_watch(fd, path, (unsigned int)mask)); }
int bt_inotify_rm_watch(int fd, int wd) { RET(inotify_rm_watch(fd, wd)); }
