// The filter builder and its compiler, by running the programs in butter's interpreter:
// random rule sets against a direct reading of the rules, the architecture checks, the
// binary search, far jumps, the listing, and the interpreter on every instruction kind.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as b from "../../src/index.ts";
import { holds } from "./holds.ts";
import { thrown } from "../helpers.ts";

const X86 = b.AUDIT_ARCH_X86_64;
const ARM = b.AUDIT_ARCH_AARCH64;
const t = b.SYSCALL_TABLES;
/** A syscall's number on an architecture (a name the test uses is there: a missing one fails loudly). */
const nr = (arch: keyof typeof t, name: string): number => t[arch][name] ?? (() => { throw new Error(`${arch} has no ${name}`); })();

type Cmp = b.ArgCmp;
// values near the edges a 64-bit comparison split in two halves gets wrong
const edge = fc.oneof(
  fc.constantFrom(0n, 1n, 0xffffffffn, 0x100000000n, 0x1_0000_0001n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n, 42n),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
);
const ACTIONS = [b.Action.ALLOW, b.Action.KILL_PROCESS, b.Action.KILL_THREAD, b.Action.TRAP, b.Action.LOG, b.Action.ERRNO(1), b.Action.ERRNO(13), b.Action.TRACE(7), b.Action.USER_NOTIF];
const cmpArb = fc.record({
  arg: fc.integer({ min: 0, max: 5 }),
  op: fc.constantFrom("EQ", "NE", "LT", "LE", "GT", "GE", "MASKED_EQ") as fc.Arbitrary<Cmp["op"]>,
  value: edge,
  mask: edge,
}).map((c) => (c.op === "MASKED_EQ" ? { ...c, value: c.value & c.mask } : { arg: c.arg, op: c.op, value: c.value }));
const NRS = [0, 1, 2, 3, 39, 56, 59, 257, 435];
const ruleArb = fc.record({ action: fc.constantFrom(...ACTIONS), nr: fc.constantFrom(...NRS), cmps: fc.array(cmpArb, { maxLength: 3 }) });

