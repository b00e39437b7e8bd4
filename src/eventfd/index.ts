/**
 * butter/eventfd: eventfd.
 *
 * One family's entry point, for a program that uses only it: importing it loads this
 * family's modules and core's, not the other families' (their parse and their helpers'
 * compile are the bulk of butter's start-up; docs/benchmarks.md). The root entry point
 * (`butter`) re-exports every family's. Names are listed by hand, so a name a module
 * adds for its own use never leaks.
 */
export { EFD_SEMAPHORE, EFD_CLOEXEC, EFD_NONBLOCK, EVENTFD_MAX, eventfd, eventfdRead, eventfdWrite } from "./calls.ts";
export { Eventfd, EventfdAsync } from "./eventfd.ts";
