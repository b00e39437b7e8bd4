/**
 * The seccomp filter builder: rules in words (a syscall by name, an action, comparisons of
 * its 64-bit arguments), compiled to classic BPF.
 *
 * The program: the architecture is checked first (a call from an architecture the filter
 * does not name gets `badArch`, KILL_PROCESS by default, so a foreign ABI never slips
 * through); on x86-64, x32 calls (numbers with bit 30 set) are told apart the same way.
 * Then the syscall number is found by a binary search over the numbers that have rules
 * (a linear run of comparisons for a handful), and its rules are tried. Several rules for
 * one syscall: a rule without comparisons decides it alone (as libseccomp does; among
 * several such, the first added, as libseccomp keeps); else the action of highest precedence among
 * those whose comparisons all hold wins (the kernel's own order: KILL_PROCESS,
 * KILL_THREAD, TRAP, ERRNO, USER_NOTIF, TRACE, LOG, ALLOW), where libseccomp guarantees
 * no order at all; none holding, the default action.
 */
import * as v from "../core/validate.ts";
import { Builder, BPF_ABS, BPF_ALU, BPF_AND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_K, BPF_LD, BPF_MAXINSNS, BPF_W, bpfDisassemble, bpfEncode, bpfRun, type BpfInsn, type SeccompData } from "./bpf.ts";
import { OSError } from "../core/errors.ts";
import {
  prctlSetNoNewPrivs, seccompSetModeFilter, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_NEW_LISTENER,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
  AUDIT_ARCH_AARCH64, AUDIT_ARCH_X86_64, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS,
  SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF, X32_SYSCALL_BIT,
} from "./calls.ts";
import { SYSCALL_TABLES } from "./syscall-table.ts";
import { ERRNO } from "../core/errno.ts";
import { readProcFile } from "../core/proc.ts";

/** An architecture a filter can name. */
export type SeccompArch = "x86_64" | "x32" | "aarch64";

const AUDIT: Record<SeccompArch, number> = { x86_64: AUDIT_ARCH_X86_64, x32: AUDIT_ARCH_X86_64, aarch64: AUDIT_ARCH_AARCH64 };

/** The architecture butter runs on. */
export const nativeArch: SeccompArch = process.arch === "arm64" ? "aarch64" : "x86_64";

/** Actions, as the 32-bit values a filter returns. */
export const Action = Object.freeze({
  /** kill the whole process (SIGSYS) */
  KILL_PROCESS: SECCOMP_RET_KILL_PROCESS,
  /** kill the calling thread */
  KILL_THREAD: SECCOMP_RET_KILL_THREAD,
  /** send SIGSYS to the thread; the call is not made */
  TRAP: SECCOMP_RET_TRAP,
  /** allow, and log */
  LOG: SECCOMP_RET_LOG,
  /** allow */
  ALLOW: SECCOMP_RET_ALLOW,
  /** ask the listener (a SeccompNotify) */
  USER_NOTIF: SECCOMP_RET_USER_NOTIF,
  /** fail the call with `errno` (a number or a name: "EPERM") */
  ERRNO: (errno: number | string): number => SECCOMP_RET_ERRNO | errnoOf(errno),
  /** hand the call to a ptrace tracer with `msg` */
  TRACE: (msg: number): number => SECCOMP_RET_TRACE | v.int(msg, "msg", 0, 0xffff),
});

function errnoOf(e: number | string): number {
  if (typeof e === "string") {
    const n = ERRNO[e];
    if (n === undefined) throw new RangeError(`unknown errno name ${e}`);
    return n;
  }
  return v.int(e, "errno", 0, 0xffff);
}

// the kernel's precedence of actions, highest first (seccomp(2)); the data bits do not count
const ORDER = [SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP, SECCOMP_RET_ERRNO, SECCOMP_RET_USER_NOTIF, SECCOMP_RET_TRACE, SECCOMP_RET_LOG, SECCOMP_RET_ALLOW];
/** The precedence of an action: 0 is the highest. */
export function precedence(action: number): number {
  const full = (action & 0xffff0000) >>> 0;
  const i = ORDER.indexOf(full);
  return i < 0 ? ORDER.length : i;
}

