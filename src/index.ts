/**
 * butter: Linux's low-level kernel interfaces for TypeScript on Bun.
 *
 * Two layers per family: 1:1 calls named after the C function in camelCase
 * (`eventfdRead`, `timerfdSettime`), and fd-owning objects (`Eventfd`, `TimerfdAsync`).
 *
 * This file is the whole public surface, listed by hand, name by name: nothing is
 * exported by `export *`, so a name a family adds for its own use never leaks. The
 * checked-in report `docs/api/butter.api.md` is generated from it (`bun run api`), and
 * a test fails when the two differ.
 *
 * @packageDocumentation
 */

// ---- shared: errors, fd ownership, queues, kernel features, filesystem names ----
export { OSError, PermissionError, UnknownError, InternalError, ClockChangedError } from "./core/errors.ts";
export type { SystemErrorFields } from "./core/errors.ts";
export { ERRNO, ERRNO_NAMES } from "./core/errno.ts";
export { FdObject } from "./core/fd.ts";
export { EventSource } from "./core/events.ts";
export { QueueEmpty, QueueClosed } from "./core/queue.ts";
export type { AsyncQueue, WaitOptions } from "./core/queue.ts";
export { NAMESPACE_TYPES, kernelRelease, kernelVersion, namespaces } from "./core/features.ts";
export type { NamespaceType } from "./core/features.ts";
export { fsdecode, fsencode } from "./core/fsname.ts";
export { pageSize, alignedBuffer } from "./core/pages.ts";
export { AT_FDCWD, AT_SYMLINK_NOFOLLOW, AT_SYMLINK_FOLLOW, AT_NO_AUTOMOUNT, AT_EMPTY_PATH, AT_RECURSIVE } from "./core/at.ts";

// ---- eventfd ----
export { EFD_SEMAPHORE, EFD_CLOEXEC, EFD_NONBLOCK, EVENTFD_MAX, eventfd, eventfdRead, eventfdWrite } from "./eventfd/calls.ts";
export { Eventfd, EventfdAsync } from "./eventfd/eventfd.ts";

// ---- timerfd ----
export {
  CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM,
  TFD_CLOEXEC, TFD_NONBLOCK, TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET,
  timerfdCreate, timerfdSettime, timerfdGettime, clockGettime,
} from "./timerfd/calls.ts";
export type { Itimerspec } from "./timerfd/calls.ts";
export { Timerfd, TimerfdAsync } from "./timerfd/timerfd.ts";
export type { Duration, AtOptions } from "./timerfd/timerfd.ts";

// ---- process identity ----
export { getpid, getppid, gettid, execve, pidfdOpen, pidfdSendSignal, PIDFD_NONBLOCK } from "./process/calls.ts";

// ---- hostname ----
export { HOST_NAME_MAX, gethostname, sethostname, getdomainname, setdomainname } from "./hostname/calls.ts";

// ---- inotify ----
export {
  IN_ACCESS, IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE, IN_OPEN, IN_MOVED_FROM, IN_MOVED_TO,
  IN_CREATE, IN_DELETE, IN_DELETE_SELF, IN_MOVE_SELF, IN_UNMOUNT, IN_Q_OVERFLOW, IN_IGNORED, IN_ISDIR,
  IN_CLOSE, IN_MOVE, IN_ALL_EVENTS, IN_ONLYDIR, IN_DONT_FOLLOW, IN_EXCL_UNLINK, IN_MASK_CREATE, IN_MASK_ADD,
  IN_ONESHOT, IN_CLOEXEC, IN_NONBLOCK,
  inotifyInit1, inotifyAddWatch, inotifyRmWatch, inotifyRead, inotifyLimits,
} from "./inotify/calls.ts";
export type { RawInotifyEvent, InotifyLimits } from "./inotify/calls.ts";
export { Inotify, InotifyAsync, InotifyEvent } from "./inotify/inotify.ts";
export type { InotifyOptions } from "./inotify/inotify.ts";
export { InotifyMove, MovePairer, pairMoves, DEFAULT_MOVE_TIMEOUT } from "./inotify/moves.ts";
export { InotifyTree } from "./inotify/tree.ts";

// ---- signals ----
export {
  SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK, SFD_CLOEXEC, SFD_NONBLOCK,
  sigrtmin, sigrtmax, signum, signame, sigset, maskOf, setOf,
  pthreadSigmask, sigpending, tgkill, sigqueue, signalfd, signalfdRead,
} from "./signal/calls.ts";
export type { Signal, Siginfo } from "./signal/calls.ts";
export { processSigmask } from "./signal/process-mask.ts";
export { processSetns } from "./signal/process-ns.ts";
export type { ProcessSetnsResult, SkippedThread } from "./signal/process-ns.ts";
export { Signalfd, SignalfdAsync } from "./signal/signalfd.ts";
export type { SignalfdOptions } from "./signal/signalfd.ts";
export { heldSignals } from "./signal/holds.ts";

