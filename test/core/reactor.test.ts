// The reactor (src/core/reactor.ts) on its default backend, Linux AIO poll on the epoll
// set (the cases: reactor.cases.ts), and the thread backend's report decoder.
import { describe, expect, test } from "vitest";
import { ReportDecoder } from "../../src/core/reactor.ts";
import { reactorCases } from "./reactor.cases.ts";

reactorCases("aio");

describe("ReportDecoder", () => {
  const bytes = (...fds: number[]) => new Uint8Array(Int32Array.from(fds).buffer);
  test("decodes whole reports, in order", () => {
    expect(new ReportDecoder().push(bytes(3, 70000, 5))).toEqual([3, 70000, 5]);
  });
  test("carries a report split across chunks", () => {
    const d = new ReportDecoder();
    const all = bytes(7, 8, 9);
    expect(d.push(all.subarray(0, 6))).toEqual([7]);
    expect(d.push(all.subarray(6, 7))).toEqual([]);
    expect(d.push(all.subarray(7))).toEqual([8, 9]);
    expect(d.push(new Uint8Array(0))).toEqual([]);
  });
});
