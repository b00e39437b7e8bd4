// butter demo: a tiny supervisor that takes its signals as events.
//
// It holds SIGHUP, SIGTERM, SIGUSR1 and SIGCHLD process-wide (every thread of Bun), so
// they arrive through one SignalfdAsync instead of killing the process or interrupting
// it: children it starts are reaped from SIGCHLD (pid and exit status), SIGHUP would
// "reload", SIGUSR1 prints a status line, and SIGTERM ends it cleanly. Another process
// (a shell) sends the signals, as an operator would.
//
//   bun examples/signals.ts
import { SignalfdAsync, getpid, heldSignals, signame } from "../src/index.ts";

const pid = getpid();
await using signals = new SignalfdAsync(["SIGHUP", "SIGTERM", "SIGUSR1", "SIGCHLD"]);
console.log(`supervisor ${pid}: holding ${[...heldSignals().keys()].map(signame).join(", ")}`);

const children = new Map<number, string>();
for (const [name, code] of [["worker-a", 0], ["worker-b", 3]] as const) {
  const child = Bun.spawn(["sh", "-c", `sleep 0.1; exit ${code}`]);
  children.set(child.pid, name);
}
// the operator: a separate process sending signals with kill(1)
Bun.spawn(["sh", "-c", `sleep 0.3; kill -USR1 ${pid}; sleep 0.1; kill -HUP ${pid}; sleep 0.1; kill -TERM ${pid}`]);

for await (const si of signals) {
  const from = `from pid ${si.pid}`;
  if (si.signo === 17) {
    // SIGCHLD: one signal may stand for several exits (standard signals merge), and the
    // operator's shell is a child too; Bun reaps them itself (child.exited).
    const name = children.get(si.pid) ?? "a helper";
    children.delete(si.pid);
    console.log(`SIGCHLD  ${name} (pid ${si.pid}) exited with status ${si.status}`);
  } else if (si.signo === 10) {
    console.log(`SIGUSR1  ${from}: status: ${children.size} children running, uptime ${process.uptime().toFixed(2)} s`);
  } else if (si.signo === 1) {
    console.log(`SIGHUP   ${from}: reloading the configuration`);
  } else if (si.signo === 15) {
    console.log(`SIGTERM  ${from}: shutting down cleanly`);
    break;
  }
}
signals.close();
console.log(`closed: signals held now: ${heldSignals().size}; SIGTERM has its default action again`);