describe("the compiled program does what the rules say", () => {
  test("random rules and calls: an unconditional rule decides its syscall; else the highest-precedence matching rule's action; else the default (2,000 rule sets)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ACTIONS), fc.array(ruleArb, { maxLength: 12 }), fc.array(fc.record({ nr: fc.constantFrom(...NRS, 4, 1000), args: fc.array(edge, { minLength: 6, maxLength: 6 }) }), { minLength: 1, maxLength: 8 }), (dflt, rules, calls) => {
        const f = new b.SeccompFilter(dflt, { arches: ["x86_64"] });
        for (const r of rules) f.add(r.action, r.nr, ...r.cmps);
        for (const c of calls) {
          const mine = rules.filter((r) => r.nr === c.nr);
          const plain = mine.filter((r) => r.cmps.length === 0);
          const matching = plain.length > 0 ? plain.slice(0, 1) : mine.filter((r) => r.cmps.every((x) => holds(x, c.args)));
          const want = matching.length === 0 ? dflt : matching.map((r) => r.action).sort((x, y) => b.precedence(x) - b.precedence(y))[0]!;
          expect(b.actionName(f.evaluate({ arch: X86, nr: c.nr, args: c.args }))).toBe(b.actionName(want));
        }
      }),
      { numRuns: 2000 },
    );
  });

  test("the architecture comes first: another one gets badArch; on x86-64, x32's numbers are another ABI", () => {
    const f = new b.SeccompFilter(b.Action.ALLOW, { arches: ["x86_64"] }).add(b.Action.ERRNO("EPERM"), "mkdir");
    expect(f.evaluate({ arch: ARM, nr: 1 })).toBe(b.Action.KILL_PROCESS);
    expect(f.evaluate({ arch: b.AUDIT_ARCH_I386, nr: 39 })).toBe(b.Action.KILL_PROCESS);
    expect(f.evaluate({ arch: X86, nr: nr("x32", "mkdir") })).toBe(b.Action.KILL_PROCESS);
    expect(f.evaluate({ arch: X86, nr: nr("x86_64", "mkdir") })).toBe(b.Action.ERRNO("EPERM"));
    const both = new b.SeccompFilter(b.Action.ALLOW, { arches: ["x86_64", "x32", "aarch64"], badArch: b.Action.ERRNO("ENOSYS") }).add(b.Action.ERRNO("EPERM"), "mkdirat");
    expect(both.evaluate({ arch: X86, nr: nr("x32", "mkdirat") })).toBe(b.Action.ERRNO("EPERM"));
    expect(both.evaluate({ arch: X86, nr: nr("x86_64", "mkdirat") })).toBe(b.Action.ERRNO("EPERM"));
    expect(both.evaluate({ arch: ARM, nr: nr("aarch64", "mkdirat") })).toBe(b.Action.ERRNO("EPERM"));
    expect(both.evaluate({ arch: ARM, nr: nr("aarch64", "read") })).toBe(b.Action.ALLOW);
    expect(both.evaluate({ arch: b.AUDIT_ARCH_I386, nr: 0 })).toBe(b.Action.ERRNO("ENOSYS"));
    const x32only = new b.SeccompFilter(b.Action.ALLOW, { arches: ["x32"] });
    expect(x32only.evaluate({ arch: X86, nr: 0 })).toBe(b.Action.KILL_PROCESS);
    expect(x32only.evaluate({ arch: X86, nr: nr("x32", "read") })).toBe(b.Action.ALLOW);
  });

  test("a name an architecture lacks is skipped there (as libseccomp does); one that none has is a RangeError", () => {
    const f = new b.SeccompFilter(b.Action.ALLOW, { arches: ["x86_64", "aarch64"] }).add(b.Action.ERRNO("EPERM"), "open");
    expect(f.evaluate({ arch: X86, nr: nr("x86_64", "open") })).toBe(b.Action.ERRNO("EPERM"));
    expect(f.evaluate({ arch: ARM, nr: nr("x86_64", "open") })).toBe(b.Action.ALLOW);
    expect(() => f.add(b.Action.ALLOW, "no_such_call")).toThrow(/no architecture has a syscall named no_such_call/);
    // a portable filter: mkdir where there is one, mkdirat everywhere; on aarch64 alone
    // the mkdir rule places nothing
    const arm = new b.SeccompFilter(b.Action.ALLOW, { arches: ["aarch64"] }).add(b.Action.ERRNO("EPERM"), "mkdir").add(b.Action.ERRNO("EPERM"), "mkdirat");
    const plain = new b.SeccompFilter(b.Action.ALLOW, { arches: ["aarch64"] }).add(b.Action.ERRNO("EPERM"), "mkdirat");
    expect(arm.bpf()).toEqual(plain.bpf());
    expect(arm.evaluate({ arch: ARM, nr: nr("aarch64", "mkdirat") })).toBe(b.Action.ERRNO("EPERM"));
  });

  test("300 rules: a binary search, a handful of instructions for the first and the last; far jumps through ja", () => {
    const names = Object.keys(t.x86_64).slice(0, 300);
    const f = new b.SeccompFilter(b.Action.KILL_PROCESS, { arches: ["x86_64"] });
    for (const n of names) f.add(b.Action.ALLOW, n, { arg: 0, op: "NE", value: 12345 });
    const program = f.program;
    expect(program.length).toBeGreaterThan(255 * 2); // the far targets needed ja
    expect(program.some((i) => i.code === 0x05)).toBe(true);
    for (const n of [names[0]!, names[150]!, names.at(-1)!]) {
      const stats = { executed: 0 };
      expect(f.evaluate({ arch: X86, nr: nr("x86_64", n), args: [1] }, stats)).toBe(b.Action.ALLOW);
      expect(stats.executed, n).toBeLessThan(30); // 2 + log2(300) compares + the rule
      expect(f.evaluate({ arch: X86, nr: nr("x86_64", n), args: [12345] })).toBe(b.Action.KILL_PROCESS);
    }
    expect(f.evaluate({ arch: X86, nr: 100000 })).toBe(b.Action.KILL_PROCESS);
  });

  test("bpf() is the program's bytes, 8 per instruction, and decodes back", () => {
    const f = new b.SeccompFilter(b.Action.ALLOW).add(b.Action.TRAP, "kill", { arg: 1, op: "EQ", value: 9 });
    const bytes = f.bpf();
    expect(bytes.length).toBe(f.program.length * 8);
    expect(b.bpfDecode(bytes)).toEqual(f.program.map((i) => ({ ...i })));
    expect(b.bpfEncode(b.bpfDecode(bytes))).toEqual(bytes);
  });

  test("toString lists the program with names: the architecture, the syscalls, the actions", () => {
    const text = new b.SeccompFilter(b.Action.ALLOW, { arches: ["x86_64"] }).add(b.Action.ERRNO("EPERM"), "mkdir").add(b.Action.KILL_PROCESS, "ptrace").toString();
    expect(text).toMatch(/ld  arch/);
    expect(text).toMatch(/; x86_64/);
    expect(text).toMatch(/; mkdir/);
    expect(text).toMatch(/ret 0x00050001  ; ERRNO\(EPERM\)/);
    expect(text).toMatch(/; KILL_PROCESS/);
  });

  test("bad input: a value that is no action, an unknown errno, a bad comparison, too many instructions", () => {
    expect(() => new b.SeccompFilter(0x12340000)).toThrow(/not a seccomp action/);
    expect(() => b.Action.ERRNO("ENOPE")).toThrow(RangeError);
    expect(() => b.Action.ERRNO(70000)).toThrow(RangeError);
    const f = new b.SeccompFilter(b.Action.ALLOW);
    expect(() => f.add(b.Action.ALLOW, "read", { arg: 6, op: "EQ", value: 1 })).toThrow(RangeError);
    expect(() => f.add(b.Action.ALLOW, "read", { arg: 0, op: "XX" as never, value: 1 })).toThrow(RangeError);
    expect(() => f.add(b.Action.ALLOW, "read", { arg: 0, op: "EQ", value: 1n << 64n })).toThrow(RangeError);
    expect(() => new b.SeccompFilter(b.Action.ALLOW, { arches: ["mips" as never] })).toThrow(RangeError);
    const big = new b.SeccompFilter(b.Action.ALLOW);
    for (let i = 0; i < 400; i++) big.add(b.Action.ERRNO(1), i, { arg: 0, op: "GT", value: 1 }, { arg: 1, op: "LT", value: 2 }, { arg: 2, op: "EQ", value: 3 });
    expect(thrown(() => big.bpf()).message).toMatch(/at most 4096/);
    // a negative number is the 64-bit two's complement value
    const neg = new b.SeccompFilter(b.Action.ALLOW, { arches: ["x86_64"] }).add(b.Action.ERRNO(1), "read", { arg: 0, op: "EQ", value: -1 });
    expect(neg.evaluate({ arch: X86, nr: 0, args: [(1n << 64n) - 1n] })).toBe(b.Action.ERRNO(1));
  });
});

