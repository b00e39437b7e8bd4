/* Whole anonymous pages for JS: the memory vmsplice hands to the kernel and the aligned
 * buffers O_DIRECT and AIO read into. JS wraps them in an ArrayBuffer whose deallocator is
 * munmap itself (JSC calls it with the address and the context, which is the length), so
 * the collector gives them back. */
#include "butter.h"

void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off);
int munmap(void *addr, size_t len);
int getpagesize(void);

#define PROT_RW 3
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)

/* The address of `len` bytes of fresh zero pages, or 0 with *err = -errno. */
void *bt_map_pages(long len, int *err) {
  void *p = mmap(0, (size_t)len, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    *err = NEG_ERRNO;
    return 0;
  }
  return p;
}
void *bt_munmap_address(void) { return (void *)munmap; }
int bt_page_size(void) { return getpagesize(); }
