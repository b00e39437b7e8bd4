// What the child scripts of the signal tests (harness/child.ts) start with: Workers from
// source, a signal sent by another process, and the process's view of itself.
import { join } from "node:path";
import { ROOT } from "../../harness/child.ts";

export const INDEX = JSON.stringify(join(ROOT, "src/index.ts"));

// What every child script below starts with: a Worker from source (it gets butter as
// `b` and `post`), a signal sent by another process, and the process's view of itself.
export const PRELUDE = `
  const { readFileSync, readdirSync } = await import("node:fs");
  const worker = (body) => {
    const src = "import * as b from " + ${JSON.stringify(INDEX)} + "; const post = (m) => postMessage(m);\\n" + body;
    const w = new Worker(URL.createObjectURL(new Blob([src], { type: "text/javascript" })));
    w.next = () => new Promise((r, j) => { w.onmessage = (e) => r(e.data); w.onerror = (e) => j(e.message ?? e); });
    // (the end is listened for from the start: a Worker may end before anyone awaits it)
    w.ended = new Promise((r) => w.addEventListener("close", () => r()));
    // a Worker that fails rejects this, so that nobody is left waiting for it
    w.failed = new Promise((_, j) => w.addEventListener("error", (e) => j(new Error("a Worker failed: " + (e.message ?? e)))));
    w.failed.catch(() => {});
    return w;
  };
  const kill = (sig) => { const r = Bun.spawnSync(["kill", "-" + sig, String(process.pid)]); if (r.exitCode !== 0) throw new Error("kill failed"); };
  const status = (f) => BigInt("0x" + new RegExp(f + ":\\\\s*(\\\\S+)").exec(readFileSync("/proc/self/status", "utf8"))[1]);
  const RTMAX = 1n << 63n;
  const caught = () => status("SigCgt") & ~RTMAX;
  const fds = () => readdirSync("/proc/self/fd").length;
  // butter's own threads (the reactor's are named): Bun starts threads of its own at times
  const threads = () => readdirSync("/proc/self/task").filter((t) => { try { return readFileSync("/proc/self/task/" + t + "/comm", "utf8").startsWith("butter"); } catch { return false; } }).length;
  // the machinery's own fds (made once per process) exist before anything is counted
  b.processSigmask(b.SIG_UNBLOCK, []);
  const settle = async (ok, what, ms = 5000) => {
    for (let i = 0; i < ms / 10; i++) { Bun.gc(true); if (ok()) return; await Bun.sleep(10); }
    throw new Error("not settled: " + what);
  };
`;
