// TRAP and LOG, seen from the filtered program: a C program that catches SIGSYS reports
// what the kernel put in its siginfo (the syscall, the architecture, the rule's data);
// a LOG rule lets the call run and the kernel's audit line names it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { ROOT } from "../../harness/child.ts";

const dir = mkdtempSync(`${tmpdir()}/butter-trap-`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** The program: built here by gcc, or the one the host built for this guest's architecture. */
function trapped(): string | undefined {
  const prebuilt = `${ROOT}/harness/build/guest/trapped.${process.arch}`;
  if (spawnSync("gcc", ["--version"]).status !== 0) return existsSync(prebuilt) ? prebuilt : undefined;
  spawnSync("gcc", ["-O2", "-o", `${dir}/trapped`, `${ROOT}/test/seccomp/trapped.c`]);
  return `${dir}/trapped`;
}
const victim = trapped();

describe.skipIf(victim === undefined)(`TRAP and LOG (${victim !== undefined ? "a C program that catches SIGSYS" : "needs gcc to build the C program that catches SIGSYS, or the host's build of it for a guest"})`, () => {
  test("TRAP: the call is not made; SIGSYS carries the syscall, the architecture and the rule's data", async () => {
    const f = new b.SeccompFilter(b.Action.ALLOW).add(b.SECCOMP_RET_TRAP | 42, "getppid");
    const p = b.spawnFiltered([victim!], { filter: f, stdout: "pipe" });
    const [r, nr, arch, data] = (await new Response(p.stdout).text()).trim().split(" ");
    expect(await p.exited).toBe(0);
    expect(Number(nr)).toBe(b.SYSCALL_TABLES[b.nativeArch]!.getppid);
    expect(Number.parseInt(arch!, 16)).toBe(b.nativeArch === "aarch64" ? b.AUDIT_ARCH_AARCH64 : b.AUDIT_ARCH_X86_64);
    expect(Number(data)).toBe(42);
    expect(Number(r)).not.toBe(process.pid); // getppid did not run (it would have said this process)
  });

  test("LOG: the call runs, and the kernel logs it with the task's pid, the syscall and the action", async () => {
    const f = new b.SeccompFilter(b.Action.ALLOW).add(b.Action.LOG, "getppid");
    const p = b.spawnFiltered([victim!], { filter: f, stdout: "pipe" });
    const [r, nr] = (await new Response(p.stdout).text()).trim().split(" ");
    expect(await p.exited).toBe(0);
    expect(Number(r)).toBe(process.pid); // spawnFiltered's child: this process is its parent
    expect(Number(nr)).toBe(-1); // no SIGSYS
    const logged = (process.getuid?.() === 0 && readFileOr("/proc/sys/kernel/seccomp/actions_logged").includes("log")) || false;
    if (!logged) return; // (the log needs root to read, and "log" among the logged actions)
    let line: string | undefined;
    for (let i = 0; i < 50 && line === undefined; i++) {
      line = spawnSync("dmesg", [], { encoding: "utf8" }).stdout.split("\n").find((l) => l.includes(`pid=${p.pid} `) && l.includes("code=0x7ffc0000"));
      if (line === undefined) Bun.sleepSync(20);
    }
    expect(line).toContain(`syscall=${b.SYSCALL_TABLES[b.nativeArch]!.getppid} `);
  });
});

function readFileOr(path: string): string {
  try {
    return require("node:fs").readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
