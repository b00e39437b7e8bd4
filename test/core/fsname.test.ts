import { describe, expect, test } from "vitest";
import { fsdecode, fsencode } from "../../src/core/fsname.ts";
import { cstring } from "../../src/core/validate.ts";

const bytes = (...b: number[]) => new Uint8Array(b);

describe("fsdecode / fsencode: names are bytes, losslessly", () => {
  test("ASCII and valid UTF-8 decode as usual", () => {
    expect(fsdecode(bytes(0x61, 0x62))).toBe("ab");
    expect(fsdecode(new TextEncoder().encode("é日本🙂"))).toBe("é日本🙂");
    expect(fsdecode(new TextEncoder().encode("x".repeat(100)))).toBe("x".repeat(100));
  });

  test.each([
    ["a lone high byte", [0x66, 0xff, 0x41], "f\udcffA"],
    ["a lead byte with no continuation", [0xc3, 0x41], "\udcc3A"],
    ["a truncated sequence", [0xe6, 0x97], "\udce6\udc97"],
    ["an overlong slash", [0xc0, 0xaf], "\udcc0\udcaf"],
    ["an overlong 3-byte form", [0xe0, 0x80, 0xaf], "\udce0\udc80\udcaf"],
    ["an encoded surrogate", [0xed, 0xa0, 0x80], "\udced\udca0\udc80"],
    ["above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], "\udcf4\udc90\udc80\udc80"],
    ["an overlong 4-byte form", [0xf0, 0x80, 0x80, 0x80], "\udcf0\udc80\udc80\udc80"],
    ["the last valid 3-byte form below the surrogates", [0xed, 0x9f, 0xbf, 0xff], "\ud7ff\udcff"],
    ["valid bytes around an invalid one", [0xc3, 0xa9, 0x80, 0xf0, 0x9f, 0x99, 0x82], "é\udc80🙂"],
  ])("%s is escaped byte by byte, and round-trips", (_what, b, s) => {
    expect(fsdecode(bytes(...b))).toBe(s);
    expect([...fsencode(s)]).toEqual(b);
  });

  test("every single byte round-trips", () => {
    for (let i = 1; i < 256; i++) expect([...fsencode(fsdecode(bytes(i, 0x80 | (i & 0x3f))))]).toEqual([i, 0x80 | (i & 0x3f)]);
  });

  test("a lone surrogate that stands for no byte has no encoding", () => {
    expect(() => fsencode("a\ud800")).toThrow(/lone surrogate U\+D800/);
    expect(() => fsencode("\udc10")).toThrow(TypeError);
    expect(() => fsencode("\ud800x")).toThrow(/U\+D800/);
    expect(() => cstring("x\ud800", "path")).toThrow(/^path: lone surrogate/);
  });

  test("cstring sends escaped bytes as the bytes, and NUL-terminates", () => {
    expect([...cstring("f\udcffA", "path")]).toEqual([0x66, 0xff, 0x41, 0]);
    expect([...cstring("🙂\udc80", "path")]).toEqual([0xf0, 0x9f, 0x99, 0x82, 0x80, 0]);
  });
});
