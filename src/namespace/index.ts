/**
 * butter/namespace: namespaces: unshare, setns.
 *
 * One family's entry point, for a program that uses only it: importing it loads this
 * family's modules and core's, not the other families' (their parse and their helpers'
 * compile are the bulk of butter's start-up; docs/benchmarks.md). The root entry point
 * (`butter`) re-exports every family's. Names are listed by hand, so a name a module
 * adds for its own use never leaks.
 */
export {
  CLONE_FS, CLONE_FILES, CLONE_SYSVSEM, CLONE_NEWTIME, CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
  CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEW, unshare, setns, nsOpen,
} from "./calls.ts";
