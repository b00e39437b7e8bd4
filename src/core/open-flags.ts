/**
 * open(2)'s flags, as the kernel numbers them. Four of them differ by architecture:
 * x86-64 takes asm-generic's values, arm64 its own (arch/arm64/include/uapi/asm/fcntl.h),
 * and a wrong one is another flag there (x86-64's O_LARGEFILE is arm64's O_NOFOLLOW, and
 * fanotify_init refuses it: found by the aarch64 guest).
 */
const arm64 = process.arch === "arm64";

export const O_RDONLY = 0;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;
/** 0o40000 on x86-64, 0o200000 on arm64 */
export const O_DIRECT = arm64 ? 0o200000 : 0o40000;
/** 0o100000 on x86-64, 0o400000 on arm64 (glibc's own is 0 on both: the kernel's is meant) */
export const O_LARGEFILE = arm64 ? 0o400000 : 0o100000;
/** 0o200000 on x86-64, 0o40000 on arm64 */
export const O_DIRECTORY = arm64 ? 0o40000 : 0o200000;
/** 0o400000 on x86-64, 0o100000 on arm64 */
export const O_NOFOLLOW = arm64 ? 0o100000 : 0o400000;
