// @privileged: the mount family in a user namespace, as an unprivileged user (uid 65534 with `unshare -Ur -m`): what works and what needs more
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { runChild } from "../../harness/child.ts";

// setpriv to nobody, then a user namespace (root inside, nobody outside) with a mount namespace
const NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "unshare", "--user", "--map-root-user", "--mount", "--"];
const able = process.getuid?.() === 0 && spawnSync(NOBODY[0]!, [...NOBODY.slice(1), "true"]).status === 0;

describe.skipIf(!able)(`unprivileged, in a user namespace (${able ? "setpriv and unshare -Ur -m" : "needs root to become nobody, and user namespaces"})`, () => {
  test("disposable mounts and a new root without /proc work; /proc is refused with the reason", () => {
    const r = runChild(
      `
      const fs = require("fs");
      const out = { uid: process.getuid() };
      const d = fs.mkdtempSync("/tmp/butter-userns-");
      { using m = b.mountTmpfs(d, { size: "1m" }); out.tmpfs = m.mounted; }
      { using m = b.bindMount("/usr", d, { readonly: true });
        try { fs.writeFileSync(d + "/x", ""); out.ro = "writable"; } catch (e) { out.ro = e.code; } }
      fs.rmdirSync(d);
      const system = ["/usr", "/bin", "/sbin", "/lib", "/lib64"].filter((p) => fs.existsSync(p));
      const ok = await b.runInNewRoot(["sh", "-c", "ls /; id -u"], { binds: system, proc: false });
      out.root = ok.stdout.trim().split("\\n");
      try { await b.runInNewRoot(["sh", "-c", "true"], { binds: system }); out.proc = "mounted"; }
      catch (e) { out.proc = [e.constructor.name, e.code, /proc: false/.test(e.message)]; }
      report(out);
      `,
      { prefix: NOBODY },
    );
    expect(r.stderr).toBe("");
    const out = r.reports[0] as { uid: number; tmpfs: boolean; ro: string; root: string[]; proc: unknown };
    expect(out).toMatchObject({ uid: 0, tmpfs: true, ro: "EROFS" });
    expect(out.root.at(-1)).toBe("0"); // root inside its user namespace
    expect(out.root).toContain("usr");
    expect(out.root).not.toContain("proc");
    expect(out.proc).toEqual(["PermissionError", "EPERM", true]);
  });
});
