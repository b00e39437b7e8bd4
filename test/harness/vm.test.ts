// The VM harness's own contract: how QEMU's exit code becomes the suite's status, which
// files form the privileged suite, and that the Vagrantfile is valid and runs the same
// provisioning script and suite as the QEMU guest.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { ARCHES, BOOTED, guestStatus, kernelLines, kernelPins } from "../../harness/vm.ts";
import { privilegedFiles, PRIVILEGED_MARK } from "../../harness/privileged.ts";
import { ROOT } from "../../harness/child.ts";

describe("the guest's status file", () => {
  test("a number the guest wrote is its command's status", () => {
    expect(guestStatus("0\n")).toEqual({ status: 0 });
    expect(guestStatus("3\n")).toEqual({ status: 3 });
    expect(guestStatus("255")).toEqual({ status: 255 });
  });
  test("no file (a panic, a power-off without a report, a kill), an empty or a damaged one are failures, never a pass", () => {
    for (const text of [undefined, "", "\n", "x", "-1", "256", "1.5"]) expect(guestStatus(text)).toHaveProperty("failure");
  });
  test("vm/init prints the line that ends the boot timeout", () => {
    expect(readFileSync(`${ROOT}/vm/init`, "utf8")).toContain(`echo "${BOOTED} on`);
  });
});

// The whole path, end to end, on the real guest: a failing command fails, a kernel panic
// fails, a hung guest is killed and fails. (~25 s under TCG; CI builds the guest first.)
const built = existsSync(`${ROOT}/vm/build/6.1/vmlinuz`) && existsSync(`${ROOT}/vm/build/6.1/initramfs.cpio`);
const testVm = (env: Record<string, string>) =>
  spawnSync(process.execPath, [`${ROOT}/harness/vm.ts`], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });

describe.skipIf(!built)("bun run test:vm, end to end (needs the guest: bash vm/build.sh)", () => {
  test("the guest command's exit status is test:vm's", () => {
    const r = testVm({ BUTTER_VM_COMMAND: "echo guest-says-hello; hostname; exit 3" });
    expect(r.stdout).toContain("guest-says-hello");
    expect(r.stdout).toContain("butter-vm");
    expect(r.stdout).toContain("with status 3");
    expect(r.status).toBe(3);
  });
  test("a kernel panic in the guest is a failure", () => {
    const r = testVm({ BUTTER_VM_COMMAND: "echo the-last-words; echo c > /proc/sysrq-trigger; sleep 60" });
    expect(r.stderr).toContain("without reporting a status");
    // the whole console is in its file, and its last lines are printed again with the failure
    const console = readFileSync(`${ROOT}/vm/build/6.1/console.log`, "utf8");
    expect(console).toContain("the-last-words");
    expect(r.stderr).toContain("the console's last lines");
    expect(r.stderr).toContain(console.trim().split("\n").at(-1)!.trim());
    expect(r.status).toBe(1);
  });
  test("a guest that does not boot fails at the boot timeout, not at the suite's", () => {
    // (busybox's own init instead of vm/init: it waits on the console for ever and never
    // prints the boot line)
    const r = testVm({ BUTTER_VM_BOOT_TIMEOUT: "8", BUTTER_VM_APPEND: "rdinit=/bin/init" });
    expect(r.stderr).toContain("had not booted (started its command) after 8 s and was killed");
    expect(r.status).toBe(1);
  });
  test("a guest still running at BUTTER_VM_TIMEOUT is killed and fails", () => {
    const r = testVm({ BUTTER_VM_COMMAND: "sleep 600", BUTTER_VM_TIMEOUT: "4" });
    expect(r.stderr).toContain("still running after 4 s and was killed");
    expect(r.status).toBe(1);
  });
});

describe("the kernel matrix", () => {
  test("vm/kernels.txt pins the three lines on x86_64 and 6.1 on aarch64, each to an exact Debian package and version", () => {
    expect(kernelLines()).toEqual(["5.10", "6.1", "6.12"]);
    expect(kernelLines("aarch64")).toEqual(["6.1"]);
    for (const arch of Object.keys(ARCHES) as (keyof typeof ARCHES)[]) {
      for (const { line, deb, suite, pkg, version } of kernelPins(arch)) {
        expect(pkg, line).toMatch(new RegExp(`^linux-image-${line.replace(".", "\\.")}\\.[0-9.+a-z-]*-${deb}$`));
        expect(version, line).toMatch(new RegExp(`^${line.replace(".", "\\.")}\\.\\d+-\\d+$`));
        expect(["bullseye", "bookworm", "trixie"]).toContain(suite);
      }
    }
  });
  test("--kernel takes a line of vm/kernels.txt or all, and says what it takes otherwise", () => {
    const r = spawnSync(process.execPath, [`${ROOT}/harness/vm.ts`, "--kernel", "4.19"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("--kernel takes 5.10, 6.1, 6.12, all; got 4.19");
    const a = spawnSync(process.execPath, [`${ROOT}/harness/vm.ts`, "--arch", "riscv64"], { cwd: ROOT, encoding: "utf8" });
    expect(a.status).toBe(1);
    expect(a.stderr).toContain("--arch takes x86_64, aarch64; got riscv64");
    const k = spawnSync(process.execPath, [`${ROOT}/harness/vm.ts`, "--arch", "aarch64", "--kernel", "5.10"], { cwd: ROOT, encoding: "utf8" });
    expect(k.stderr).toContain("--kernel takes 6.1, all for aarch64; got 5.10");
  });
});

describe("the privileged suite", () => {
  test("is the files marked on their first line, each saying what it needs", () => {
    const files = privilegedFiles();
    expect(files).toEqual(expect.arrayContaining(["test/hostname/calls.test.ts", "test/core/features.test.ts"]));
    for (const f of files) {
      const first = readFileSync(`${ROOT}/${f}`, "utf8").split("\n")[0]!;
      expect(first.slice(PRIVILEGED_MARK.length).trim().length, f).toBeGreaterThan(10);
    }
  });
});

const vagrant = spawnSync("vagrant", ["--version"]).status === 0;

describe("Vagrantfile", () => {
  const text = readFileSync(`${ROOT}/Vagrantfile`, "utf8");
  test("provisions with vm/provision.sh and runs the privileged suite, like the QEMU guest", () => {
    expect(text).toContain("bash /butter/vm/provision.sh");
    expect(text).toContain("harness/test.ts --privileged");
    expect(readFileSync(`${ROOT}/vm/build.sh`, "utf8")).toContain("provision.sh --vm-host");
  });
  test.skipIf(!vagrant)("vagrant validate passes, provider settings included (needs vagrant and vagrant-libvirt: vm/provision.sh --vm-host)", () => {
    const r = spawnSync("vagrant", ["validate"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, VAGRANT_CHECKPOINT_DISABLE: "1", VAGRANT_DEFAULT_PROVIDER: "libvirt" },
    });
    expect(r.stdout + r.stderr).toContain("Vagrantfile validated successfully");
    expect(r.status).toBe(0);
  });
});
