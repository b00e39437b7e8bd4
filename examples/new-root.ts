// butter demo: a command in a fresh root. The root is a tmpfs holding read-only binds of
// the system's programs and libraries, a writable bind of one work directory, /proc, a
// minimal /dev and a /tmp; the host's root is detached from it. Afterwards the host's
// mount table is shown to be exactly what it was.
//
// It needs root (CAP_SYS_ADMIN for a mount namespace). Without it, it says so and stops.
//
//   bun examples/new-root.ts
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { runInNewRoot } from "../src/index.ts";

if (process.getuid?.() !== 0) {
  console.log("new root: needs root (a mount namespace needs CAP_SYS_ADMIN); skipped");
  process.exit(0);
}

const table = () => readFileSync("/proc/self/mountinfo", "utf8");
const before = table();
const work = mkdtempSync("/tmp/butter-newroot-");
writeFileSync(`${work}/input.txt`, "three\nlines\nhere\n");
try {
  const system = ["/usr", "/bin", "/sbin", "/lib", "/lib64"].filter((p) => existsSync(p));
  const r = await runInNewRoot(
    ["sh", "-c", 'echo "root: $(ls / | tr "\\n" " ")"; echo "host name: $(hostname)"; echo "mounts inside: $(wc -l < /proc/self/mountinfo)"; wc -l < /work/input.txt > /work/count; touch /usr/x 2>/dev/null || echo "/usr is read-only"'],
    { binds: [...system, { src: work, dst: "/work", writable: true }], hostname: "sandbox" },
  );
  process.stdout.write(`${r.stdout.trimEnd().replace(/^/gm, "  inside | ")}\n`);
  if (r.stderr !== "") process.stdout.write(`${r.stderr.trimEnd().replace(/^/gm, "  stderr | ")}\n`);
  console.log(`new root: the command exited with ${r.exitCode}; it wrote ${readFileSync(`${work}/count`, "utf8").trim()} (lines counted) to the work directory`);
  console.log(`new root: the host's mount table is ${table() === before ? "unchanged" : "CHANGED"}`);
  if (r.exitCode !== 0 || table() !== before) process.exit(1);
} finally {
  rmSync(work, { recursive: true, force: true });
}
