// @privileged: sets the machine's realtime clock (clock_settime), so only in the disposable VM guest (BUTTER_VM=1)
// A realtime clock that is really set, not a forced ECANCELED: a cancelOnSet timer on
// CLOCK_REALTIME reads ClockChangedError, sync and async. The clock is set to the time
// it already has (a set is what the kernel reports, whatever the new time).
import { dlopen } from "bun:ffi";
import { expect, test } from "vitest";
import { CLOCK_REALTIME, ClockChangedError, TFD_NONBLOCK, Timerfd, TimerfdAsync } from "../../src/index.ts";

const inVm = process.env.BUTTER_VM === "1";
const WHY = "sets the machine's realtime clock: only in the disposable VM guest (bun run test:vm)";

function setRealtimeClockToNow(): void {
  const libc = dlopen("libc.so.6", { clock_settime: { args: ["i32", "ptr"], returns: "i32" } });
  const now = BigInt(Date.now());
  const ts = BigInt64Array.of(now / 1000n, (now % 1000n) * 1_000_000n);
  const r = libc.symbols.clock_settime(CLOCK_REALTIME, ts);
  libc.close();
  if (r !== 0) throw new Error("clock_settime failed");
}

test.skipIf(!inVm)(`a cancelOnSet timer sees the realtime clock set for real: ClockChangedError (${inVm ? "in the VM" : WHY})`, async () => {
  using t = new Timerfd(CLOCK_REALTIME, TFD_NONBLOCK).at(new Date(Date.now() + 3_600_000), { cancelOnSet: true });
  await using q = new TimerfdAsync(CLOCK_REALTIME).at(new Date(Date.now() + 3_600_000), { cancelOnSet: true });
  const waiting = q.get();
  setRealtimeClockToNow();
  expect(() => t.read()).toThrow(ClockChangedError);
  await expect(waiting).rejects.toBeInstanceOf(ClockChangedError);
  // re-armed, it waits again (a non-blocking read says EAGAIN: nothing expired)
  t.at(new Date(Date.now() + 3_600_000), { cancelOnSet: true });
  expect(() => t.read()).toThrow(expect.objectContaining({ code: "EAGAIN" }));
});
