/**
 * Classic BPF, as seccomp runs it: the instruction encoding, a builder that lays a program
 * out from its end (so that every jump's target is already placed and far jumps get a
 * `ja` of their own), an interpreter over struct seccomp_data, and a listing.
 *
 * An instruction is 8 bytes: code (u16), jt (u8), jf (u8), k (u32), little-endian.
 */

// instruction classes and fields (linux/bpf_common.h)
export const BPF_LD = 0x00, BPF_LDX = 0x01, BPF_ST = 0x02, BPF_STX = 0x03, BPF_ALU = 0x04, BPF_JMP = 0x05, BPF_RET = 0x06, BPF_MISC = 0x07;
export const BPF_W = 0x00, BPF_ABS = 0x20, BPF_IMM = 0x00, BPF_MEM = 0x60, BPF_LEN = 0x80;
export const BPF_ADD = 0x00, BPF_SUB = 0x10, BPF_MUL = 0x20, BPF_DIV = 0x30, BPF_OR = 0x40, BPF_AND = 0x50, BPF_LSH = 0x60, BPF_RSH = 0x70, BPF_NEG = 0x80, BPF_MOD = 0x90, BPF_XOR = 0xa0;
export const BPF_JA = 0x00, BPF_JEQ = 0x10, BPF_JGT = 0x20, BPF_JGE = 0x30, BPF_JSET = 0x40;
export const BPF_K = 0x00, BPF_X = 0x08, BPF_A = 0x10;
export const BPF_TAX = 0x00, BPF_TXA = 0x80;
/** The most instructions a seccomp program may have. */
export const BPF_MAXINSNS = 4096;

/** One instruction. */
export interface BpfInsn {
  /** the operation: class, size, mode or operation, source */
  code: number;
  /** a conditional jump's offset when true */
  jt: number;
  /** a conditional jump's offset when false */
  jf: number;
  /** the constant: a value, an offset, a return value */
  k: number;
}

/** The 8-byte form of a program (what SECCOMP_SET_MODE_FILTER and `bwrap --seccomp` take). */
export function bpfEncode(insns: readonly BpfInsn[]): Uint8Array {
  const out = new Uint8Array(insns.length * 8);
  const dv = new DataView(out.buffer);
  insns.forEach((i, n) => {
    dv.setUint16(n * 8, i.code, true);
    dv.setUint8(n * 8 + 2, i.jt);
    dv.setUint8(n * 8 + 3, i.jf);
    dv.setUint32(n * 8 + 4, i.k >>> 0, true);
  });
  return out;
}

