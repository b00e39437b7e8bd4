// The errno rows of namespaces: unshare(2), setns(2). Each row is forced through the
// libfiu shim by test/errno-matrix.test.ts (format and rules: harness/errno-rows.ts). The
// test thread already has UTS and mount namespaces of its own (`isolated`): moving it
// into another UTS namespace, or back into its own, touches nothing else.
import { closeSync } from "node:fs";
import { rowsByClass, type Row, type Scenario } from "../../harness/errno-rows.ts";
import { loadPages } from "../../harness/errno-pages.ts";

export const scenarios: Record<string, Scenario> = {
  unshare: {
    fn: "unshare",
    isolated: true,
    call: (b) => b.unshare(b.CLONE_NEWUTS),
    usable: (b) => b.unshare(b.CLONE_NEWUTS),
  },
  setns: {
    fn: "setns",
    isolated: true,
    setup: (b) => ({ fd: b.nsOpen("uts", "thread-self") }),
    call: (b, c) => b.setns(c.fd, b.CLONE_NEWUTS),
    usable: (b, c) => b.setns(c.fd, b.CLONE_NEWUTS),
    teardown: (_b, c) => closeSync(c.fd),
  },
};

const listed = (call: string) => loadPages().calls[call]!.listed;

export const matrix: Row[] = Object.keys(scenarios).flatMap((call) => rowsByClass(call, listed(call)));
