// Soak: 10,000 forced failures across the matrix's rows in one process, while timers,
// file reads and a local HTTP server run in the same Bun process the whole time. The
// failures must reach butter's calls only: no crash, no stuck event loop, no failed
// request or read beside them, and no fd growth.
import { readFile } from "node:fs/promises";
import { expect, test } from "vitest";
import { matrix } from "../harness/errno-matrix.ts";
import { unavailable } from "../harness/fiu/control.ts";
import { isolateForRows, runRow } from "../harness/fiu/rows.ts";
import { openFds } from "../harness/fds.ts";

const FAILURES = 10_000;
const runnable = isolateForRows();

test.skipIf(unavailable !== undefined)(
  `${FAILURES} forced failures beside timers, file reads and an HTTP server (${unavailable ?? "shim preloaded"})`,
  async () => {
    // Rows that fit a long run: what butter makes once (the reactor's start, the signal
    // machinery) can be forced only before its first success, and the hostname setters
    // need this thread's own UTS namespace.
    const rows = matrix.filter((r) => r.once === undefined && r.cannot === undefined && runnable(r));

    // Warm up what the process keeps (the reactor, Bun's HTTP client thread), then take
    // the fd table with nothing else running.
    const warm = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    await (await fetch(`http://127.0.0.1:${warm.port}/`)).text();
    warm.stop(true);
    for (const r of rows) await runRow(r, { checkFds: false });
    await new Promise((r) => setTimeout(r, 50));
    const fdsBefore = [...openFds().keys()].sort();

    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    let running = true;
    const stats = { requests: 0, reads: 0, errors: [] as string[] };
    const httpLoop = (async () => {
      while (running) {
        try {
          const res = await fetch(`http://127.0.0.1:${server.port}/`);
          if ((await res.text()) !== "ok") stats.errors.push("bad body");
          stats.requests++;
        } catch (e) {
          stats.errors.push(`fetch: ${e}`);
        }
      }
    })();
    const readLoop = (async () => {
      while (running) {
        try {
          if ((await readFile(new URL("../package.json", import.meta.url), "utf8")).includes('"butter"')) stats.reads++;
          else stats.errors.push("short file read");
        } catch (e) {
          stats.errors.push(`readFile: ${e}`);
        }
      }
    })();

    try {
      let done = 0;
      for (let i = 0; done < FAILURES; i++) {
        await runRow(rows[i % rows.length]!, { checkFds: false });
        done++;
        if (done % 500 === 0) await new Promise((r) => setImmediate(r)); // let the others run
      }
    } finally {
      running = false;
      clearInterval(timer);
      await Promise.all([httpLoop, readLoop]);
      server.stop(true);
    }

    expect(stats.errors).toEqual([]);
    expect(ticks).toBeGreaterThan(0);
    expect(stats.requests).toBeGreaterThan(0);
    expect(stats.reads).toBeGreaterThan(0);
    // deferred cleanup (idle reactor stream, server sockets) settles: then the same fds
    let after = [...openFds().keys()].sort();
    for (let i = 0; i < 100 && after.join() !== fdsBefore.join(); i++) {
      await new Promise((r) => setTimeout(r, 10));
      after = [...openFds().keys()].sort();
    }
    expect(after).toEqual(fdsBefore);
  },
  600_000,
);
