/** butter/namespace: namespaces: unshare, setns. One family's entry point (why: src/index.ts). */
export {
  CLONE_FS, CLONE_FILES, CLONE_SYSVSEM, CLONE_NEWTIME, CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
  CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEW, unshare, setns, nsOpen,
} from "./calls.ts";
