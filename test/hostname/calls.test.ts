// @privileged: sethostname/setdomainname in a new UTS namespace, and without CAP_SYS_ADMIN (setpriv)
import { hostname } from "node:os";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { gethostname, getdomainname, sethostname, setdomainname, HOST_NAME_MAX } from "../../src/hostname/calls.ts";
import { canUnshare, runChild } from "../../harness/child.ts";

const hostBefore = readFileSync("/proc/sys/kernel/hostname", "utf8").trim();
const domainBefore = readFileSync("/proc/sys/kernel/domainname", "utf8").trim();

describe("gethostname / getdomainname", () => {
  test("agree with the kernel", () => {
    expect(gethostname()).toBe(hostname());
    expect(gethostname()).toBe(hostBefore);
    expect(getdomainname()).toBe(domainBefore);
  });
});

describe("sethostname / setdomainname: arguments are checked before the call", () => {
  // Every case here throws before the kernel is asked, so the host is never touched.
  test.each([
    ["a\0b", TypeError],
    [new Uint8Array([0x61, 0]), TypeError],
    ["x".repeat(HOST_NAME_MAX + 1), RangeError],
    ["é".repeat(33), RangeError], // 66 bytes: the limit is in bytes
    [42, TypeError],
    [undefined, TypeError],
  ])("%#: refuses %s", (name, cls) => {
    expect(() => sethostname(name as never)).toThrow(cls);
    expect(() => setdomainname(name as never)).toThrow(cls);
  });
});

const uts = canUnshare(["--uts"]);

describe.skipIf(!uts)("in a new UTS namespace (needs CAP_SYS_ADMIN for unshare --uts)", () => {
  test("set and read back host and domain names, strings and bytes, up to 64 bytes", () => {
    const r = runChild(
      `
      const out = {};
      b.sethostname("butter-test"); out.h1 = b.gethostname();
      b.sethostname(new TextEncoder().encode("bytes-name")); out.h2 = b.gethostname();
      b.sethostname("h".repeat(64)); out.h3 = b.gethostname();
      b.setdomainname("example.test"); out.d1 = b.getdomainname();
      b.setdomainname(""); out.d2 = b.getdomainname();
      out.proc = require("fs").readFileSync("/proc/sys/kernel/hostname", "utf8").trim();
      report(out);
      `,
      { unshare: ["--uts"] },
    );
    expect(r.stderr).toBe("");
    expect(r.reports).toEqual([
      { h1: "butter-test", h2: "bytes-name", h3: "h".repeat(64), d1: "example.test", d2: "", proc: "h".repeat(64) },
    ]);
  });

  test("a name that is not UTF-8 round-trips byte for byte (sethostname(gethostname()) changes nothing)", () => {
    const r = runChild(
      `
      const raw = new Uint8Array([0x62, 0x75, 0xff, 0xfe, 0x74, 0xc3]); // "bu", two bytes no UTF-8 has, "t", a cut sequence
      b.sethostname(raw);
      const got = b.gethostname();
      b.sethostname(got); // the string read back sets the very same bytes
      const proc = require("fs").readFileSync("/proc/sys/kernel/hostname");
      b.setdomainname(raw);
      const dom = b.getdomainname();
      report({ same: Buffer.compare(proc.subarray(0, proc.length - 1), Buffer.from(raw)) === 0,
               bytes: [...b.fsencode(got)], lossless: !got.includes("\uFFFD"), dom: [...b.fsencode(dom)] });
      `,
      { unshare: ["--uts"] },
    );
    expect(r.stderr).toBe("");
    const raw = [0x62, 0x75, 0xff, 0xfe, 0x74, 0xc3];
    expect(r.reports).toEqual([{ same: true, bytes: raw, lossless: true, dom: raw }]);
  });

  test("without CAP_SYS_ADMIN: PermissionError EPERM", () => {
    const r = runChild(
      `
      for (const fn of [() => b.sethostname("nope"), () => b.setdomainname("nope")]) {
        try { fn(); report("no error"); }
        catch (e) { report({ cls: e.constructor.name, isOS: e instanceof b.OSError, code: e.code, errno: e.errno, syscall: e.syscall }); }
      }
      report(b.gethostname());
      `,
      { unshare: ["--uts"], prefix: ["setpriv", "--inh-caps=-all", "--bounding-set=-sys_admin", "--"] },
    );
    expect(r.stderr).toBe("");
    expect(r.reports).toEqual([
      { cls: "PermissionError", isOS: true, code: "EPERM", errno: 1, syscall: "sethostname" },
      { cls: "PermissionError", isOS: true, code: "EPERM", errno: 1, syscall: "setdomainname" },
      hostBefore,
    ]);
  });

  test("the host's names were never changed", () => {
    expect(readFileSync("/proc/sys/kernel/hostname", "utf8").trim()).toBe(hostBefore);
    expect(readFileSync("/proc/sys/kernel/domainname", "utf8").trim()).toBe(domainBefore);
  });
});
