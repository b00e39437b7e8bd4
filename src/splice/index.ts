/** butter/splice: splice, tee, vmsplice, and pipes. One family's entry point (why: src/index.ts). */
export {
  SPLICE_F_MOVE, SPLICE_F_NONBLOCK, SPLICE_F_MORE, SPLICE_F_GIFT, O_CLOEXEC, O_NONBLOCK, O_DIRECT, MAX_RW_COUNT,
  splice, tee, vmsplice, vmspliceBuffer, pipe2, getPipeSize, setPipeSize, pipeMaxSize, fionread,
  copyFileRange, sendfile,
} from "./calls.ts";
export type { FileOffset, OffsetArg } from "./calls.ts";
export { Pipe, PipeEnd } from "./pipe.ts";
export type { PipeOptions } from "./pipe.ts";
export { spliceAll, teeTo } from "./move.ts";
export type { FdLike, MoveOptions, MoveProgress } from "./move.ts";
