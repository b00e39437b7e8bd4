/* unshare(2) and setns(2): both act on the calling thread only (its fs_struct, its
 * namespaces); src/namespace/ says what that means in a runtime with many threads. */
#include "butter.h"

int unshare(int flags);
int setns(int fd, int nstype);

int bt_unshare(int flags) { RET(unshare(flags)); }
int bt_setns(int fd, int nstype) { RET(setns(fd, nstype)); }
