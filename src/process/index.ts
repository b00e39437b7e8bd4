/** butter/process: process identity: getpid, getppid, gettid, execve, pidfds. One family's entry point (why: src/index.ts). */
export { getpid, getppid, gettid, execve, pidfdOpen, pidfdSendSignal, PIDFD_NONBLOCK } from "./calls.ts";
