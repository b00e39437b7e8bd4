/** butter/inotify: inotify. One family's entry point (why: src/index.ts). */
export {
  IN_ACCESS, IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE, IN_OPEN, IN_MOVED_FROM, IN_MOVED_TO,
  IN_CREATE, IN_DELETE, IN_DELETE_SELF, IN_MOVE_SELF, IN_UNMOUNT, IN_Q_OVERFLOW, IN_IGNORED, IN_ISDIR,
  IN_CLOSE, IN_MOVE, IN_ALL_EVENTS, IN_ONLYDIR, IN_DONT_FOLLOW, IN_EXCL_UNLINK, IN_MASK_CREATE, IN_MASK_ADD,
  IN_ONESHOT, IN_CLOEXEC, IN_NONBLOCK,
  inotifyInit1, inotifyAddWatch, inotifyRmWatch, inotifyRead, inotifyLimits,
} from "./calls.ts";
export type { RawInotifyEvent, InotifyLimits } from "./calls.ts";
export { Inotify, InotifyAsync, InotifyEvent } from "./inotify.ts";
export type { InotifyOptions } from "./inotify.ts";
export { InotifyMove, MovePairer, pairMoves, DEFAULT_MOVE_TIMEOUT } from "./moves.ts";
export { InotifyTree } from "./tree.ts";
