/** butter/aio: Linux AIO. One family's entry point (why: src/index.ts). */
export {
  IOCB_CMD_PREAD, IOCB_CMD_PWRITE, IOCB_CMD_FSYNC, IOCB_CMD_FDSYNC, IOCB_CMD_POLL, IOCB_CMD_NOOP, IOCB_CMD_PREADV,
  IOCB_CMD_PWRITEV, IOCB_FLAG_RESFD, IOCB_FLAG_IOPRIO, RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_NOWAIT, RWF_APPEND,
  Iocb, ioSetup, ioDestroy, ioSubmit, ioGetevents, ioPgetevents, ioCancel,
} from "./calls.ts";
export type { IocbInit, IoEvent } from "./calls.ts";
export { AioContext, DEFAULT_SUBMIT_BATCH } from "./context.ts";
export type { AioOptions, AioContextOptions } from "./context.ts";
