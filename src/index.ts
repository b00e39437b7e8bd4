/**
 * butter: Linux's low-level kernel interfaces for TypeScript on Bun.
 *
 * Two layers per family: 1:1 calls named after the C function in camelCase
 * (`eventfdRead`, `timerfdSettime`), and fd-owning objects (`Eventfd`, `TimerfdAsync`).
 */
export { OSError, PermissionError, UnknownError, InternalError, ClockChangedError, classFor, calls } from "./errors.ts";
export type { SystemErrorFields, CallSpec } from "./errors.ts";
export { ERRNO, ERRNO_NAMES } from "./errno.ts";
export { FdObject } from "./fd.ts";
export { EventSource } from "./events.ts";
export { CounterSource } from "./counter.ts";
export { Queued, QueueEmpty, QueueClosed } from "./queue.ts";
export type { WaitOptions } from "./queue.ts";

export * from "./sys/eventfd.ts";
export { Eventfd, EventfdAsync } from "./eventfd.ts";

export * from "./sys/timerfd.ts";
export { Timerfd, TimerfdAsync, toNanoseconds } from "./timerfd.ts";
export type { Duration, AtOptions } from "./timerfd.ts";

export { getpid, getppid, gettid } from "./sys/process.ts";
export { gethostname, sethostname, getdomainname, setdomainname, HOST_NAME_MAX } from "./sys/hostname.ts";

export * from "./sys/inotify.ts";
export { Inotify, InotifyAsync, InotifyEvent } from "./inotify.ts";
export { fsdecode, fsencode } from "./fsname.ts";
export { InotifyMove, MovePairer, pairMoves, DEFAULT_MOVE_TIMEOUT } from "./inotify-moves.ts";
export { InotifyTree } from "./inotify-tree.ts";

export {
  SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK, SFD_CLOEXEC, SFD_NONBLOCK, NSIG, SIGINFO_SIZE,
  sigrtmin, sigrtmax, signum, signame, sigset, maskOf, setOf,
  pthreadSigmask, sigpending, tgkill, sigqueue, signalfd, signalfdRead, decodeSiginfos,
} from "./sys/signal.ts";
export type { Signal, Siginfo } from "./sys/signal.ts";
export { processSigmask, editProcessMask, THREAD_TIMEOUT_MS } from "./sys/process-sigmask.ts";
export type { MaskEdit } from "./sys/process-sigmask.ts";
export { Signalfd, SignalfdAsync } from "./signalfd.ts";
export type { SignalfdOptions } from "./signalfd.ts";
export { heldSignals, lostSignals } from "./signal-holds.ts";
export { NAMESPACE_TYPES, kernelRelease, kernelVersion, namespaces } from "./features.ts";
export type { NamespaceType } from "./features.ts";
