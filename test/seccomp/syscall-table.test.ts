// The generated syscall tables (src/seccomp/syscall-table.ts) against libseccomp's own
// resolver, name by name, on each architecture both know, and against the headers.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";

const resolver = spawnSync("scmp_sys_resolver", ["read"]).status === 0;
const headers = existsSync("/usr/include/x86_64-linux-gnu/asm/unistd_64.h") && spawnSync("gcc", ["--version"]).status === 0;

describe("the tables", () => {
  test("each architecture has the common calls, numbers are unique, and x32's carry their bit", () => {
    for (const arch of ["x86_64", "x32", "aarch64"] as const) {
      const t = b.SYSCALL_TABLES[arch] as Record<string, number>;
      for (const n of ["read", "write", "openat", "execve", "exit_group", "seccomp"]) expect(t[n], `${arch} ${n}`).toBeTypeOf("number");
      expect(new Set(Object.values(t)).size).toBe(Object.keys(t).length);
      for (const nr of Object.values(t)) expect((nr & b.X32_SYSCALL_BIT) !== 0, `${arch} ${nr}`).toBe(arch === "x32");
    }
    expect(b.SYSCALL_TABLES.x86_64.read).toBe(0);
    expect(b.SYSCALL_TABLES.aarch64.read).toBe(63);
    expect(b.SYSCALL_TABLES_SOURCE).toMatch(/^linux-libc-dev /);
    // aarch64 has no open(2) nor the other pre-*at calls
    expect("open" in b.SYSCALL_TABLES.aarch64).toBe(false);
  });

  test.skipIf(!resolver)("every number is libseccomp's, for every name libseccomp knows (scmp_sys_resolver; Debian's seccomp)", () => {
    const wrong: string[] = [];
    let compared = 0;
    for (const arch of ["x86_64", "x32", "aarch64"] as const) {
      const t = b.SYSCALL_TABLES[arch] as Record<string, number>;
      const names = Object.keys(t);
      // one resolver run per name is slow: a shell loop in one process
      const out = spawnSync("sh", ["-c", `for n in ${names.join(" ")}; do printf '%s %s\\n' "$n" "$(scmp_sys_resolver -a ${arch} "$n")"; done`], { encoding: "utf8" }).stdout;
      for (const line of out.trim().split("\n")) {
        const [name, num] = line.split(" ");
        const theirs = Number(num);
        if (theirs < 0) continue; // newer than this libseccomp
        compared++;
        const ours = t[name!];
        if (ours !== theirs) wrong.push(`${arch} ${name}: ours ${ours}, libseccomp ${theirs}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(compared).toBeGreaterThan(900);
  }, 300_000); // (a resolver process per name: minutes in an emulated guest)

  test.skipIf(!headers)("the file is what harness/syscall-tables.ts makes from the installed headers (numbers; the version line may differ)", async () => {
    const { generate } = await import("../../harness/syscall-tables.ts");
    const strip = (s: string) => s.replace(/linux-libc-dev [^:"]+/g, "linux-libc-dev *");
    const { readFileSync } = await import("node:fs");
    expect(strip(generate())).toBe(strip(readFileSync(new URL("../../src/seccomp/syscall-table.ts", import.meta.url), "utf8")));
  });
});
