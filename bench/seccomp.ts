// The JS side of the seccomp benchmark (the C side: bench/c/seccomp_notify.c; libseccomp's:
// bench/seccomp_libseccomp.py).
// Usage: bun bench/seccomp.ts filter RUNS    compile a 300-name allow-list RUNS times: the
//          median ms per build, and instructions per call for butter's program and
//          libseccomp's (the first, the middle and the last name, and a name not listed)
//        bun bench/seccomp.ts notify VICTIM N async|sync
//          answers N getppid notifications of VICTIM ("seccomp_notify victim N") with a
//          value; prints the victim's ns per call
import { spawnSync } from "node:child_process";
import * as b from "../src/index.ts";

const [what, ...rest] = process.argv.slice(2);

if (what === "filter") {
  const runs = Number(rest[0] ?? 20);
  const names = Object.keys(b.SYSCALL_TABLES.x86_64).slice(0, 300);
  const times: number[] = [];
  let f: b.SeccompFilter | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = Bun.nanoseconds();
    f = new b.SeccompFilter(b.Action.KILL_PROCESS, { arches: ["x86_64"] });
    for (const n of names) f.add(b.Action.ALLOW, n);
    f.bpf();
    times.push(Bun.nanoseconds() - t0);
  }
  times.sort((x, y) => x - y);
  const lib = spawnSync("/usr/bin/python3", [new URL("./seccomp_libseccomp.py", import.meta.url).pathname, String(runs)], {
    input: JSON.stringify(names),
    encoding: "utf8",
  });
  const theirs = lib.status === 0 ? (JSON.parse(lib.stdout) as { ms: number; hex: string }) : undefined;
  const prog = theirs && b.bpfDecode(Uint8Array.from(Buffer.from(theirs.hex, "hex")));
  const count = (p: readonly b.BpfInsn[] | undefined, name: string) => {
    if (!p) return null;
    const stats = { executed: 0 };
    b.bpfRun(p, { arch: b.AUDIT_ARCH_X86_64, nr: b.SYSCALL_TABLES.x86_64[name] ?? 100000 }, stats);
    return stats.executed;
  };
  const probe = { first: names[0]!, middle: names[150]!, last: names[299]!, unlisted: "no-such" };
  console.log(
    JSON.stringify({
      butterMs: times[times.length >> 1]! / 1e6,
      libseccompMs: theirs?.ms ?? null,
      butterInsns: f!.program.length,
      libseccompInsns: prog?.length ?? null,
      executed: Object.fromEntries(Object.entries(probe).map(([k, n]) => [k, { butter: count(f!.program, n), libseccomp: count(prog, n) }])),
    }),
  );
} else if (what === "notify") {
  const [victim, n, mode] = rest;
  const filter = new b.SeccompFilter(b.Action.ALLOW).add(b.Action.USER_NOTIF, "getppid");
  const p = b.spawnFiltered([victim!, "victim", n!], { filter, stdout: "pipe" });
  const out = new Response(p.stdout).text();
  if (mode === "sync") {
    using s = new b.SeccompNotify(p.notify!.takeFd());
    for (let i = 0; i < Number(n); i++) s.readEvent().value(1);
  } else {
    for (let i = 0; i < Number(n); i++) (await p.notify!.get()).value(1);
    p.notify!.close();
  }
  if ((await p.exited) !== 0) throw new Error("the victim failed");
  console.log((await out).trim());
}