/** The instructions of a program's bytes. */
export function bpfDecode(bytes: Uint8Array): BpfInsn[] {
  if (bytes.length % 8 !== 0) throw new RangeError(`a BPF program is whole 8-byte instructions, got ${bytes.length} bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: BpfInsn[] = [];
  for (let o = 0; o < bytes.length; o += 8) out.push({ code: dv.getUint16(o, true), jt: dv.getUint8(o + 2), jf: dv.getUint8(o + 3), k: dv.getUint32(o + 4, true) });
  return out;
}

/**
 * Builds a program backwards. A label is an instruction's distance from the program's
 * end, fixed once it is placed; a jump placed later (earlier in the program) reaches it
 * with an 8-bit offset, or through a `ja` placed just after it when it is farther.
 */
export class Builder {
  #rev: BpfInsn[] = [];

  /** How many instructions are placed. */
  get length(): number {
    return this.#rev.length;
  }

  /** The label of the instruction placed last (the first one of the program so far). */
  get here(): number {
    return this.#rev.length - 1;
  }

  /** The jump offset from an instruction about to be placed to `label`. */
  #off(label: number): number {
    return this.#rev.length - label - 1;
  }

  /** Places an instruction without jumps; returns its label. */
  op(code: number, k = 0): number {
    this.#rev.push({ code, jt: 0, jf: 0, k: k >>> 0 });
    return this.here;
  }

  /** Places an unconditional jump to `to` (32-bit offset); returns its label. */
  ja(to: number): number {
    return this.op(BPF_JMP | BPF_JA, this.#off(to));
  }

  /** `to`, or a `ja` to it when an 8-bit offset from the next instruction cannot reach it
   * (with room for two such `ja`s placed between). */
  #near(to: number): number {
    return this.#off(to) <= 253 ? to : this.ja(to);
  }

  /** Places a conditional jump (BPF_JMP | op | BPF_K) to `t` when true, `f` when false. */
  jump(op: number, k: number, t: number, f: number): number {
    const nt = this.#near(t);
    const nf = this.#near(f);
    this.#rev.push({ code: BPF_JMP | op | BPF_K, jt: this.#off(nt), jf: this.#off(nf), k: k >>> 0 });
    return this.here;
  }

  // the last `ret` placed for each value: reused while a short jump reaches it
  #rets = new Map<number, number>();

  /** Places `ret k`, or finds one already placed that a short jump from here reaches. */
  ret(k: number): number {
    const at = this.#rets.get(k >>> 0);
    if (at !== undefined && this.#off(at) <= 200) return at;
    const label = this.op(BPF_RET | BPF_K, k);
    this.#rets.set(k >>> 0, label);
    return label;
  }

  /** The program, first instruction first. */
  finish(): BpfInsn[] {
    return [...this.#rev].reverse();
  }
}

/** The input of a seccomp program: struct seccomp_data. */
export interface SeccompData {
  /** AUDIT_ARCH_* */
  arch: number;
  /** the syscall number (x32's with its bit) */
  nr: number;
  /** up to six arguments, as 64-bit values */
  args?: readonly (bigint | number)[];
  /** the calling instruction's address */
  instructionPointer?: bigint | number;
}

/** struct seccomp_data's 64 bytes, as the kernel lays them out. */
export function seccompData(d: SeccompData): DataView {
  const dv = new DataView(new ArrayBuffer(64));
  dv.setInt32(0, d.nr | 0, true);
  dv.setUint32(4, d.arch >>> 0, true);
  dv.setBigUint64(8, BigInt.asUintN(64, BigInt(d.instructionPointer ?? 0)), true);
  (d.args ?? []).slice(0, 6).forEach((a, i) => dv.setBigUint64(16 + 8 * i, BigInt.asUintN(64, BigInt(a)), true));
  return dv;
}

/**
 * Runs a seccomp program over `data` as the kernel's interpreter would and returns its
 * 32-bit result. Every instruction seccomp accepts is known; a program the kernel would
 * refuse (a load out of bounds, a jump past the end, no return) throws RangeError.
 * Counts the instructions it executed in `stats.executed`, when given.
 */
export function bpfRun(program: readonly BpfInsn[], data: SeccompData, stats?: { executed: number }): number {
  const dv = seccompData(data);
  const mem = new Uint32Array(16);
  let a = 0;
  let x = 0;
  let pc = 0;
  let executed = 0;
  const bad = (why: string): never => {
    throw new RangeError(`BPF instruction ${pc}: ${why}`);
  };
  for (;;) {
    const i = program[pc] ?? bad("past the end of the program");
    executed++;
    const cls = i.code & 0x07;
    const src = i.code & 0x08 ? x : i.k >>> 0;
    switch (cls) {
      case BPF_LD:
      case BPF_LDX: {
        const mode = i.code & 0xe0;
        let val: number;
        if (mode === BPF_ABS) {
          if (i.k % 4 !== 0 || i.k > 60) bad(`load of offset ${i.k}`);
          val = dv.getUint32(i.k, true);
        } else if (mode === BPF_IMM) val = i.k >>> 0;
        else if (mode === BPF_MEM) val = mem[i.k] ?? bad(`scratch slot ${i.k}`);
        else if (mode === BPF_LEN) val = 64;
        else val = bad(`load mode ${mode}`);
        if (cls === BPF_LD) a = val;
        else x = val;
        pc++;
        break;
      }
      case BPF_ST:
      case BPF_STX:
        if (i.k > 15) bad(`scratch slot ${i.k}`);
        mem[i.k] = cls === BPF_ST ? a : x;
        pc++;
        break;
      case BPF_ALU: {
        const op = i.code & 0xf0;
        if ((op === BPF_DIV || op === BPF_MOD) && src === 0) return 0; // the kernel's: a division by zero ends the program with 0
        a =
          op === BPF_ADD ? a + src
          : op === BPF_SUB ? a - src
          : op === BPF_MUL ? Math.imul(a, src)
          : op === BPF_DIV ? Math.floor((a >>> 0) / (src >>> 0))
          : op === BPF_MOD ? (a >>> 0) % (src >>> 0)
          : op === BPF_OR ? a | src
          : op === BPF_AND ? a & src
          : op === BPF_XOR ? a ^ src
          : op === BPF_LSH ? (src >= 32 ? 0 : a << src)
          : op === BPF_RSH ? (src >= 32 ? 0 : a >>> src)
          : op === BPF_NEG ? -a
          : bad(`ALU operation ${op}`);
        a >>>= 0;
        pc++;
        break;
      }
      case BPF_JMP: {
        const op = i.code & 0xf0;
        if (op === BPF_JA) {
          pc += 1 + (i.k >>> 0);
          break;
        }
        const s = src >>> 0;
        const ua = a >>> 0;
        const taken = op === BPF_JEQ ? ua === s : op === BPF_JGT ? ua > s : op === BPF_JGE ? ua >= s : op === BPF_JSET ? (ua & s) !== 0 : bad(`jump ${op}`);
        pc += 1 + (taken ? i.jt : i.jf);
        break;
      }
      case BPF_RET:
        if (stats) stats.executed = executed;
        return (i.code & 0x18) === BPF_A ? a >>> 0 : i.k >>> 0;
      case BPF_MISC:
        if ((i.code & 0xf8) === BPF_TAX) x = a;
        else a = x;
        pc++;
        break;
    }
  }
}

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, "0")}`;
const FIELD: Record<number, string> = { 0: "nr", 4: "arch", 8: "ip_lo", 12: "ip_hi" };
const fieldName = (k: number) => FIELD[k] ?? (k >= 16 && k < 64 ? `arg${(k - 16) >> 3}_${k & 4 ? "hi" : "lo"}` : `[${k}]`);

/** A readable listing, one instruction per line, with jump targets as line numbers. */
export function bpfDisassemble(program: readonly BpfInsn[], comment: (k: number, pc: number) => string | undefined = () => undefined): string {
  const pad = String(program.length).length;
  return program
    .map((i, pc) => {
      const at = String(pc).padStart(pad, "0");
      const cls = i.code & 0x07;
      const op = i.code & 0xf0;
      let text: string;
      if (cls === BPF_LD && (i.code & 0xe0) === BPF_ABS) text = `ld  ${fieldName(i.k)}`;
      else if (cls === BPF_ALU) text = `alu ${op.toString(16)} ${hex(i.k)}`;
      else if (cls === BPF_JMP && op === BPF_JA) text = `ja  ${pc + 1 + i.k}`;
      else if (cls === BPF_JMP) {
        const name = op === BPF_JEQ ? "jeq" : op === BPF_JGT ? "jgt" : op === BPF_JGE ? "jge" : "jset";
        text = `${name} ${hex(i.k)} ? ${pc + 1 + i.jt} : ${pc + 1 + i.jf}`;
      } else if (cls === BPF_RET) text = `ret ${hex(i.k)}`;
      else text = `op  ${i.code.toString(16)} ${hex(i.k)}`;
      const c = comment(i.k, pc);
      return `${at}: ${text}${c ? `  ; ${c}` : ""}`;
    })
    .join("\n");
}
