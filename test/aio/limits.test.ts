// @privileged: lowers /proc/sys/fs/aio-max-nr (system-wide) to use it up, so only in the disposable VM guest (BUTTER_VM=1)
// The real condition behind io_setup's EAGAIN: the system's AIO requests used up. On
// the host the suite only asks for more than the limit at once (test/aio/calls.test.ts),
// since using it up would take AIO away from every other process.
import { readFileSync, writeFileSync } from "node:fs";
import { expect, test } from "vitest";
import { AioContext, OSError, ioDestroy, ioSetup } from "../../src/index.ts";

const inVm = process.env.BUTTER_VM === "1";
const WHY = "uses up the system's aio-max-nr: only in the disposable VM guest (bun run test:vm)";
const MAX = "/proc/sys/fs/aio-max-nr";
const taken = () => Number(readFileSync("/proc/sys/fs/aio-nr", "utf8"));

test.skipIf(!inVm)(`io_setup says EAGAIN once aio-max-nr is used up, and works again when a context is given back (${inVm ? "in the VM" : WHY})`, () => {
  const was = readFileSync(MAX, "utf8");
  try {
    // room for one more context of 64 (aio-nr counts each context's capacity), not two
    writeFileSync(MAX, String(taken() + 100));
    const ctx = ioSetup(64);
    let e: unknown;
    try {
      new AioContext(64);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(OSError);
    expect(e).toMatchObject({ code: "EAGAIN", syscall: "io_setup" });
    expect((e as Error).message).toMatch(/aio-max-nr/);
    ioDestroy(ctx);
    new AioContext(64).close();
  } finally {
    writeFileSync(MAX, was);
  }
});
