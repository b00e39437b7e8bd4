// seccomp's edges, in this process (no filter is loaded here): how load() chooses its
// flags and names an unsynchronised thread, the listing and the interpreter on every
// instruction kind, the validation of every reply, spawnFiltered's stdio, PATH and
// stream ends, and a listener's waits (EINTR, a task gone before its notification is read).
import { closeSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { loadFlags, loadResult, unsynchronised } from "../../src/seccomp/filter.ts";
import { armed, failCall, fired, resetFaults, unavailable } from "../../harness/fiu/control.ts";
import { thrown } from "../helpers.ts";

afterEach(() => {
  if (!unavailable) resetFaults();
});

describe("load()'s choices", () => {
  test("the flags: TSYNC for every thread, TSYNC_ESRCH and NEW_LISTENER with a listener, LOG, SPEC_ALLOW", () => {
    expect(loadFlags({}, false)).toBe(b.SECCOMP_FILTER_FLAG_TSYNC);
    expect(loadFlags({ threads: "this" }, false)).toBe(0);
    expect(loadFlags({}, true)).toBe(b.SECCOMP_FILTER_FLAG_TSYNC | b.SECCOMP_FILTER_FLAG_TSYNC_ESRCH | b.SECCOMP_FILTER_FLAG_NEW_LISTENER);
    expect(loadFlags({ threads: "this", log: true, specAllow: true }, true)).toBe(
      b.SECCOMP_FILTER_FLAG_NEW_LISTENER | b.SECCOMP_FILTER_FLAG_LOG | b.SECCOMP_FILTER_FLAG_SPEC_ALLOW,
    );
    expect(() => loadFlags({ threads: "some" as never }, false)).toThrow(RangeError);
    expect(() => new b.SeccompFilter(b.Action.ALLOW).load({ threads: "none" as never })).toThrow(RangeError); // before anything is loaded
    expect(b.prctlGetSeccomp()).toBe(0);
  });

  test("the kernel's result: a listener, nothing, or a thread TSYNC could not synchronise", () => {
    expect(loadResult(b.SECCOMP_FILTER_FLAG_NEW_LISTENER | b.SECCOMP_FILTER_FLAG_TSYNC, 17)).toBe(17);
    expect(loadResult(b.SECCOMP_FILTER_FLAG_TSYNC, 0)).toBeUndefined();
    expect(loadResult(0, 0)).toBeUndefined();
    expect(thrown(() => loadResult(b.SECCOMP_FILTER_FLAG_TSYNC, process.pid)).code).toBe("ESRCH");
  });

  test("a thread TSYNC could not synchronise is named, and one that ended meanwhile by its id", () => {
    const e = unsynchronised(process.pid);
    expect([e.code, e.syscall]).toEqual(["ESRCH", "seccomp"]);
    expect(e.message).toMatch(new RegExp(`thread ${process.pid} \\(\\S+\\) could not be synchronised`));
    expect(unsynchronised(0x3ffffffe).message).toMatch(/thread 1073741822 could not/);
  });

  test("notifies: the default action or any rule that asks", () => {
    expect(new b.SeccompFilter(b.Action.USER_NOTIF).notifies).toBe(true);
    expect(new b.SeccompFilter(b.Action.ALLOW).add(b.Action.ERRNO(1), "read").notifies).toBe(false);
    expect(new b.SeccompFilter(b.Action.ALLOW).add(b.Action.USER_NOTIF, "read").notifies).toBe(true);
  });
});

describe("the listing and the interpreter", () => {
  const I = (code: number, k = 0, jt = 0, jf = 0): b.BpfInsn => ({ code, jt, jf, k });
  test("names: aarch64's architecture and syscalls, jumps on arguments left plain, actions by name or number", () => {
    const text = new b.SeccompFilter(b.Action.ALLOW, { arches: ["aarch64"] }).add(b.Action.TRACE(3), "openat", { arg: 1, op: "EQ", value: 7 }).toString();
    expect(text).toMatch(/; aarch64/);
    expect(text).toMatch(/; openat/);
    expect(text).toMatch(/; TRACE\(3\)/);
    expect(b.actionName(0x7ff30000 | 5)).toBe("0x7ff30005");
    expect(b.actionName(b.Action.ERRNO(4095))).toBe("ERRNO(4095)");
    expect(b.precedence(0x12340000)).toBe(8);
    expect(b.bpfDisassemble([I(0x20, 8), I(0x20, 12), I(0x20, 60), I(0x20, 100)]).split("\n")).toEqual(["0: ld  ip_lo", "1: ld  ip_hi", "2: ld  arg5_hi", "3: ld  [100]"]);
    const listing = b.bpfDisassemble([I(0x00, 7), I(0x02, 1), I(0x45, 2, 0, 1), I(0x25, 3), I(0x35, 4), I(0x05, 0), I(0x07), I(0x16)]);
    expect(listing.split("\n")).toEqual([
      "0: op  0 0x00000007",
      "1: op  2 0x00000001",
      "2: jset 0x00000002 ? 3 : 4",
      "3: jgt 0x00000003 ? 4 : 4",
      "4: jge 0x00000004 ? 5 : 5",
      "5: ja  6",
      "6: op  7 0x00000000",
      "7: ret 0x00000000",
    ]);
  });

  test("X-sourced ALU and jumps, LDX from scratch and length, STX; what the kernel would refuse", () => {
    const d = { arch: 0, nr: 0 };
    // A = 10, X = 3: A - X, then a jump on X, then ret A
    expect(b.bpfRun([I(0x00, 10), I(0x01, 3), I(0x1c), I(0x1d, 0, 0, 1), I(0x06, 99), I(0x16)], d)).toBe(7);
    expect(b.bpfRun([I(0x01, 5), I(0x03, 2), I(0x61, 2), I(0x87), I(0x16)], d)).toBe(5); // stx M[2], ldx M[2], txa
    expect(b.bpfRun([I(0x81), I(0x87), I(0x16)], d)).toBe(64); // ldx len
    expect(b.bpfRun([I(0x00, 6), I(0x01, 0), I(0x3c), I(0x06, 1)], d)).toBe(0); // A / X with X = 0
    expect(() => b.bpfRun([I(0xf4), I(0x06)], d)).toThrow(/ALU operation/);
    expect(() => b.bpfRun([I(0x55, 0), I(0x06)], d)).toThrow(/jump/);
    expect(() => b.bpfRun([I(0xa0), I(0x06)], d)).toThrow(/load mode/);
    expect(() => b.bpfRun([I(0x02, 16), I(0x06)], d)).toThrow(/scratch/);
    expect(() => b.bpfRun([I(0x20, 2), I(0x06)], d)).toThrow(/offset 2/);
  });
});

describe("the 1:1 calls' arguments", () => {
  test("replies and fds are checked before the ioctl", () => {
    expect(() => b.seccompNotifSend(0, { id: 1n, error: 1 })).toThrow(RangeError); // errors are negative
    expect(() => b.seccompNotifSend(0, { id: 1n, flags: 4 })).toThrow(RangeError);
    expect(() => b.seccompNotifSend(0, { id: -1n })).toThrow(RangeError);
    expect(() => b.seccompNotifAddfd(0, { id: 1n, srcfd: -1 })).toThrow(RangeError);
    expect(() => b.seccompNotifAddfd(0, { id: 1n, srcfd: 0, flags: 8 })).toThrow(RangeError);
    expect(() => b.seccompNotifSetFlags(0, 2)).toThrow(RangeError);
    expect(() => b.seccompSetModeFilter(0, "x" as never)).toThrow(TypeError);
    expect(() => b.seccompSetModeFilter(0, new Uint8Array(8 * 4097))).toThrow(RangeError);
    expect(thrown(() => b.seccompNotifRecv(0x7ffffff0)).code).toBe("EBADF");
    expect(thrown(() => b.seccompNotifIdValid(0x7ffffff0, 1n)).code).toBe("EBADF");
    expect(b.seccompGetActionAvail(-0x80000000)).toBe(true); // KILL_PROCESS as the negative number JS makes of it
  });
});

describe("a notification's syscall name, by architecture", () => {
  const notif = (arch: number, nr: number) => new b.SeccompNotification({ id: 1n, pid: 1, flags: 0, nr, arch, instructionPointer: 0n, args: [0n, 0n, 0n, 0n, 0n, 0n] }, () => -1);
  test("x86-64, x32 (bit 30), aarch64, and an architecture the tables do not have", () => {
    expect(notif(b.AUDIT_ARCH_X86_64, b.SYSCALL_TABLES.x86_64.openat!).syscall).toBe("openat");
    expect(notif(b.AUDIT_ARCH_X86_64, b.SYSCALL_TABLES.x32.openat!).syscall).toBe("openat");
    expect(notif(b.AUDIT_ARCH_AARCH64, b.SYSCALL_TABLES.aarch64.openat!).syscall).toBe("openat");
    expect(notif(b.AUDIT_ARCH_I386, 5).syscall).toBeUndefined();
    expect(notif(b.AUDIT_ARCH_X86_64, 100000).syscall).toBeUndefined();
  });
});

describe("spawnFiltered's edges", () => {
  const allow = () => new b.SeccompFilter(b.Action.ALLOW);
  test("a name not on PATH is execve's ENOENT; env values that are undefined are left out", async () => {
    const e = thrown(() => b.spawnFiltered(["no-such-program-butter"], { filter: allow(), env: { PATH: "/nonexistent" }, stdout: "pipe", stderr: "pipe", stdin: "pipe" }));
    expect([e.code, e.syscall]).toEqual(["ENOENT", "execve"]);
    const p = b.spawnFiltered(["/bin/sh", "-c", 'echo "${GONE-unset} $SET"'], { filter: allow(), env: { GONE: undefined, SET: "yes" }, stdout: "pipe" });
    expect(await new Response(p.stdout).text()).toBe("unset yes\n");
    expect(await p.exited).toBe(0);
  });

  test("no PATH in the environment: the default one; an empty PATH entry is the working directory", async () => {
    const p = b.spawnFiltered(["true"], { filter: allow(), env: {} });
    expect(await p.exited).toBe(0);
    const q = b.spawnFiltered(["true"], { filter: allow(), env: { PATH: "::/usr/bin:/bin" } });
    expect(await q.exited).toBe(0);
  });

  test("a piped stream cancelled before its end closes its pipe; stdin ignored", async () => {
    const p = b.spawnFiltered(["sh", "-c", "yes | head -c 1000000"], { filter: allow(), stdout: "pipe", stdin: "ignore" });
    const reader = p.stdout!.getReader();
    expect((await reader.read()).done).toBe(false);
    await reader.cancel();
    // (head and yes end on the closed pipe: the child ends, whatever its status)
    expect(typeof (await p.exited)).toBe("number");
  });
});

describe.skipIf(unavailable !== undefined)("a listener's waits, with failures forced", () => {
  const askMkdir = () => new b.SeccompFilter(b.Action.ALLOW).add(b.Action.USER_NOTIF, "mkdir").add(b.Action.USER_NOTIF, "mkdirat");

  test("a RECV interrupted (EINTR) is made again; a task gone before its notification is read (ENOENT) is waited past", async () => {
    for (const errno of ["EINTR", "ENOENT"]) {
      const p = b.spawnFiltered(["sh", "-c", "mkdir /nonexistent-butter/x 2>/dev/null; echo $?"], { filter: askMkdir(), stdout: "pipe" });
      using n = new b.SeccompNotify(p.notify!.takeFd());
      // (the first ioctl after the poll is the RECV)
      failCall("ioctl", errno);
      const got = armed(() => {
        try {
          return n.readEvent();
        } catch (e) {
          return e as Error;
        }
      });
      // EINTR: made again, the same notification; ENOENT: waited past, but the task still
      // waits (the failure was forced), so the next RECV has it
      expect(fired("ioctl")).toBe(1);
      expect(got).toBeInstanceOf(b.SeccompNotification);
      (got as b.SeccompNotification).error("EROFS");
      expect(await new Response(p.stdout).text()).toBe("1\n");
      expect(await p.exited).toBe(0);
    }
  });

  test("the async queue: a RECV whose task went away (ENOENT) is no event; the next one is", async () => {
    const p = b.spawnFiltered(["sh", "-c", "mkdir /nonexistent-butter/y 2>/dev/null; echo $?"], { filter: askMkdir(), stdout: "pipe" });
    const q = p.notify!;
    // (the shell reaches its mkdir and waits; nothing is read from the listener meanwhile)
    for (let i = 0; i < 100 && !readFileSync(`/proc/${p.pid}/status`, "utf8").includes("State:\tS"); i++) await Bun.sleep(5);
    await Bun.sleep(100);
    failCall("ioctl", "ENOENT");
    expect(armed(() => q.empty())).toBe(true);
    expect(fired("ioctl")).toBe(1);
    (await q.get()).value(0);
    expect(await new Response(p.stdout).text()).toBe("0\n");
    await p.exited;
    q.close();
  });

  test("a kernel that does not know SET_FLAGS (ENOTTY): the plain wake-up, said by syncWakeUp", () => {
    const p = b.spawnFiltered(["sleep", "5"], { filter: askMkdir() });
    const fd = p.notify!.takeFd();
    failCall("ioctl", "ENOTTY");
    using n = armed(() => new b.SeccompNotify(fd));
    expect(fired("ioctl")).toBe(1);
    expect(n.syncWakeUp).toBe(false);
    p.kill(9);
  });

  test("a listener's SET_FLAGS that fails otherwise than 'unknown' closes the object and throws", () => {
    const p = b.spawnFiltered(["sleep", "5"], { filter: askMkdir() });
    const fd = p.notify!.takeFd();
    failCall("ioctl", "EBADF");
    const e = thrown(() => armed(() => new b.SeccompNotify(fd)));
    expect(e.code).toBe("EBADF");
    expect(thrown(() => closeSync(fd)).code).toBe("EBADF"); // the object closed it
    p.kill(9);
  });

  test("addFd without send, at a number of our choosing: the fd is there, and the answer is separate", async () => {
    const p = b.spawnFiltered(["sh", "-c", "mkdir /nonexistent-butter/w 2>/dev/null; echo $?; ls -l /proc/self/fd/ >/dev/null"], { filter: askMkdir(), stdout: "pipe" });
    const n = await p.notify!.get();
    const fd = require("node:fs").openSync("/dev/null", "r");
    try {
      expect(n.addFd(fd, { newfd: 77 })).toBe(77);
      expect(n.answered).toBe(false);
      n.value(0);
    } finally {
      closeSync(fd);
    }
    expect(await new Response(p.stdout).text()).toBe("0\n");
    await p.exited;
    p.notify!.close();
  });

  test("notification replies: an unknown errno name is a RangeError, a number out of range too", async () => {
    const p = b.spawnFiltered(["sh", "-c", "mkdir /nonexistent-butter/z 2>/dev/null; echo $?"], { filter: askMkdir(), stdout: "pipe" });
    const n = await p.notify!.get();
    expect(() => n.error("ENOPE")).toThrow(RangeError);
    expect(() => n.error(0)).toThrow(RangeError);
    expect(n.answered).toBe(false);
    n.error(13);
    expect(n.valid).toBe(false); // answered
    expect(await new Response(p.stdout).text()).toBe("1\n");
    await p.exited;
    p.notify!.close();
  });
});
