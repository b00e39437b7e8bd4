// The errno rows of hostname: gethostname(2), sethostname(2), getdomainname(2), setdomainname(2).
// Each row is forced through the libfiu shim by test/errno-matrix.test.ts (format and
// rules: harness/errno-rows.ts).
import { rows, UNDOCUMENTED, type B, type Row, type Scenario } from "../../harness/errno-rows.ts";

export const scenarios: Record<string, Scenario> = {
  gethostname: { fn: "gethostname", call: (b) => b.gethostname(), usable: (b) => b.gethostname() },
  getdomainname: { fn: "getdomainname", call: (b) => b.getdomainname(), usable: (b) => b.getdomainname() },
  // The setters run in the test thread's own UTS namespace (see the test): never the host's.
  sethostname: { fn: "sethostname", isolated: true, call: (b) => b.sethostname("butter-fiu"), usable: (b) => b.sethostname("butter-fiu") },
  setdomainname: { fn: "setdomainname", isolated: true, call: (b) => b.setdomainname("fiu.test"), usable: (b) => b.setdomainname("fiu.test") },
};

export const matrix: Row[] = [
  ...rows("gethostname", "OSError", ["EINVAL", "ENAMETOOLONG"]),
  ...rows("gethostname", "InternalError", ["EFAULT"]),
  ...rows("gethostname", "UnknownError", [UNDOCUMENTED]),
  ...rows("getdomainname", "OSError", ["EINVAL", "ENAMETOOLONG"]),
  ...rows("getdomainname", "InternalError", ["EFAULT"]),
  ...rows("getdomainname", "UnknownError", [UNDOCUMENTED]),
  ...rows("sethostname", "OSError", ["EINVAL"]),
  ...rows("sethostname", "PermissionError", ["EPERM"]),
  ...rows("sethostname", "InternalError", ["EFAULT"]),
  ...rows("sethostname", "UnknownError", [UNDOCUMENTED]),
  ...rows("setdomainname", "OSError", ["EINVAL"]),
  ...rows("setdomainname", "PermissionError", ["EPERM"]),
  ...rows("setdomainname", "InternalError", ["EFAULT"]),
  ...rows("setdomainname", "UnknownError", [UNDOCUMENTED]),
];