/** An argument comparison, on the full 64-bit value (unsigned, as libseccomp compares). */
export interface ArgCmp {
  /** the argument, 0 to 5 */
  arg: number;
  /** the comparison of the argument with `value` */
  op: "EQ" | "NE" | "LT" | "LE" | "GT" | "GE" | "MASKED_EQ";
  /** a 64-bit value (a negative number is its two's complement) */
  value: bigint | number;
  /** for MASKED_EQ: (arg & mask) === value */
  mask?: bigint | number;
}

interface Rule {
  action: number;
  cmps: { arg: number; op: ArgCmp["op"]; value: bigint; mask: bigint }[];
}

const U64 = (x: bigint | number, what: string): bigint =>
  typeof x === "number" && x < 0 ? BigInt.asUintN(64, BigInt(v.int(x, what, -0x8000000000000, 0))) : v.bigint(x, what, -(1n << 63n), v.U64_MAX) & v.U64_MAX;

function check(action: number): number {
  const a = v.int(action, "action", -0x80000000, 0xffffffff) >>> 0;
  if (precedence(a) === ORDER.length) throw new RangeError(`0x${a.toString(16)} is not a seccomp action`);
  return a;
}

/** How `load()` installs a filter. */
export interface SeccompLoadOptions {
  /** "all" (default): every thread of the process, by TSYNC; "this": the calling thread only */
  threads?: "all" | "this";
  /** set no_new_privs first (default true; without it, loading needs CAP_SYS_ADMIN) */
  noNewPrivs?: boolean;
  /** SECCOMP_FILTER_FLAG_LOG: log every action but ALLOW */
  log?: boolean;
  /** SECCOMP_FILTER_FLAG_SPEC_ALLOW */
  specAllow?: boolean;
}

/** Options of a filter. */
export interface SeccompFilterOptions {
  /** the architectures whose calls it judges (default: the native one) */
  arches?: readonly SeccompArch[];
  /** what a call from any other architecture gets (default KILL_PROCESS) */
  badArch?: number;
}

/**
 * A seccomp filter: a default action, rules, architectures. `add()` rules, then `bpf()`
 * for the program, `evaluate()` to try it in JS, `toString()` for a listing.
 */
export class SeccompFilter {
  /** what a call no rule matches gets */
  readonly defaultAction: number;
  /** the architectures whose calls it judges */
  readonly arches: readonly SeccompArch[];
  /** what a call of any other architecture gets */
  readonly badArch: number;
  // by arch, by syscall number: its rules, in the order added
  #rules = new Map<SeccompArch, Map<number, Rule[]>>();
  #program: BpfInsn[] | undefined;

  constructor(defaultAction: number, opts: SeccompFilterOptions = {}) {
    const o = v.options(opts);
    this.defaultAction = check(defaultAction);
    const arches = [...new Set(o.arches ?? [nativeArch])];
    if (arches.length === 0) throw new RangeError("a filter names at least one architecture");
    for (const a of arches) if (!(a in AUDIT)) throw new RangeError(`unknown architecture ${String(a)}; one of x86_64, x32, aarch64`);
    this.arches = Object.freeze(arches);
    this.badArch = check(o.badArch ?? SECCOMP_RET_KILL_PROCESS);
    for (const a of arches) this.#rules.set(a, new Map());
  }

  /**
   * Adds a rule: calls of `syscall` (a name, resolved on every architecture of the filter,
   * or a number, taken as is on each) whose arguments pass every comparison get `action`.
   * A name an architecture does not have is skipped there, as libseccomp does, so that
   * one filter written with `mkdir` and `mkdirat` serves x86-64 and aarch64 (which has
   * only `mkdirat`); a name no architecture knows is a RangeError (a typo).
   */
  add(action: number, syscall: string | number, ...cmps: ArgCmp[]): this {
    const a = check(action);
    const rule: Rule = {
      action: a,
      cmps: cmps.map((c, i) => {
        const o = v.options(c, `cmps[${i}]`);
        const arg = v.int(o.arg, `cmps[${i}].arg`, 0, 5);
        if (!["EQ", "NE", "LT", "LE", "GT", "GE", "MASKED_EQ"].includes(o.op as string)) throw new RangeError(`cmps[${i}].op must be EQ, NE, LT, LE, GT, GE or MASKED_EQ`);
        const mask = o.op === "MASKED_EQ" ? U64(o.mask ?? v.U64_MAX, `cmps[${i}].mask`) : v.U64_MAX;
        return { arg, op: o.op as ArgCmp["op"], value: U64(o.value as bigint | number, `cmps[${i}].value`), mask };
      }),
    };
    if (typeof syscall !== "number" && !Object.values(SYSCALL_TABLES).some((t) => syscall in t)) {
      throw new RangeError(`no architecture has a syscall named ${String(syscall)} (x86_64, x32, aarch64)`);
    }
    for (const arch of this.arches) {
      const nr = typeof syscall === "number" ? v.int(syscall, "syscall", 0, 0x7fffffff) : (SYSCALL_TABLES[arch] as Record<string, number>)[syscall];
      if (nr === undefined) continue;
      const list = this.#rules.get(arch)!.get(nr) ?? [];
      list.push(rule);
      this.#rules.get(arch)!.set(nr, list);
    }
    this.#program = undefined;
    return this;
  }

