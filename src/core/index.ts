/** butter/core: what every family shares, the error classes among it (for a program that
 * imports one family's entry point). Entry points: src/index.ts. */
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
