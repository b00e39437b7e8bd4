/**
 * butter/core: the shared pieces: errors, fd ownership, queues, kernel features, filesystem names.
 *
 * What every family shares; the classes to catch (`OSError`, `PermissionError`, ...)
 * are here, for a program that imports one family's entry point. The root entry point
 * (`butter`) re-exports it. Names are listed by hand, so a name a module adds for its
 * own use never leaks.
 */
export { OSError, PermissionError, UnknownError, InternalError, ClockChangedError } from "./errors.ts";
export type { SystemErrorFields } from "./errors.ts";
export { ERRNO, ERRNO_NAMES } from "./errno.ts";
export { FdObject } from "./fd.ts";
export { EventSource } from "./events.ts";
export { QueueEmpty, QueueClosed } from "./queue.ts";
export type { AsyncQueue, WaitOptions } from "./queue.ts";
export { NAMESPACE_TYPES, kernelRelease, kernelVersion, namespaces } from "./features.ts";
export type { NamespaceType } from "./features.ts";
export { fsdecode, fsencode } from "./fsname.ts";
export { pageSize, alignedBuffer } from "./pages.ts";
export { AT_FDCWD, AT_SYMLINK_NOFOLLOW, AT_SYMLINK_FOLLOW, AT_NO_AUTOMOUNT, AT_EMPTY_PATH, AT_RECURSIVE } from "./at.ts";
export { DEFAULT_DRAIN_BUFFER } from "./drain.ts";