  /** The compiled program's instructions. */
  get program(): readonly BpfInsn[] {
    this.#program ??= compile(this);
    return this.#program;
  }

  /** The program's bytes: what SECCOMP_SET_MODE_FILTER and `bwrap --seccomp` take. */
  bpf(): Uint8Array {
    return bpfEncode(this.program);
  }

  /** Runs the program in JS over one call and returns the action it gives. */
  evaluate(data: SeccompData, stats?: { executed: number }): number {
    return bpfRun(this.program, data, stats);
  }

  /** A readable listing of the program, with syscall names and actions. */
  toString(): string {
    const names = new Map<number, string>();
    for (const arch of this.arches) for (const [n, nr] of Object.entries(SYSCALL_TABLES[arch])) names.set(nr as number, n);
    // what A holds at each instruction: the field the nearest load before it read
    // (jumps go forward, and every block starts with its load)
    const loaded: number[] = [];
    let last = -1;
    for (const i of this.program) {
      if ((i.code & 0x07) === 0x00) last = i.k;
      loaded.push(last);
    }
    return bpfDisassemble(this.program, (k, pc) => {
      const i = this.program[pc]!;
      if ((i.code & 0x07) === 0x06) return actionName(k);
      if ((i.code & 0x07) !== 0x05 || (i.code & 0xf0) === 0) return undefined;
      if (loaded[pc] === 4) return k === AUDIT_ARCH_X86_64 ? "x86_64" : k === AUDIT_ARCH_AARCH64 ? "aarch64" : undefined;
      return loaded[pc] === 0 ? names.get(k) : undefined;
    });
  }

  /** Whether a rule (or the default) asks a listener: loading then makes one. */
  get notifies(): boolean {
    if (precedence(this.defaultAction) === precedence(SECCOMP_RET_USER_NOTIF)) return true;
    for (const m of this.#rules.values()) for (const list of m.values()) for (const r of list) if (precedence(r.action) === precedence(SECCOMP_RET_USER_NOTIF)) return true;
    return false;
  }

  /**
   * Installs the filter in this process: with `threads: "all"` (the default) on every
   * thread, Bun's own included, by SECCOMP_FILTER_FLAG_TSYNC; with `"this"` on the calling
   * thread only (Bun's other threads and every Worker stay unfiltered: say so where you
   * use it). no_new_privs is set first unless `noNewPrivs: false` (then CAP_SYS_ADMIN is
   * needed). A filter cannot be removed, ever. Returns the listener fd when the filter
   * notifies (USER_NOTIF), else undefined.
   * @throws {@link OSError} ESRCH naming a thread that could not be synchronised (it has a filter this thread's does not descend from), EINVAL, EBUSY (a listener exists); {@link PermissionError} EACCES without no_new_privs or CAP_SYS_ADMIN.
   */
  load(opts: SeccompLoadOptions = {}): number | undefined {
    const o = v.options(opts);
    const notify = this.notifies;
    const flags = loadFlags(o, notify);
    const program = this.bpf();
    if (o.noNewPrivs ?? true) prctlSetNoNewPrivs();
    return loadResult(flags, seccompSetModeFilter(flags, program));
  }

  /** The rules by architecture and syscall number (for the compiler). @internal */
  rulesOf(arch: SeccompArch): ReadonlyMap<number, readonly Rule[]> {
    return this.#rules.get(arch)!;
  }
}

/** The SECCOMP_FILTER_FLAG_* bits `load()` asks for. @internal */
export function loadFlags(o: SeccompLoadOptions, notify: boolean): number {
  const threads = o.threads ?? "all";
  if (threads !== "all" && threads !== "this") throw new RangeError('threads must be "all" or "this"');
  // (TSYNC with a listener needs TSYNC_ESRCH: the result is the listener, not a thread id)
  return (
    (threads === "all" ? SECCOMP_FILTER_FLAG_TSYNC | (notify ? SECCOMP_FILTER_FLAG_TSYNC_ESRCH : 0) : 0) |
    (notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0) |
    (o.log ? SECCOMP_FILTER_FLAG_LOG : 0) |
    (o.specAllow ? SECCOMP_FILTER_FLAG_SPEC_ALLOW : 0)
  );
}

/**
 * What SECCOMP_SET_MODE_FILTER's result means for `load()`: the listener fd (with
 * NEW_LISTENER), nothing, or (with TSYNC alone) the id of a thread that could not be
 * synchronised: thrown as the error naming it. @internal
 */
export function loadResult(flags: number, r: number): number | undefined {
  if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) return r;
  if (flags & SECCOMP_FILTER_FLAG_TSYNC && r > 0) throw unsynchronised(r);
  return undefined;
}

