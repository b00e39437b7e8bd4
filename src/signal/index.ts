/**
 * butter/signal: signals: masks, signalfd, holds, sigqueue.
 *
 * One family's entry point, for a program that uses only it: importing it loads this
 * family's modules and core's, not the other families' (their parse and their helpers'
 * compile are the bulk of butter's start-up; docs/benchmarks.md). The root entry point
 * (`butter`) re-exports every family's. Names are listed by hand, so a name a module
 * adds for its own use never leaks.
 */
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
