/**
 * butter/hostname: hostname and domain name.
 *
 * One family's entry point, for a program that uses only it: importing it loads this
 * family's modules and core's, not the other families' (their parse and their helpers'
 * compile are the bulk of butter's start-up; docs/benchmarks.md). The root entry point
 * (`butter`) re-exports every family's. Names are listed by hand, so a name a module
 * adds for its own use never leaks.
 */
export { HOST_NAME_MAX, gethostname, sethostname, getdomainname, setdomainname } from "./calls.ts";
