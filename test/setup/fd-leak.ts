// Fails a test file that leaves an fd open that the process did not have before it.
// The fds butter keeps by design (harness/fds.ts, libraryFds(): the thread's reactor, the
// signal machinery's pipes, the memfds of helpers compiled once per process) are not counted.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, expect } from "vitest";
import { libraryFds } from "../../harness/fds.ts";
import { openFds } from "../../harness/fds.ts";

let before: Map<number, string>;

beforeAll(async () => {
  // Bun creates event loops of its own (an epoll fd and an eventfd each) on a thread's
  // first spawnSync and on the process's first fetch (its HTTP client thread), and keeps
  // them: make them exist before the snapshot.
  spawnSync("true");
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  await (await fetch(`http://127.0.0.1:${server.port}/`)).text();
  server.stop(true);
  before = openFds();
});

afterAll(async () => {
  // Objects a test dropped on purpose are closed by the FinalizationRegistry: let it run.
  for (let i = 0; i < 3; i++) {
    Bun.gc(true);
    await new Promise((r) => setTimeout(r, 10));
  }
  const ours = libraryFds();
  const leaked: string[] = [];
  for (const [fd, target] of openFds()) {
    if (ours.has(fd) || before.get(fd) === target) continue;
    leaked.push(`${fd} -> ${target}`);
  }
  expect(leaked, "fds left open by this test file").toEqual([]);
});
