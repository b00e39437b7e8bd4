/** butter/seccomp: seccomp. One family's entry point (why: src/index.ts). */
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
} from "./calls.ts";
export type { SeccompNotifSizes, SeccompNotif, SeccompNotifResp, SeccompNotifAddfd } from "./calls.ts";
export { SeccompFilter, Action, actionName, precedence, nativeArch } from "./filter.ts";
export type { SeccompArch, ArgCmp, SeccompFilterOptions, SeccompLoadOptions } from "./filter.ts";
export { bpfRun, bpfDecode, bpfEncode, bpfDisassemble, BPF_MAXINSNS } from "./bpf.ts";
export type { BpfInsn, SeccompData } from "./bpf.ts";
export { SYSCALL_TABLES, SYSCALL_TABLES_SOURCE } from "./syscall-table.ts";
export { spawnFiltered } from "./spawn.ts";
export { SeccompNotification, SeccompNotify, SeccompNotifyAsync } from "./notify.ts";
export type { SpawnFilteredOptions, FilteredProcess, Stdio } from "./spawn.ts";