/** TSYNC's answer that thread `tid` could not be synchronised, as an error naming it. @internal */
export function unsynchronised(tid: number): OSError {
  let name = "";
  try {
    name = ` (${readProcFile(`/proc/self/task/${tid}/comm`).toString("utf8").trim()})`;
  } catch {
    // it ended meanwhile
  }
  return new OSError(ERRNO.ESRCH!, "seccomp", undefined, `thread ${tid}${name} could not be synchronised: it has a filter that this thread's does not descend from; nothing was installed`);
}

/** An action's name: "ALLOW", "ERRNO(EPERM)", "TRACE(7)". */
export function actionName(action: number): string {
  const full = (action & 0xffff0000) >>> 0;
  const data = action & 0xffff;
  for (const [name, val] of Object.entries(Action)) if (typeof val === "number" && val === (action >>> 0)) return name;
  if (full === SECCOMP_RET_ERRNO) return `ERRNO(${Object.entries(ERRNO).find(([, n]) => n === data)?.[0] ?? data})`;
  if (full === SECCOMP_RET_TRACE) return `TRACE(${data})`;
  return `0x${(action >>> 0).toString(16)}`;
}

// ---- the compiler ----

const argLo = (arg: number) => 16 + 8 * arg;
const argHi = (arg: number) => 16 + 8 * arg + 4;

/** Places the test of one comparison: jumps to `pass` or `fail`. Returns its first instruction. */
function cmp(b: Builder, c: Rule["cmps"][number], pass: number, fail: number): number {
  const hi = Number(c.value >> 32n);
  const lo = Number(c.value & 0xffffffffn);
  const mhi = Number(c.mask >> 32n);
  const mlo = Number(c.mask & 0xffffffffn);
  const ld = (off: number) => b.op(BPF_LD | BPF_W | BPF_ABS, off);
  switch (c.op) {
    case "EQ":
    case "NE":
    case "MASKED_EQ": {
      const [t, f] = c.op === "NE" ? [fail, pass] : [pass, fail];
      b.jump(BPF_JEQ, lo & mlo, t, f);
      if (mlo !== 0xffffffff) b.op(BPF_ALU | BPF_AND | BPF_K, mlo);
      ld(argLo(c.arg));
      const lowStart = b.here;
      b.jump(BPF_JEQ, hi & mhi, lowStart, f);
      if (mhi !== 0xffffffff) b.op(BPF_ALU | BPF_AND | BPF_K, mhi);
      return ld(argHi(c.arg));
    }
    case "GT":
    case "GE":
    case "LE":
    case "LT": {
      // x > v: hi > vhi, or hi == vhi and lo > vlo (x >= v: lo >= vlo); LE and LT are the
      // negations of GT and GE
      const [t, f] = c.op === "GT" || c.op === "GE" ? [pass, fail] : [fail, pass];
      b.jump(c.op === "GT" || c.op === "LE" ? BPF_JGT : BPF_JGE, lo, t, f);
      const lowStart = ld(argLo(c.arg));
      b.jump(BPF_JEQ, hi, lowStart, f);
      b.jump(BPF_JGT, hi, t, b.here);
      return ld(argHi(c.arg));
    }
  }
}

