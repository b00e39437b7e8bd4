// Without the C library's calls (bunffi/libc.ts bound to nothing), the loader and the
// /proc reads do the same with node:fs. In a file of its own: this test thread must not
// have loaded signal.c or compiled anything, so that it does both itself.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, expect, test } from "vitest";
import { bindLibraryForTests, findFdLinkingTo, flock, memfdCreate, readAll, writeAll } from "../../bunffi/libc.ts";
import { helpers, libcFlags, sharedCompiled } from "../../bunffi/load.ts";
import { readProcFile } from "../../src/core/proc.ts";
import { heldSignals } from "../../src/signal/holds.ts";
import { openFds } from "../../harness/fds.ts";
import { worker } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "butter-nolibc-"));
afterAll(() => {
  bindLibraryForTests();
  rmSync(dir, { recursive: true, force: true });
});

test("with no binding, every call says so, and /proc reads and the shared helpers' registry go through node:fs", async () => {
  // another thread compiles signal.c, and publishes it for the process
  const w = worker(`b.sigpending(); postMessage("compiled");`);
  expect(await w.message).toBe("compiled");
  await w.end();

  bindLibraryForTests("libbutter-no-such-library.so");
  expect(readAll("/proc/self/maps")).toBeUndefined();
  expect(writeAll(1, Buffer.from(""))).toBeUndefined();
  expect(flock(0, 8)).toBe(false);
  expect(memfdCreate("butter-test", 1)).toBeUndefined();
  expect(findFdLinkingTo("/dev/null")).toBeUndefined();
  expect(readProcFile("/proc/sys/kernel/osrelease").toString()).toBe(readFileSync("/proc/sys/kernel/osrelease", "latin1"));
  // where the C library is (for TinyCC's -lc), from /proc/self/maps read by node:fs
  expect(libcFlags().join(" ")).toMatch(/-L".*\/bunffi\/link" -L".*"/);
  // this thread finds the other's copy by listing /proc/self/fd with node:fs, and reads
  // its symbols' addresses from the memfd with node:fs: the holds are the process's
  expect(sharedCompiled("signal.c")).toBe(true);
  expect(heldSignals().size).toBe(0);
});

test("with no binding, a shared helper cannot be compiled (no flock): the error says why, and the lock's fd is closed", () => {
  writeFileSync(join(dir, "shared.c"), "int bt_nolibc_shared(void) { return 7; }\n");
  const rel = relative(join(import.meta.dirname, "../../bunffi"), join(dir, "shared.c"));
  const lib = helpers(rel, { bt_nolibc_shared: { args: [], returns: "i32" } }, { shared: true });
  expect(() => lib()).toThrow(/cannot lock .*shared\.c to compile it once per process/);
  // (by what it names: other test files of this process open and close fds meanwhile)
  expect([...openFds().values()].filter((target) => target.endsWith("/shared.c"))).toEqual([]);
});
