// Holds in this very process, on SIGURG (its default action is to ignore it, so a signal
// that escaped a hold could do no harm here): Bun's listeners beside a hold, and a held
// Signalfd left to the garbage collector. The same with SIGUSR1, whose escape would end
// the process, runs in child processes in threads.test.ts.
import { readdirSync } from "node:fs";
import { EventEmitter } from "node:events";
import { describe, expect, test } from "vitest";
import * as holds from "../../src/signal/holds.ts";
import { guardListeners, type ListenerTarget } from "../../src/signal/listeners.ts";
import * as b from "../../src/index.ts";
import { ownedFds } from "../../src/core/fd.ts";
import { caughtCount, lib } from "../../src/signal/calls.ts";
import { armed, failCall, resetFaults, unavailable } from "../../harness/fiu/control.ts";

const URG = 23;
const fdCount = () => readdirSync("/proc/self/fd").length;

test("a listener added and removed during a hold leaves butter's handler in place; the hold still receives", async () => {
  const sfd = new b.Signalfd(["SIGURG"], { flags: b.SFD_NONBLOCK });
  try {
    const f = () => {};
    process.on("SIGURG", f);
    process.off("SIGURG", f);
    process.addListener("SIGURG", f);
    process.removeAllListeners("SIGURG");
    b.tgkill(b.getpid(), b.gettid(), "SIGURG");
    expect(sfd.readEvent().signo).toBe(URG);
    // sent to the process: a thread that takes it (Bun's loop, idle, takes signals
    // whatever its mask) runs butter's handler (not Bun's, whose listener is gone), which
    // puts it in the pipe and counts it. Nothing reads the signalfd until the count moved:
    // a read right after the send could take the signal from the process's queue before
    // any thread did (the race a loaded CI machine once lost), which would prove nothing.
    const caught = caughtCount();
    b.sigqueue(b.getpid(), "SIGURG", 7);
    for (let i = 0; i < 2000 && caughtCount() === caught; i++) await Bun.sleep(1);
    let got: b.Siginfo[] = [];
    for (let i = 0; i < 200 && got.length === 0; i++) got = sfd.readEvents();
    expect(got.map((s) => [s.signo, s.int])).toEqual([[URG, 7]]);
    expect(caughtCount()).toBe(caught + 1);
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

describe("the count of a held signal's listeners never reaches zero (src/signal/listeners.ts)", () => {
  // An EventEmitter stands in for the main thread's process (whose listeners install OS
  // handlers; the test threads' do not): the rule, without the OS. The OS side is tested
  // with SIGUSR1 in child processes (threads.test.ts).
  const setup = () => {
    const em = new EventEmitter();
    const raised: string[] = [];
    guardListeners(em as unknown as ListenerTarget, { main: true, raise: (e) => raised.push(e) });
    return { em, raised };
  };

  test("while held: removing the last listener, or all of them, leaves butter's hidden one; adding one drops it", () => {
    const { em } = setup();
    const f = () => {};
    const g = () => {};
    em.on("SIGURG", f);
    const sfd = new b.Signalfd(["SIGURG"]);
    try {
      em.off("SIGURG", f);
      expect(em.listenerCount("SIGURG")).toBe(1); // the hidden one
      em.once("SIGURG", g);
      expect(em.listeners("SIGURG")).toEqual([g]); // two down to one: the hidden one went
      em.removeAllListeners("SIGURG");
      expect(em.listenerCount("SIGURG")).toBe(1);
      em.on("SIGWINCH", f);
      em.removeAllListeners(); // every event: the held one keeps its hidden listener
      expect(em.listenerCount("SIGURG")).toBe(1);
      expect(em.listenerCount("SIGWINCH")).toBe(0);
    } finally {
      sfd.close();
    }
    expect(em.listenerCount("SIGURG")).toBe(0); // the release settled it
  });

  test("a signal reaching the hidden listener after a release made elsewhere: it goes, and raises the signal again", () => {
    const { em, raised } = setup();
    const p = new Int32Array(2);
    expect(lib().bt_catch_pipe(p)).toBe(0);
    holds.holdSignals(new Set([URG]), p[0]!, p[1]!, -1);
    const f = () => {};
    em.on("SIGURG", f);
    em.off("SIGURG", f);
    const hidden = em.listeners("SIGURG")[0] as () => void;
    hidden(); // while held: it does nothing
    expect(em.listenerCount("SIGURG")).toBe(1);
    holds.releaseSignals(p[1]!, holds.CLOSE_ALL); // as another thread releases: not settled here
    expect(em.listenerCount("SIGURG")).toBe(1);
    hidden(); // a signal reaches it now
    expect(em.listenerCount("SIGURG")).toBe(0);
    expect(raised).toEqual(["SIGURG"]);
  });

  test("without holds, or off the main thread, listeners behave as plain ones", () => {
    const { em } = setup();
    const f = () => {};
    em.on("SIGURG", f);
    em.off("SIGURG", f);
    expect(em.listenerCount("SIGURG")).toBe(0);
    const other = new EventEmitter();
    guardListeners(other as unknown as ListenerTarget, { main: false, raise: () => {} });
    const sfd = new b.Signalfd(["SIGURG"]);
    try {
      other.on("SIGURG", f);
      other.off("SIGURG", f);
      expect(other.listenerCount("SIGURG")).toBe(0);
    } finally {
      sfd.close();
    }
  });
});

test("a value sent with butter's own sigqueue arrives with that value (SI_QUEUE, this pid)", () => {
  const sfd = new b.Signalfd(["SIGURG"], { flags: b.SFD_NONBLOCK });
  try {
    b.sigqueue(b.getpid(), "SIGURG", -123456);
    let got: b.Siginfo[] = [];
    for (let i = 0; i < 1000 && got.length === 0; i++) got = sfd.readEvents();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ signo: URG, code: -1, pid: b.getpid(), int: -123456 });
  } finally {
    sfd.close();
  }
});

describe("failures beside a hold, forced through the fault shim", () => {
  test.skipIf(unavailable !== undefined)(`a failure to put butter's handler back is emitted as a warning, not dropped (${unavailable ?? "shim preloaded"})`, async () => {
    const sfd = new b.Signalfd(["SIGURG"], { flags: b.SFD_NONBLOCK });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    const f = () => {};
    try {
      failCall("sigaction", "EINVAL");
      armed(() => process.on("SIGURG", f));
      resetFaults();
      await Bun.sleep(0); // warnings are emitted on the next tick
      expect(warnings.map((w) => [w.constructor.name, (w as b.OSError).code, (w as b.OSError).syscall])).toEqual([["OSError", "EINVAL", "sigaction"]]);
      process.off("SIGURG", f); // the next try puts it back: the hold works
      b.tgkill(b.getpid(), b.gettid(), "SIGURG");
      expect(sfd.readEvent().signo).toBe(URG);
    } finally {
      resetFaults();
      process.off("warning", onWarning);
      sfd.close();
    }
  });
});