// ---- splice, tee, vmsplice ----
export {
  SPLICE_F_MOVE, SPLICE_F_NONBLOCK, SPLICE_F_MORE, SPLICE_F_GIFT, O_CLOEXEC, O_NONBLOCK, O_DIRECT, MAX_RW_COUNT,
  splice, tee, vmsplice, vmspliceBuffer, pipe2, getPipeSize, setPipeSize, pipeMaxSize, fionread,
  copyFileRange, sendfile,
} from "./splice/calls.ts";
export type { FileOffset, OffsetArg } from "./splice/calls.ts";
export { Pipe, PipeEnd } from "./splice/pipe.ts";
export type { PipeOptions } from "./splice/pipe.ts";
export { spliceAll, teeTo } from "./splice/move.ts";
export type { FdLike, MoveOptions, MoveProgress } from "./splice/move.ts";

// ---- Linux AIO ----
export {
  IOCB_CMD_PREAD, IOCB_CMD_PWRITE, IOCB_CMD_FSYNC, IOCB_CMD_FDSYNC, IOCB_CMD_POLL, IOCB_CMD_NOOP, IOCB_CMD_PREADV,
  IOCB_CMD_PWRITEV, IOCB_FLAG_RESFD, IOCB_FLAG_IOPRIO, RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_NOWAIT, RWF_APPEND,
  Iocb, ioSetup, ioDestroy, ioSubmit, ioGetevents, ioPgetevents, ioCancel,
} from "./aio/calls.ts";
export type { IocbInit, IoEvent } from "./aio/calls.ts";
export { AioContext } from "./aio/context.ts";
export type { AioOptions } from "./aio/context.ts";

// ---- fanotify ----
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
} from "./fanotify/calls.ts";
export type {
  FileHandle, NameToHandleResult, FanotifyRecord, FanotifyFidRecord, FanotifyPidfdRecord, FanotifyErrorRecord,
  FanotifyRangeRecord, FanotifyMntRecord, FanotifyUnknownRecord, RawFanotifyEvent, FanotifyResponse, AuditRule,
} from "./fanotify/calls.ts";
export { Fanotify, FanotifyAsync, FanotifyEvent, DEFAULT_PERMISSION_DEADLINE } from "./fanotify/fanotify.ts";
export { DEFAULT_DRAIN_BUFFER } from "./core/drain.ts";
export type { FanotifyOptions, AnsweredBy } from "./fanotify/fanotify.ts";
export { fanotifyFeatures, FANOTIFY_FEATURE_SINCE } from "./fanotify/features.ts";
export type { FanotifyFeature, FanotifyFeatures } from "./fanotify/features.ts";

// ---- mount, umount, pivot_root, the fd-based mount API ----
export {
  MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_SYNCHRONOUS, MS_REMOUNT, MS_MANDLOCK, MS_DIRSYNC, MS_NOSYMFOLLOW,
  MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_MOVE, MS_REC, MS_SILENT, MS_POSIXACL, MS_UNBINDABLE, MS_PRIVATE, MS_SLAVE,
  MS_SHARED, MS_RELATIME, MS_I_VERSION, MS_STRICTATIME, MS_LAZYTIME, MS_MGC_VAL, MS_PROPAGATION,
  MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW,
  FSOPEN_CLOEXEC, FSPICK_CLOEXEC, FSPICK_SYMLINK_NOFOLLOW, FSPICK_NO_AUTOMOUNT, FSPICK_EMPTY_PATH,
  FSCONFIG_SET_FLAG, FSCONFIG_SET_STRING, FSCONFIG_SET_BINARY, FSCONFIG_SET_PATH, FSCONFIG_SET_PATH_EMPTY, FSCONFIG_SET_FD,
  FSCONFIG_CMD_CREATE, FSCONFIG_CMD_RECONFIGURE, FSCONFIG_CMD_CREATE_EXCL, FSMOUNT_CLOEXEC,
  MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC, MOUNT_ATTR__ATIME, MOUNT_ATTR_RELATIME,
  MOUNT_ATTR_NOATIME, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR_NODIRATIME, MOUNT_ATTR_IDMAP, MOUNT_ATTR_NOSYMFOLLOW,
  MOVE_MOUNT_F_SYMLINKS, MOVE_MOUNT_F_AUTOMOUNTS, MOVE_MOUNT_F_EMPTY_PATH, MOVE_MOUNT_T_SYMLINKS, MOVE_MOUNT_T_AUTOMOUNTS,
  MOVE_MOUNT_T_EMPTY_PATH, MOVE_MOUNT_SET_GROUP, MOVE_MOUNT_BENEATH, OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC,
  STATMOUNT_SB_BASIC, STATMOUNT_MNT_BASIC, STATMOUNT_PROPAGATE_FROM, STATMOUNT_MNT_ROOT, STATMOUNT_MNT_POINT,
  STATMOUNT_FS_TYPE, STATMOUNT_MNT_NS_ID, STATMOUNT_MNT_OPTS, STATMOUNT_FS_SUBTYPE, STATMOUNT_SB_SOURCE, STATMOUNT_ALL,
  LSMT_ROOT, LISTMOUNT_REVERSE, MOUNT_API_SINCE,
  mount, umount, umount2, umountExpire, pivotRoot, chdir, fsopen, fspick, fsconfig, fsmount, moveMount, openTree,
  mountSetattr, statmount, listmount,
} from "./mount/calls.ts";
export type { MountAttr, Statmount } from "./mount/calls.ts";
export { mountinfo } from "./mount/mountinfo.ts";
export type { MountInfo } from "./mount/mountinfo.ts";
export { Mount, mountTmpfs, bindMount, overlayMount } from "./mount/disposable.ts";
export type { UnmountResult, UnmountReport, DisposableMountOptions, TmpfsOptions, BindOptions, OverlayOptions } from "./mount/disposable.ts";
export { spawnInNewRoot, runInNewRoot } from "./mount/new-root.ts";
export type { NewRootBind, NewRootOptions, NewRootProcess, NewRootResult } from "./mount/new-root.ts";
export { mountFeatures, MOUNT_FEATURE_SINCE } from "./mount/features.ts";
export type { MountFeature, MountFeatures } from "./mount/features.ts";

