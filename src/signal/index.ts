/** butter/signal: signals: masks, signalfd, holds, sigqueue. One family's entry point (why: src/index.ts). */
export {
  SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK, SFD_CLOEXEC, SFD_NONBLOCK,
  sigrtmin, sigrtmax, signum, signame, sigset, maskOf, setOf,
  pthreadSigmask, sigpending, tgkill, sigqueue, signalfd, signalfdRead,
} from "./calls.ts";
export type { Signal, Siginfo } from "./calls.ts";
export { processSigmask } from "./process-mask.ts";
export { processSetns } from "./process-ns.ts";
export type { ProcessSetnsResult, SkippedThread } from "./process-ns.ts";
export { Signalfd, SignalfdAsync } from "./signalfd.ts";
export type { SignalfdOptions } from "./signalfd.ts";
export { heldSignals } from "./holds.ts";
