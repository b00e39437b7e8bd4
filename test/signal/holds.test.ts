// Holds in this very process, on SIGURG (its default action is to ignore it, so a signal
// that escaped a hold could do no harm here): Bun's listeners beside a hold, and a held
// Signalfd left to the garbage collector. The same with SIGUSR1, whose escape would end
// the process, runs in child processes in threads.test.ts.
import { readdirSync } from "node:fs";
import { expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { ownedFds } from "../../src/core/fd.ts";

const URG = 23;
const fdCount = () => readdirSync("/proc/self/fd").length;

test("a listener added and removed during a hold leaves butter's handler in place; the hold still receives", () => {
  const sfd = new b.Signalfd(["SIGURG"], { flags: b.SFD_NONBLOCK });
  try {
    const f = () => {};
    process.on("SIGURG", f);
    process.off("SIGURG", f);
    process.addListener("SIGURG", f);
    process.removeAllListeners("SIGURG");
    b.tgkill(b.getpid(), b.gettid(), "SIGURG");
    expect(sfd.readEvent().signo).toBe(URG);
    // sent to the process: any thread may take it, and butter's handler (not Bun's,
    // whose listener is gone) must put it in the pipe
    b.sigqueue(b.getpid(), "SIGURG", 7);
    let got: b.Siginfo[] = [];
    for (let i = 0; i < 200 && got.length === 0; i++) got = sfd.readEvents();
    expect(got.map((s) => s.signo)).toEqual([URG]);
  } finally {
    sfd.close();
  }
  expect(b.heldSignals().size).toBe(0);
});

test("a held Signalfd dropped to the garbage collector gives back its hold and its three fds", async () => {
  const before = fdCount();
  (() => {
    new b.Signalfd(["SIGURG"]);
  })();
  expect(b.heldSignals().get(URG)).toBe(1);
  for (let i = 0; i < 200 && (b.heldSignals().size > 0 || fdCount() > before); i++) {
    Bun.gc(true);
    await Bun.sleep(5);
  }
  expect(b.heldSignals().size).toBe(0);
  expect(fdCount()).toBe(before);
  expect(b.pthreadSigmask(b.SIG_BLOCK, null).has(URG)).toBe(false);
});

test("an object's fd is owned by its thread until close() (closed at the thread's end otherwise)", () => {
  const before = ownedFds();
  const e = new b.Eventfd();
  const held = new b.Signalfd(["SIGURG"]); // held: its hold gives back its fds instead
  const plain = new b.Signalfd(["SIGURG"], { hold: false });
  expect(ownedFds()).toBe(before + 2);
  e.close();
  plain.close();
  held.close();
  expect(ownedFds()).toBe(before);
});
