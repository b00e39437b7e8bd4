/**
 * butter: Linux's low-level kernel interfaces for TypeScript on Bun.
 *
 * Two layers per family: 1:1 calls named after the C function in camelCase
 * (`eventfdRead`, `timerfdSettime`), and fd-owning objects (`Eventfd`, `TimerfdAsync`).
 */
export { OSError, PermissionError, UnknownError, InternalError, ClockChangedError, classFor, calls } from "./core/errors.ts";
export type { SystemErrorFields, CallSpec } from "./core/errors.ts";
export { ERRNO, ERRNO_NAMES } from "./core/errno.ts";
export { FdObject } from "./core/fd.ts";
export { EventSource } from "./core/events.ts";
export { CounterSource } from "./core/counter.ts";
export { Queued, QueueEmpty, QueueClosed } from "./core/queue.ts";
export type { WaitOptions } from "./core/queue.ts";

export * from "./eventfd/calls.ts";
export { Eventfd, EventfdAsync } from "./eventfd/eventfd.ts";

export * from "./timerfd/calls.ts";
export { Timerfd, TimerfdAsync, toNanoseconds } from "./timerfd/timerfd.ts";
export type { Duration, AtOptions } from "./timerfd/timerfd.ts";

export { getpid, getppid, gettid } from "./process/calls.ts";
export { gethostname, sethostname, getdomainname, setdomainname, HOST_NAME_MAX } from "./hostname/calls.ts";

export * from "./inotify/calls.ts";
export { Inotify, InotifyAsync, InotifyEvent } from "./inotify/inotify.ts";
export { fsdecode, fsencode } from "./core/fsname.ts";
export { InotifyMove, MovePairer, pairMoves, DEFAULT_MOVE_TIMEOUT } from "./inotify/moves.ts";
export { InotifyTree } from "./inotify/tree.ts";

export {
  SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK, SFD_CLOEXEC, SFD_NONBLOCK, NSIG, SIGINFO_SIZE,
  sigrtmin, sigrtmax, signum, signame, sigset, maskOf, setOf,
  pthreadSigmask, sigpending, tgkill, sigqueue, signalfd, signalfdRead, decodeSiginfos,
} from "./signal/calls.ts";
export type { Signal, Siginfo } from "./signal/calls.ts";
export { processSigmask, editProcessMask, THREAD_TIMEOUT_MS } from "./signal/process-mask.ts";
export type { MaskEdit } from "./signal/process-mask.ts";
export { Signalfd, SignalfdAsync } from "./signal/signalfd.ts";
export type { SignalfdOptions } from "./signal/signalfd.ts";
export { heldSignals, lostSignals } from "./signal/holds.ts";
export { NAMESPACE_TYPES, kernelRelease, kernelVersion, namespaces } from "./core/features.ts";
export type { NamespaceType } from "./core/features.ts";
