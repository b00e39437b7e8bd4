/**
 * `bun run test:vm [-- --kernel 5.10|6.1|6.12|all]`: runs the privileged suite as real root
 * in a disposable QEMU guest on Debian's kernel of that line (default 6.1; `all` runs the
 * lines of vm/kernels.txt in turn; see docs/vm.md). It builds the guest when its inputs changed
 * (vm/build.sh), builds the fault-injection shim here (the guest has no compiler), boots
 * the guest with this checkout shared over 9p, streams the guest's console (the suite
 * prints there exactly as on the host), and exits with the suite's status.
 *
 * The guest's status comes back through QEMU's isa-debug-exit device: QEMU exits with
 * status*2+1. Any even exit code (a kernel panic, a power-off without a report, QEMU's
 * own failure) is a failure, and so is a guest still running at BUTTER_VM_TIMEOUT
 * seconds (default 600), which is killed.
 *
 * Environment: BUTTER_VM_ACCEL (kvm or tcg; default: kvm where it works),
 * BUTTER_VM_TIMEOUT (seconds), BUTTER_VM_COMMAND (a shell command to run in the guest
 * instead of the privileged suite), BUTTER_VM_SMP (CPUs, default: the host's, at most
 * 4), BUTTER_VM_MEMORY (MiB, default 2048).
 */
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { ROOT } from "./child.ts";
import { buildShim } from "./fiu/build.ts";

const TIMEOUT_S = Number(process.env.BUTTER_VM_TIMEOUT ?? 600);
const COMMAND = process.env.BUTTER_VM_COMMAND ?? "exec bun harness/test.ts --privileged";
const SMP = Number(process.env.BUTTER_VM_SMP ?? Math.min(4, availableParallelism()));
const MEMORY = Number(process.env.BUTTER_VM_MEMORY ?? 2048);

function fail(message: string): never {
  console.error(`test:vm: ${message}`);
  process.exit(1);
}

/**
 * KVM when /dev/kvm is usable and the CPU has hardware virtualization (vmx/svm). A
 * /dev/kvm without them (this machine's paravirtual kvm_pvm) hangs the guest at boot, so
 * it is not used unless BUTTER_VM_ACCEL=kvm asks for it.
 */
function kvm(): boolean {
  if (process.env.BUTTER_VM_ACCEL !== undefined) return process.env.BUTTER_VM_ACCEL === "kvm";
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch {
    return false;
  }
  return /^flags\s*:.*\b(vmx|svm)\b/m.test(readFileSync("/proc/cpuinfo", "utf8"));
}

/** QEMU's exit code -> what the guest reported. */
export function guestStatus(code: number | null): { status: number } | { failure: string } {
  if (code === null) return { failure: "QEMU was killed" };
  if (code % 2 === 1) return { status: (code - 1) / 2 };
  return { failure: `QEMU exited with ${code}: the guest ended without reporting a status (kernel panic, or a boot failure; see its console above)` };
}

/** The kernel lines of vm/kernels.txt, in its order. */
export function kernelLines(): string[] {
  return readFileSync(`${ROOT}/vm/kernels.txt`, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => l.split(/\s+/)[0]!);
}

/** `--kernel LINE|all` from argv (default 6.1): the lines to run, in order. */
export function kernelsWanted(argv: string[]): string[] {
  const i = argv.indexOf("--kernel");
  const want = i >= 0 ? argv[i + 1] : "6.1";
  const lines = kernelLines();
  if (want === "all") return lines;
  if (want === undefined || !lines.includes(want)) fail(`--kernel takes ${[...lines, "all"].join(", ")}; got ${want ?? "nothing"}`);
  return [want];
}

/** Builds and boots the guest of one kernel line; resolves with the suite's status. */
function runGuest(line: string, shimReady: boolean): Promise<number> {
  const built = spawnSync("bash", [`${ROOT}/vm/build.sh`, "--kernel", line], { stdio: "inherit" });
  if (built.status !== 0) fail(`building the ${line} guest failed (vm/build.sh; it needs root and vm/provision.sh --vm-host)`);
  if (!shimReady) console.log("test:vm: no fault-injection shim; the guest runs without it");
  const dir = `${ROOT}/vm/build/${line}`;
  const useKvm = kvm();
  const accel = useKvm ? ["-accel", "kvm", "-cpu", "host,-arch-capabilities"] : ["-accel", "tcg", "-cpu", "max"];
  const argv = [
    ...accel,
    ...["-smp", String(SMP), "-m", String(MEMORY)],
    ...["-nodefaults", "-display", "none", "-no-reboot"],
    ...["-chardev", "stdio,id=console,signal=off", "-serial", "chardev:console"],
    ...["-device", "isa-debug-exit,iobase=0xf4,iosize=0x01"],
    ...["-virtfs", `local,path=${ROOT},mount_tag=butter,security_model=passthrough,id=butter`],
    ...["-kernel", `${dir}/vmlinuz`, "-initrd", `${dir}/initramfs.cpio`],
    // panic=-1 reboots at once on a panic, and -no-reboot turns that into QEMU's exit
    ...["-append", "console=ttyS0 rdinit=/init panic=-1 quiet loglevel=3"],
  ];
  console.log(`test:vm: booting Debian's ${line} kernel under ${useKvm ? "KVM" : "TCG (software emulation)"}, ${SMP} CPUs, timeout ${TIMEOUT_S} s`);
  const started = performance.now();
  const qemu = spawn("qemu-system-x86_64", argv, { stdio: ["ignore", "inherit", "inherit"] });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    qemu.kill("SIGKILL");
  }, TIMEOUT_S * 1000);
  const stop = () => qemu.kill("SIGKILL");
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return new Promise((resolve) => {
    qemu.on("error", (e) => fail(`cannot start QEMU: ${e.message} (vm/provision.sh --vm-host installs it)`));
    qemu.on("exit", (code) => {
      clearTimeout(timer);
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (timedOut) fail(`the ${line} guest was still running after ${TIMEOUT_S} s and was killed: a failure`);
      const r = guestStatus(code);
      if ("failure" in r) fail(`${line}: ${r.failure}`);
      console.log(`test:vm: the ${line} guest finished in ${seconds} s (boot, suite, power-off) with status ${r.status}`);
      resolve(r.status);
    });
  });
}

if (import.meta.main) {
  const lines = kernelsWanted(process.argv.slice(2));
  const shim = buildShim();
  if (!("path" in shim)) console.log(`test:vm: (${shim.reason})`);
  mkdirSync(`${ROOT}/harness/build/vm`, { recursive: true });
  writeFileSync(`${ROOT}/harness/build/vm/command`, `${COMMAND}\n`);
  const results: [string, number][] = [];
  for (const line of lines) results.push([line, await runGuest(line, "path" in shim)]);
  if (results.length > 1) console.log(`test:vm: ${results.map(([l, st]) => `${l} ${st === 0 ? "passed" : `failed (${st})`}`).join(", ")}`);
  process.exit(results.find(([, st]) => st !== 0)?.[1] ?? 0); // the status of the first guest that failed
}