// ---- namespaces ----
export {
  CLONE_FS, CLONE_FILES, CLONE_SYSVSEM, CLONE_NEWTIME, CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
  CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEW, unshare, setns, nsOpen,
} from "./namespace/calls.ts";

// ---- seccomp ----
export {
  SECCOMP_MODE_DISABLED, SECCOMP_MODE_STRICT, SECCOMP_MODE_FILTER, SECCOMP_SET_MODE_STRICT, SECCOMP_SET_MODE_FILTER,
  SECCOMP_GET_ACTION_AVAIL, SECCOMP_GET_NOTIF_SIZES, SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_KILL,
  SECCOMP_RET_TRAP, SECCOMP_RET_ERRNO, SECCOMP_RET_USER_NOTIF, SECCOMP_RET_TRACE, SECCOMP_RET_LOG, SECCOMP_RET_ALLOW,
  SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ACTION, SECCOMP_RET_DATA, SECCOMP_USER_NOTIF_FLAG_CONTINUE,
  SECCOMP_ADDFD_FLAG_SETFD, SECCOMP_ADDFD_FLAG_SEND, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, SECCOMP_IOCTL_NOTIF_RECV,
  SECCOMP_IOCTL_NOTIF_SEND, SECCOMP_IOCTL_NOTIF_ID_VALID, SECCOMP_IOCTL_NOTIF_ADDFD, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
  PR_GET_SECCOMP, PR_SET_SECCOMP, PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS,
  AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, X32_SYSCALL_BIT,
  seccompSetModeStrict, seccompSetModeFilter, seccompGetActionAvail, seccompGetNotifSizes, prctlSetNoNewPrivs,
  prctlGetNoNewPrivs, prctlGetSeccomp, seccompNotifRecv, seccompNotifSend, seccompNotifIdValid, seccompNotifAddfd,
  seccompNotifSetFlags,
} from "./seccomp/calls.ts";
export type { SeccompNotifSizes, SeccompNotif, SeccompNotifResp, SeccompNotifAddfd } from "./seccomp/calls.ts";
export { SeccompFilter, Action, actionName, precedence, nativeArch } from "./seccomp/filter.ts";
export type { SeccompArch, ArgCmp, SeccompFilterOptions, SeccompLoadOptions } from "./seccomp/filter.ts";
export { bpfRun, bpfDecode, bpfEncode, bpfDisassemble, BPF_MAXINSNS } from "./seccomp/bpf.ts";
export type { BpfInsn, SeccompData } from "./seccomp/bpf.ts";
export { SYSCALL_TABLES, SYSCALL_TABLES_SOURCE } from "./seccomp/syscall-table.ts";
export { spawnFiltered } from "./seccomp/spawn.ts";
export { SeccompNotification, SeccompNotify, SeccompNotifyAsync } from "./seccomp/notify.ts";
export type { SpawnFilteredOptions, FilteredProcess, Stdio } from "./seccomp/spawn.ts";
