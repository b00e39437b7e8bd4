/**
 * butter/process: process identity: getpid, getppid, gettid, execve, pidfds.
 *
 * One family's entry point, for a program that uses only it: importing it loads this
 * family's modules and core's, not the other families' (their parse and their helpers'
 * compile are the bulk of butter's start-up; docs/benchmarks.md). The root entry point
 * (`butter`) re-exports every family's. Names are listed by hand, so a name a module
 * adds for its own use never leaks.
 */
export { getpid, getppid, gettid, execve, pidfdOpen, pidfdSendSignal, PIDFD_NONBLOCK } from "./calls.ts";