/**
 * Places one syscall's rules; falls to `otherwise`. An unconditional rule decides the
 * syscall alone, whatever its precedence, as libseccomp does (its conditional rules are
 * never consulted; of several unconditional ones, the first added); otherwise the
 * conditional rules are tried highest precedence first.
 */
function rulesBlock(b: Builder, rules: readonly Rule[], otherwise: number): number {
  const ordered = [...rules].sort((x, y) => precedence(x.action) - precedence(y.action));
  const plain = rules.find((r) => r.cmps.length === 0); // the first added, as libseccomp keeps
  const live = plain !== undefined ? [plain] : ordered;
  let next = otherwise;
  for (let i = live.length - 1; i >= 0; i--) {
    const r = live[i]!;
    let at = b.ret(r.action);
    for (let j = r.cmps.length - 1; j >= 0; j--) at = cmp(b, r.cmps[j]!, at, next);
    next = at;
  }
  return next;
}

/** Places the search for the syscall number in A among `nrs` (sorted), each to its block. */
function search(b: Builder, nrs: readonly number[], blocks: ReadonlyMap<number, number>, otherwise: number): number {
  if (nrs.length <= 4) {
    let at = otherwise;
    for (let i = nrs.length - 1; i >= 0; i--) at = b.jump(BPF_JEQ, nrs[i]!, blocks.get(nrs[i]!)!, at);
    return at;
  }
  const mid = nrs.length >> 1;
  const high = search(b, nrs.slice(mid), blocks, otherwise);
  const low = search(b, nrs.slice(0, mid), blocks, otherwise);
  return b.jump(BPF_JGE, nrs[mid]!, high, low);
}

function compile(f: SeccompFilter): BpfInsn[] {
  const b = new Builder();
  const badArch = b.ret(f.badArch);
  const dflt = b.ret(f.defaultAction);
  // one block per audit arch: x86_64 and x32 share AUDIT_ARCH_X86_64, told apart by bit 30
  const audits = [...new Set(f.arches.map((a) => AUDIT[a]))];
  const entry = new Map<number, number>();
  for (const audit of audits.reverse()) {
    const arches = f.arches.filter((a) => AUDIT[a] === audit);
    const rules = new Map<number, readonly Rule[]>();
    // (a rule given by number is in both x86_64's and x32's lists: once is enough)
    for (const a of arches) for (const [nr, list] of f.rulesOf(a)) rules.set(nr, [...new Set([...(rules.get(nr) ?? []), ...list])]);
    const nrs = [...rules.keys()].sort((x, y) => x - y);
    const blocks = new Map<number, number>();
    for (const nr of [...nrs].reverse()) {
      const list = rules.get(nr)!;
      // (a syscall decided without comparisons never falls through to the default)
      const otherwise = list.some((r) => r.cmps.length === 0) ? dflt : b.ret(f.defaultAction);
      blocks.set(nr, rulesBlock(b, list, otherwise));
    }
    let start = search(b, nrs, blocks, dflt);
    if (start !== b.here) start = b.ja(start); // (no rules here: straight to the default)
    if (audit === AUDIT_ARCH_X86_64 && arches.length === 1) {
      // only one of x86-64 and x32: a call of the other ABI is a foreign architecture
      start = arches[0] === "x86_64" ? b.jump(BPF_JGE, X32_SYSCALL_BIT, badArch, start) : b.jump(BPF_JGE, X32_SYSCALL_BIT, start, badArch);
    }
    entry.set(audit, b.op(BPF_LD | BPF_W | BPF_ABS, 0));
  }
  let at = badArch;
  for (const audit of [...entry.keys()].reverse()) at = b.jump(BPF_JEQ, audit, entry.get(audit)!, at);
  b.op(BPF_LD | BPF_W | BPF_ABS, 4);
  const program = b.finish();
  if (program.length > BPF_MAXINSNS) throw new RangeError(`the filter compiles to ${program.length} instructions; the kernel takes at most ${BPF_MAXINSNS}`);
  return program;
}
