// Linux errno numbers (generic + x86_64/aarch64, which agree) with Node/libuv-style messages.
// Generated once from glibc's strerror on Debian 12; the numbers are the kernel's uapi ABI.
// Arrays indexed by number, not object literals keyed by it: every module that fails a
// call imports this one, and the literals cost about 2 ms at import against under
// 1 ms (docs/benchmarks.md, start-up).
const names: (string | undefined)[] = [
  , // 0: none
  "EPERM", // 1
  "ENOENT", // 2
  "ESRCH", // 3
  "EINTR", // 4
  "EIO", // 5
  "ENXIO", // 6
  "E2BIG", // 7
  "ENOEXEC", // 8
  "EBADF", // 9
  "ECHILD", // 10
  "EAGAIN", // 11
  "ENOMEM", // 12
  "EACCES", // 13
  "EFAULT", // 14
  "ENOTBLK", // 15
  "EBUSY", // 16
  "EEXIST", // 17
  "EXDEV", // 18
  "ENODEV", // 19
  "ENOTDIR", // 20
  "EISDIR", // 21
  "EINVAL", // 22
  "ENFILE", // 23
  "EMFILE", // 24
  "ENOTTY", // 25
  "ETXTBSY", // 26
  "EFBIG", // 27
  "ENOSPC", // 28
  "ESPIPE", // 29
  "EROFS", // 30
  "EMLINK", // 31
  "EPIPE", // 32
  "EDOM", // 33
  "ERANGE", // 34
  "EDEADLK", // 35
  "ENAMETOOLONG", // 36
  "ENOLCK", // 37
  "ENOSYS", // 38
  "ENOTEMPTY", // 39
  "ELOOP", // 40
  , // 41: none
  "ENOMSG", // 42
  "EIDRM", // 43
  "ECHRNG", // 44
  "EL2NSYNC", // 45
  "EL3HLT", // 46
  "EL3RST", // 47
  "ELNRNG", // 48
  "EUNATCH", // 49
  "ENOCSI", // 50
  "EL2HLT", // 51
  "EBADE", // 52
  "EBADR", // 53
  "EXFULL", // 54
  "ENOANO", // 55
  "EBADRQC", // 56
  "EBADSLT", // 57
  , // 58: none
  "EBFONT", // 59
  "ENOSTR", // 60
  "ENODATA", // 61
  "ETIME", // 62
  "ENOSR", // 63
  "ENONET", // 64
  "ENOPKG", // 65
  "EREMOTE", // 66
  "ENOLINK", // 67
  "EADV", // 68
  "ESRMNT", // 69
  "ECOMM", // 70
  "EPROTO", // 71
  "EMULTIHOP", // 72
  "EDOTDOT", // 73
  "EBADMSG", // 74
  "EOVERFLOW", // 75
  "ENOTUNIQ", // 76
  "EBADFD", // 77
  "EREMCHG", // 78
  "ELIBACC", // 79
  "ELIBBAD", // 80
  "ELIBSCN", // 81
  "ELIBMAX", // 82
  "ELIBEXEC", // 83
  "EILSEQ", // 84
  "ERESTART", // 85
  "ESTRPIPE", // 86
  "EUSERS", // 87
  "ENOTSOCK", // 88
  "EDESTADDRREQ", // 89
  "EMSGSIZE", // 90
  "EPROTOTYPE", // 91
  "ENOPROTOOPT", // 92
  "EPROTONOSUPPORT", // 93
  "ESOCKTNOSUPPORT", // 94
  "EOPNOTSUPP", // 95
  "EPFNOSUPPORT", // 96
  "EAFNOSUPPORT", // 97
  "EADDRINUSE", // 98
  "EADDRNOTAVAIL", // 99
  "ENETDOWN", // 100
  "ENETUNREACH", // 101
  "ENETRESET", // 102
  "ECONNABORTED", // 103
  "ECONNRESET", // 104
  "ENOBUFS", // 105
  "EISCONN", // 106
  "ENOTCONN", // 107
  "ESHUTDOWN", // 108
  "ETOOMANYREFS", // 109
  "ETIMEDOUT", // 110
  "ECONNREFUSED", // 111
  "EHOSTDOWN", // 112
  "EHOSTUNREACH", // 113
  "EALREADY", // 114
  "EINPROGRESS", // 115
  "ESTALE", // 116
  "EUCLEAN", // 117
  "ENOTNAM", // 118
  "ENAVAIL", // 119
  "EISNAM", // 120
  "EREMOTEIO", // 121
  "EDQUOT", // 122
  "ENOMEDIUM", // 123
  "EMEDIUMTYPE", // 124
  "ECANCELED", // 125
  "ENOKEY", // 126
  "EKEYEXPIRED", // 127
  "EKEYREVOKED", // 128
  "EKEYREJECTED", // 129
  "EOWNERDEAD", // 130
  "ENOTRECOVERABLE", // 131
  "ERFKILL", // 132
];
const messages: (string | undefined)[] = [
  , // 0: none
  "operation not permitted", // 1
  "no such file or directory", // 2
  "no such process", // 3
  "interrupted system call", // 4
  "input/output error", // 5
  "no such device or address", // 6
  "argument list too long", // 7
  "exec format error", // 8
  "bad file descriptor", // 9
  "no child processes", // 10
  "resource temporarily unavailable", // 11
  "cannot allocate memory", // 12
  "permission denied", // 13
  "bad address", // 14
  "block device required", // 15
  "device or resource busy", // 16
  "file exists", // 17
  "invalid cross-device link", // 18
  "no such device", // 19
  "not a directory", // 20
  "is a directory", // 21
  "invalid argument", // 22
  "too many open files in system", // 23
  "too many open files", // 24
  "inappropriate ioctl for device", // 25
  "text file busy", // 26
  "file too large", // 27
  "no space left on device", // 28
  "illegal seek", // 29
  "read-only file system", // 30
  "too many links", // 31
  "broken pipe", // 32
  "numerical argument out of domain", // 33
  "numerical result out of range", // 34
  "resource deadlock avoided", // 35
  "file name too long", // 36
  "no locks available", // 37
  "function not implemented", // 38
  "directory not empty", // 39
  "too many levels of symbolic links", // 40
  , // 41: none
  "no message of desired type", // 42
  "identifier removed", // 43
  "channel number out of range", // 44
  "level 2 not synchronized", // 45
  "level 3 halted", // 46
  "level 3 reset", // 47
  "link number out of range", // 48
  "protocol driver not attached", // 49
  "no CSI structure available", // 50
  "level 2 halted", // 51
  "invalid exchange", // 52
  "invalid request descriptor", // 53
  "exchange full", // 54
  "no anode", // 55
  "invalid request code", // 56
  "invalid slot", // 57
  , // 58: none
  "bad font file format", // 59
  "device not a stream", // 60
  "no data available", // 61
  "timer expired", // 62
  "out of streams resources", // 63
  "machine is not on the network", // 64
  "package not installed", // 65
  "object is remote", // 66
  "link has been severed", // 67
  "advertise error", // 68
  "srmount error", // 69
  "communication error on send", // 70
  "protocol error", // 71
  "multihop attempted", // 72
  "rFS specific error", // 73
  "bad message", // 74
  "value too large for defined data type", // 75
  "name not unique on network", // 76
  "file descriptor in bad state", // 77
  "remote address changed", // 78
  "can not access a needed shared library", // 79
  "accessing a corrupted shared library", // 80
  ".lib section in a.out corrupted", // 81
  "attempting to link in too many shared libraries", // 82
  "cannot exec a shared library directly", // 83
  "invalid or incomplete multibyte or wide character", // 84
  "interrupted system call should be restarted", // 85
  "streams pipe error", // 86
  "too many users", // 87
  "socket operation on non-socket", // 88
  "destination address required", // 89
  "message too long", // 90
  "protocol wrong type for socket", // 91
  "protocol not available", // 92
  "protocol not supported", // 93
  "socket type not supported", // 94
  "operation not supported", // 95
  "protocol family not supported", // 96
  "address family not supported by protocol", // 97
  "address already in use", // 98
  "cannot assign requested address", // 99
  "network is down", // 100
  "network is unreachable", // 101
  "network dropped connection on reset", // 102
  "software caused connection abort", // 103
  "connection reset by peer", // 104
  "no buffer space available", // 105
  "transport endpoint is already connected", // 106
  "transport endpoint is not connected", // 107
  "cannot send after transport endpoint shutdown", // 108
  "too many references: cannot splice", // 109
  "connection timed out", // 110
  "connection refused", // 111
  "host is down", // 112
  "no route to host", // 113
  "operation already in progress", // 114
  "operation now in progress", // 115
  "stale file handle", // 116
  "structure needs cleaning", // 117
  "not a XENIX named type file", // 118
  "no XENIX semaphores available", // 119
  "is a named type file", // 120
  "remote I/O error", // 121
  "disk quota exceeded", // 122
  "no medium found", // 123
  "wrong medium type", // 124
  "operation canceled", // 125
  "required key not available", // 126
  "key has expired", // 127
  "key has been revoked", // 128
  "key was rejected by service", // 129
  "owner died", // 130
  "state not recoverable", // 131
  "operation not possible due to RF-kill", // 132
];
/** Errno number to its name (`2` to `"ENOENT"`), as Linux numbers them on x86-64 and aarch64. */
export const ERRNO_NAMES = names as Readonly<Record<number, string>>;
/** Errno number to its message, in Node's and libuv's lower case: `13` to `"permission denied"`. */
export const ERRNO_MESSAGES = messages as Readonly<Record<number, string>>;
/** errno number for a code such as 'EAGAIN'. */
export const ERRNO: Readonly<Record<string, number>> = {};
for (let n = 1; n < names.length; n++) if (names[n] !== undefined) (ERRNO as Record<string, number>)[names[n]!] = n;
// aliases glibc defines with the same numbers
Object.assign(ERRNO, { EWOULDBLOCK: 11, EDEADLOCK: 35, ENOTSUP: 95 });
