// Without the C library's calls (bunffi/libc.ts bound to nothing), the loader and the
// /proc reads do the same with node:fs. In a file of its own: this test thread must not
// have loaded signal.c, so that it looks for another thread's copy itself.
import { readFileSync } from "node:fs";
import { afterAll, expect, test } from "vitest";
import { bindLibraryForTests, readAll } from "../../bunffi/libc.ts";
import { sharedCompiled } from "../../bunffi/load.ts";
import { readProcFile } from "../../src/core/proc.ts";
import { heldSignals } from "../../src/signal/holds.ts";
import { worker } from "../helpers.ts";

afterAll(() => bindLibraryForTests());

test("with no binding, /proc reads and the shared helper's registry go through node:fs", async () => {
  // another thread compiles signal.c, and publishes it for the process
  const w = worker(`b.sigpending(); postMessage("compiled");`);
  expect(await w.message).toBe("compiled");
  await w.end();

  bindLibraryForTests("libbutter-no-such-library.so");
  expect(readAll("/proc/self/maps")).toBeUndefined(); // no binding: every call says so
  expect(readProcFile("/proc/sys/kernel/osrelease").toString()).toBe(readFileSync("/proc/sys/kernel/osrelease", "latin1"));
  // this thread finds that copy by listing /proc/self/fd with node:fs, and reads its
  // symbols' addresses from the memfd with node:fs: the holds are the process's
  expect(sharedCompiled("signal.c")).toBe(true);
  expect(heldSignals().size).toBe(0);
});