describe("the BPF interpreter", () => {
  const I = (code: number, k = 0, jt = 0, jf = 0): b.BpfInsn => ({ code, jt, jf, k });
  test("every instruction kind seccomp allows: loads, scratch memory, ALU, jumps, TAX/TXA, ret A", () => {
    const prog = [
      I(0x00, 7), // ld #7
      I(0x02, 3), // st M[3]
      I(0x01, 5), // ldx #5
      I(0x0c), // add x -> 12
      I(0x24, 3), // mul #3 -> 36
      I(0x34, 4), // div #4 -> 9
      I(0x94, 5), // mod #5 -> 4
      I(0x64, 4), // lsh #4 -> 64
      I(0x74, 1), // rsh #1 -> 32
      I(0x44, 1), // or #1 -> 33
      I(0xa4, 3), // xor #3 -> 34
      I(0x14, 2), // sub #2 -> 32
      I(0x54, 0x30), // and #0x30 -> 0x20
      I(0x45, 0x20, 0, 5), // jset #0x20 ? next : fail
      I(0x07), // tax
      I(0x60, 3), // ld M[3] -> 7
      I(0x87), // txa -> 0x20
      I(0x84), // neg
      I(0x16), // ret a
      I(0x06, 0xdead),
    ];
    expect(b.bpfRun(prog, { arch: 0, nr: 0 })).toBe((-0x20 >>> 0));
    expect(b.bpfRun([I(0x80), I(0x16)], { arch: 0, nr: 0 })).toBe(64); // ld len
    expect(b.bpfRun([I(0x00, 1), I(0x34, 0), I(0x06, 5)], { arch: 0, nr: 0 })).toBe(0); // division by zero: 0
    expect(b.bpfRun([I(0x20, 4), I(0x16)], { arch: 0xabcd, nr: 3 })).toBe(0xabcd);
  });
  test("a program the kernel would refuse is a RangeError", () => {
    expect(() => b.bpfRun([I(0x00, 1)], { arch: 0, nr: 0 })).toThrow(/past the end/);
    expect(() => b.bpfRun([I(0x20, 64), I(0x06)], { arch: 0, nr: 0 })).toThrow(/offset 64/);
    expect(() => b.bpfRun([I(0x60, 16), I(0x06)], { arch: 0, nr: 0 })).toThrow(/scratch/);
    expect(() => b.bpfDecode(new Uint8Array(7))).toThrow(RangeError);
  });
});
