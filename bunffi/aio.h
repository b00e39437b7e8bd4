/* Linux AIO's ABI (uapi linux/aio_abi.h), for the reactor's backend (reactor_aio.c) and
 * the AIO family (aio.c): syscall numbers, the iocb and the io_event. glibc has no
 * wrappers for these calls: they go through syscall(2). */
#ifndef BUTTER_AIO_H
#define BUTTER_AIO_H
#include "butter.h"

#if defined(__x86_64__)
#define NR_io_setup 206
#define NR_io_destroy 207
#define NR_io_getevents 208
#define NR_io_submit 209
#define NR_io_cancel 210
#define NR_io_pgetevents 333
#elif defined(__aarch64__)
#define NR_io_setup 0
#define NR_io_destroy 1
#define NR_io_submit 2
#define NR_io_cancel 3
#define NR_io_getevents 4
#define NR_io_pgetevents 292
#else
#error "butter's AIO knows the syscall numbers of x86_64 and aarch64 only"
#endif

/* little-endian: aio_key before aio_rw_flags */
struct iocb {
  u64 aio_data;
  unsigned int aio_key;
  int aio_rw_flags;
  unsigned short aio_lio_opcode;
  short aio_reqprio;
  unsigned int aio_fildes;
  u64 aio_buf;
  u64 aio_nbytes;
  i64 aio_offset;
  u64 aio_reserved2;
  unsigned int aio_flags;
  unsigned int aio_resfd;
};
struct io_event { u64 data; u64 obj; i64 res; i64 res2; };

#define IOCB_CMD_POLL 5
#define IOCB_FLAG_RESFD 1
#endif
