/**
 * butter/fanotify: fanotify.
 *
 * One family's entry point, for a program that uses only it: importing it loads this
 * family's modules and core's, not the other families' (their parse and their helpers'
 * compile are the bulk of butter's start-up; docs/benchmarks.md). The root entry point
 * (`butter`) re-exports every family's. Names are listed by hand, so a name a module
 * adds for its own use never leaks.
 */
export {
  FAN_ACCESS, FAN_MODIFY, FAN_ATTRIB, FAN_CLOSE_WRITE, FAN_CLOSE_NOWRITE, FAN_OPEN, FAN_MOVED_FROM, FAN_MOVED_TO,
  FAN_CREATE, FAN_DELETE, FAN_DELETE_SELF, FAN_MOVE_SELF, FAN_OPEN_EXEC, FAN_Q_OVERFLOW, FAN_FS_ERROR, FAN_OPEN_PERM,
  FAN_ACCESS_PERM, FAN_OPEN_EXEC_PERM, FAN_PRE_ACCESS, FAN_MNT_ATTACH, FAN_MNT_DETACH, FAN_EVENT_ON_CHILD, FAN_RENAME,
  FAN_ONDIR, FAN_CLOSE, FAN_MOVE, FAN_PERM_EVENTS,
  FAN_CLOEXEC, FAN_NONBLOCK, FAN_CLASS_NOTIF, FAN_CLASS_CONTENT, FAN_CLASS_PRE_CONTENT, FAN_UNLIMITED_QUEUE,
  FAN_UNLIMITED_MARKS, FAN_ENABLE_AUDIT, FAN_REPORT_PIDFD, FAN_REPORT_TID, FAN_REPORT_FID, FAN_REPORT_DIR_FID,
  FAN_REPORT_NAME, FAN_REPORT_TARGET_FID, FAN_REPORT_FD_ERROR, FAN_REPORT_MNT, FAN_REPORT_DFID_NAME,
  FAN_REPORT_DFID_NAME_TARGET,
  FAN_MARK_ADD, FAN_MARK_REMOVE, FAN_MARK_DONT_FOLLOW, FAN_MARK_ONLYDIR, FAN_MARK_IGNORED_MASK,
  FAN_MARK_IGNORED_SURV_MODIFY, FAN_MARK_FLUSH, FAN_MARK_EVICTABLE, FAN_MARK_IGNORE, FAN_MARK_INODE, FAN_MARK_MOUNT,
  FAN_MARK_FILESYSTEM, FAN_MARK_MNTNS, FAN_MARK_IGNORE_SURV,
  FANOTIFY_METADATA_VERSION, FAN_EVENT_METADATA_LEN, FAN_EVENT_INFO_TYPE_FID, FAN_EVENT_INFO_TYPE_DFID_NAME,
  FAN_EVENT_INFO_TYPE_DFID, FAN_EVENT_INFO_TYPE_PIDFD, FAN_EVENT_INFO_TYPE_ERROR, FAN_EVENT_INFO_TYPE_RANGE,
  FAN_EVENT_INFO_TYPE_MNT, FAN_EVENT_INFO_TYPE_OLD_DFID_NAME, FAN_EVENT_INFO_TYPE_NEW_DFID_NAME,
  FAN_ALLOW, FAN_DENY, FAN_AUDIT, FAN_INFO, FAN_ERRNO_BITS, FAN_ERRNO_SHIFT, FAN_ERRNO_MASK, FAN_DENY_ERRNO,
  FAN_RESPONSE_INFO_NONE, FAN_RESPONSE_INFO_AUDIT_RULE, FAN_NOFD, FAN_NOPIDFD, FAN_EPIDFD,
  AT_HANDLE_FID, AT_HANDLE_MNT_ID_UNIQUE, MAX_HANDLE_SZ,
  fanotifyInit, fanotifyMark, fanotifyRead, fanotifyWriteResponse, fanotifyFlagNames, nameToHandleAt, openByHandleAt,
} from "./calls.ts";
export type {
  FileHandle, NameToHandleResult, FanotifyRecord, FanotifyFidRecord, FanotifyPidfdRecord, FanotifyErrorRecord,
  FanotifyRangeRecord, FanotifyMntRecord, FanotifyUnknownRecord, RawFanotifyEvent, FanotifyResponse, AuditRule,
} from "./calls.ts";
export { Fanotify, FanotifyAsync, FanotifyEvent, DEFAULT_PERMISSION_DEADLINE } from "./fanotify.ts";
export type { FanotifyOptions, AnsweredBy } from "./fanotify.ts";
export { fanotifyFeatures, FANOTIFY_FEATURE_SINCE } from "./features.ts";
export type { FanotifyFeature, FanotifyFeatures } from "./features.ts";
