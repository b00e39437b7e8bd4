import { describe, expect, test } from "vitest";
import * as v from "../../src/core/validate.ts";

describe("int", () => {
  test("accepts integers in range, as number or bigint", () => {
    expect(v.int(5, "x", 0, 10)).toBe(5);
    expect(v.int(5n, "x", 0, 10)).toBe(5);
  });
  test.each([
    [-1, RangeError],
    [11, RangeError],
    [1.5, RangeError],
    [Number.NaN, RangeError],
    [11n, RangeError],
    [-1n, RangeError],
    ["5", TypeError],
    [null, TypeError],
    [undefined, TypeError],
    [{}, TypeError],
  ])("rejects %s", (value, cls) => {
    expect(() => v.int(value, "x", 0, 10)).toThrow(cls);
  });
  test("names the argument and what it got", () => {
    expect(() => v.int("5", "initval", 0, 10)).toThrow("initval must be a number, got type string");
    expect(() => v.int(null, "initval", 0, 10)).toThrow("got null");
    expect(() => v.int([1], "initval", 0, 10)).toThrow("got an array");
    expect(() => v.int(new Date(0), "initval", 0, 10)).toThrow("got an instance of Date");
    expect(() => v.int(Object.create(null), "initval", 0, 10)).toThrow("got an instance of Object");
  });
});

describe("bigint", () => {
  test("accepts bigints and safe integers, returns bigint", () => {
    expect(v.bigint(3, "x", 0n, v.U64_MAX)).toBe(3n);
    expect(v.bigint(v.U64_MAX, "x", 0n, v.U64_MAX)).toBe(v.U64_MAX);
  });
  test("never rounds: an unsafe number is refused", () => {
    expect(() => v.bigint(2 ** 53, "x", 0n, v.U64_MAX)).toThrow(RangeError);
    expect(() => v.bigint(0.5, "x", 0n, v.U64_MAX)).toThrow(RangeError);
  });
  test("range and type", () => {
    expect(() => v.bigint(-1n, "x", 0n, 10n)).toThrow("x must be from 0 to 10, got -1");
    expect(() => v.bigint(11, "x", 0n, 10n)).toThrow(RangeError);
    expect(() => v.bigint("1", "x", 0n, 10n)).toThrow(TypeError);
  });
});

describe("fd and flags", () => {
  test("fd", () => {
    expect(v.fd(0)).toBe(0);
    expect(() => v.fd(-1)).toThrow(RangeError);
    expect(() => v.fd(2 ** 31)).toThrow(RangeError);
    expect(() => v.fd("3")).toThrow(TypeError);
  });
  test("flags refuses unknown bits", () => {
    expect(v.flags(0b101, "flags", 0b111)).toBe(5);
    expect(() => v.flags(0b1000, "flags", 0b111)).toThrow("flags has unknown bits 0x8");
    expect(() => v.flags(-1, "flags", 0b111)).toThrow(RangeError);
  });
});

describe("cstring", () => {
  test("encodes strings as UTF-8 and NUL-terminates", () => {
    expect([...v.cstring("é", "name")]).toEqual([0xc3, 0xa9, 0]);
  });
  test("takes bytes as they are (Linux names are bytes)", () => {
    expect([...v.cstring(new Uint8Array([0xff, 0x41]), "name")]).toEqual([0xff, 0x41, 0]);
    expect([...v.cstring(Buffer.from("ab"), "name")]).toEqual([0x61, 0x62, 0]);
  });
  test("a NUL inside is an error, never a truncation", () => {
    expect(() => v.cstring("a\0b", "name")).toThrow(new TypeError("name must not contain NUL bytes"));
    expect(() => v.cstring(new Uint8Array([1, 0, 2]), "name")).toThrow(TypeError);
  });
  test("length limit in bytes, not characters", () => {
    expect(v.cstring("ab", "name", 2).length).toBe(3);
    expect(() => v.cstring("é", "name", 1)).toThrow("name is 2 bytes; the limit is 1");
  });
  test("wrong types", () => {
    expect(() => v.cstring(5, "name")).toThrow(TypeError);
    expect(() => v.cstring(undefined, "name")).toThrow(TypeError);
  });
});
