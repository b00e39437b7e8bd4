// butter demo: a seccomp supervisor. A shell runs under a filter whose mkdir and openat
// calls wait for this program's answer: directories under /tmp/butter-allowed/ may be
// made, any other mkdir is refused with EACCES, and an open of "secret.txt" gets a file
// this program opened instead (SECCOMP_IOCTL_NOTIF_ADDFD). Everything else runs free.
// No privilege needed: the child sets no_new_privs before its filter.
//
//   bun examples/seccomp-supervisor.ts
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { Action, SeccompFilter, spawnFiltered, type SeccompNotification } from "../src/index.ts";

const work = mkdtempSync("/tmp/butter-supervisor-");
writeFileSync(`${work}/secret.txt`, "the real secret\n");
writeFileSync(`${work}/decoy.txt`, "a decoy, handed over by the supervisor\n");

const policy = new SeccompFilter(Action.ALLOW)
  .add(Action.USER_NOTIF, "mkdir")
  .add(Action.USER_NOTIF, "mkdirat")
  .add(Action.USER_NOTIF, "openat", { arg: 2, op: "MASKED_EQ", mask: 3, value: 0 }); // read-only opens

// a path argument, read from the waiting task's memory
function pathArg(n: SeccompNotification, i: number): string {
  const mem = openSync(`/proc/${n.pid}/mem`, "r");
  try {
    const buf = Buffer.alloc(4096);
    readSync(mem, buf, 0, buf.length, Number(n.args[i]));
    return buf.subarray(0, buf.indexOf(0)).toString();
  } finally {
    closeSync(mem);
  }
}

const child = spawnFiltered(
  ["sh", "-c", `mkdir /tmp/butter-allowed-$$ && echo "mkdir allowed: ok"; mkdir /etc/butter-nope 2>/dev/null || echo "mkdir elsewhere: refused"; echo "cat secret.txt: $(cat ${work}/secret.txt)"; rmdir /tmp/butter-allowed-$$`],
  { filter: policy, stdout: "pipe" },
);
const output = new Response(child.stdout).text();
const decoy = openSync(`${work}/decoy.txt`, "r");
let asked = 0;
try {
  for await (const n of child.notify!) {
    asked++;
    if (!n.valid) continue;
    if (n.syscall === "openat") {
      if (pathArg(n, 1).endsWith("/secret.txt")) n.addFd(decoy, { send: true, cloexec: true });
      else n.continue(); // the loader's libraries, the shell's own files
    } else {
      const path = pathArg(n, n.syscall === "mkdirat" ? 1 : 0);
      if (path.startsWith("/tmp/butter-allowed-")) n.continue();
      else n.error("EACCES");
    }
  }
} finally {
  closeSync(decoy);
}
process.stdout.write((await output).replace(/^/gm, "  child | ").replace(/  child \| $/, ""));
console.log(`seccomp supervisor: answered ${asked} calls; the child exited with ${await child.exited}`);
rmSync(work, { recursive: true, force: true });
