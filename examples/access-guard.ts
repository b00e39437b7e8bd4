// butter demo: a small access guard. Every open(2) of a file on a guarded filesystem waits
// in the kernel until this program answers; files whose name matches the rule (*.key,
// *.pem) are refused, the rest allowed. Other processes (cat, here) do the opening.
//
// It needs root (a FAN_CLASS_CONTENT group and a mount mark), and runs in a mount
// namespace of its own on a tmpfs mounted there, so nothing outside it is guarded and
// nothing is left behind. Without root it says so and stops.
//
//   bun examples/access-guard.ts
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { FanotifyAsync, FAN_CLASS_CONTENT, FAN_MARK_MOUNT, FAN_OPEN_PERM, fanotifyFeatures } from "../src/index.ts";

const RULE = /\.(key|pem)$/;

if (process.getuid?.() !== 0) {
  console.log("access guard: needs root (fanotify permission events need CAP_SYS_ADMIN); skipped");
  process.exit(0);
}
if (process.env.BUTTER_GUARD_NS === undefined) {
  // a mount namespace of its own, whose mounts do not propagate back to the host
  const r = spawnSync("unshare", ["--mount", "--propagation", "private", process.execPath, import.meta.path], {
    stdio: "inherit",
    env: { ...process.env, BUTTER_GUARD_NS: "1" },
  });
  process.exit(r.status ?? 1);
}

const dir = mkdtempSync("/tmp/butter-guard-");
try {
  if (spawnSync("mount", ["-t", "tmpfs", "butter-guard", dir]).status !== 0) throw new Error("mount failed");
  for (const name of ["notes.txt", "server.key", "cert.pem", "readme.md"]) writeFileSync(`${dir}/${name}`, `contents of ${name}\n`);
  console.log(`access guard: permission events ${fanotifyFeatures().permissionEvents ? "available" : "NOT available"} on ${fanotifyFeatures().kernel}`);

  await using guard = new FanotifyAsync(FAN_CLASS_CONTENT, { deadline: 2000, deadlineResponse: "deny" });
  guard.mark(dir, FAN_OPEN_PERM, FAN_MARK_MOUNT); // every file on the tmpfs
  const answering = (async () => {
    for await (const ev of guard) {
      const refuse = RULE.test(ev.path ?? "");
      if (refuse) ev.deny();
      else ev.allow();
      console.log(`  pid ${ev.pid} opens ${ev.path?.slice(dir.length + 1)}: ${refuse ? "DENIED" : "allowed"} (by ${ev.answeredBy})`);
    }
  })();

  for (const name of ["notes.txt", "server.key", "readme.md", "cert.pem"]) {
    const cat = Bun.spawn(["cat", `${dir}/${name}`], { stdout: "pipe", stderr: "pipe" });
    const status = await cat.exited;
    const said = status === 0 ? (await new Response(cat.stdout).text()).trim() : (await new Response(cat.stderr).text()).trim();
    console.log(`cat ${name}: exit ${status}: ${said}`);
  }
  guard.close();
  await answering;
  console.log("access guard: closed; the tmpfs goes with the namespace");
} finally {
  spawnSync("umount", [dir]);
  rmSync(dir, { recursive: true, force: true });
}
