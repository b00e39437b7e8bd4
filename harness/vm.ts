/**
 * `bun run test:vm [-- --kernel 5.10|6.1|6.12|all] [--arch x86_64|aarch64]`: runs the
 * privileged suite (`--arch aarch64`: the whole suite) as real root in a disposable QEMU
 * guest on Debian's kernel of that line and architecture (default 6.1, x86_64; `all`
 * runs the lines of vm/kernels.txt for that architecture in turn; see docs/vm.md). It
 * builds the guest when its inputs changed (vm/build.sh), builds the fault-injection shim
 * here for the guest's architecture (the guest has no compiler), boots the guest with
 * this checkout shared over 9p, streams the guest's console (the suite prints there
 * exactly as on the host) into a file too, and exits with the suite's status.
 *
 * The guest writes its status into the checkout (harness/build/vm/status) before it
 * powers off. A guest that ends without a status (a kernel panic, a power-off without a
 * report, QEMU's own failure) is a failure, and so is a guest that has not started its
 * command at BUTTER_VM_BOOT_TIMEOUT seconds or is still running at BUTTER_VM_TIMEOUT;
 * each is killed, and the console's last lines are printed again.
 *
 * Environment: BUTTER_VM_ACCEL (kvm or tcg; default: kvm where it works),
 * BUTTER_VM_TIMEOUT (seconds), BUTTER_VM_BOOT_TIMEOUT (seconds), BUTTER_VM_COMMAND (a
 * shell command to run in the guest instead of the suite), BUTTER_VM_SMP (CPUs, default:
 * the host's, at most 4), BUTTER_VM_MEMORY (MiB, default 2048), BUTTER_VM_APPEND (more
 * kernel arguments; the harness's own tests boot a guest that never starts its command).
 */
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { ROOT } from "./child.ts";
import { ARCHES, type Arch } from "./arches.ts";
import { buildShim } from "./fiu/build.ts";
import { makeCorruptExt4 } from "./ext4-error.ts";

export { ARCHES, type Arch };

const BOOT_TIMEOUT_S = Number(process.env.BUTTER_VM_BOOT_TIMEOUT ?? 180);
const SMP = Number(process.env.BUTTER_VM_SMP ?? Math.min(4, availableParallelism()));
const MEMORY = Number(process.env.BUTTER_VM_MEMORY ?? 2048);
/** The line vm/init prints when the guest is up and starts the command: boot is over. */
export const BOOTED = "vm/init: running harness/build/vm/command";
/** How many of the console's last lines a failure prints again. */
const TAIL_LINES = 40;

function fail(message: string): never {
  console.error(`test:vm: ${message}`);
  process.exit(1);
}

/**
 * KVM when /dev/kvm is usable and the CPU has hardware virtualization (vmx/svm) for a
 * guest of the host's own architecture. A /dev/kvm without them (this machine's
 * paravirtual kvm_pvm) hangs the guest at boot, so it is not used unless
 * BUTTER_VM_ACCEL=kvm asks for it.
 */
function kvm(arch: Arch): boolean {
  if (process.env.BUTTER_VM_ACCEL !== undefined) return process.env.BUTTER_VM_ACCEL === "kvm";
  if (ARCHES[arch].node !== process.arch) return false;
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch {
    return false;
  }
  return /^flags\s*:.*\b(vmx|svm)\b/m.test(readFileSync("/proc/cpuinfo", "utf8"));
}

/** Where the guest writes its command's status, in the shared checkout. */
const STATUS = `${ROOT}/harness/build/vm/status`;

/** What the guest reported (the status file's text, or nothing) -> its status or a failure. */
export function guestStatus(reported: string | undefined): { status: number } | { failure: string } {
  const text = reported?.trim() ?? "";
  const n = Number(text);
  if (text !== "" && Number.isInteger(n) && n >= 0 && n <= 255) return { status: n };
  return { failure: "the guest ended without reporting a status (a kernel panic, or a boot failure; its console's last lines are below)" };
}

/** The pins of vm/kernels.txt for one architecture, in the file's order. */
export function kernelPins(arch: Arch = "x86_64"): { line: string; deb: string; suite: string; pkg: string; version: string }[] {
  return readFileSync(`${ROOT}/vm/kernels.txt`, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => l.split(/\s+/))
    .map(([line, deb, suite, pkg, version]) => ({ line: line!, deb: deb!, suite: suite!, pkg: pkg!, version: version! }))
    .filter((p) => p.deb === ARCHES[arch].deb);
}

/** The kernel lines of vm/kernels.txt for one architecture, in its order. */
export function kernelLines(arch: Arch = "x86_64"): string[] {
  return kernelPins(arch).map((p) => p.line);
}

/** `--arch x86_64|aarch64` from argv (default x86_64). */
export function archWanted(argv: string[]): Arch {
  const i = argv.indexOf("--arch");
  const want = i >= 0 ? argv[i + 1] : "x86_64";
  if (want === undefined || !(want in ARCHES)) fail(`--arch takes ${Object.keys(ARCHES).join(", ")}; got ${want ?? "nothing"}`);
  return want as Arch;
}

/** `--kernel LINE|all` from argv (default 6.1): the lines to run, in order. */
export function kernelsWanted(argv: string[], arch: Arch = "x86_64"): string[] {
  const i = argv.indexOf("--kernel");
  const want = i >= 0 ? argv[i + 1] : "6.1";
  const lines = kernelLines(arch);
  if (want === "all") return lines;
  if (want === undefined || !lines.includes(want)) fail(`--kernel takes ${[...lines, "all"].join(", ")}${arch === "x86_64" ? "" : ` for ${arch}`}; got ${want ?? "nothing"}`);
  return [want];
}

/** The guest's directory under vm/build/ (vm/build.sh's naming). */
export function guestDir(line: string, arch: Arch): string {
  return `${ROOT}/vm/build/${arch === "x86_64" ? line : `${line}-${arch}`}`;
}

/**
 * The C programs the suite runs that a guest without a compiler cannot build: a foreign
 * guest's, cross-built here (static: nothing to find in the guest) into
 * harness/build/guest/<name>.<Node's arch>.
 */
function buildGuestPrograms(arch: Arch): void {
  mkdirSync(`${ROOT}/harness/build/guest`, { recursive: true });
  for (const name of ["trapped"]) {
    const r = spawnSync(ARCHES[arch].cc, ["-static", "-O2", "-o", `${ROOT}/harness/build/guest/${name}.${ARCHES[arch].node}`, `${ROOT}/test/seccomp/${name}.c`], { encoding: "utf8" });
    if (r.status !== 0) fail(`cross-building ${name}.c for the ${arch} guest failed: ${r.error?.message ?? r.stderr} (vm/provision.sh --vm-host installs the cross compilers)`);
  }
}

/** Builds and boots the guest of one kernel line; resolves with the suite's status. */
function runGuest(line: string, arch: Arch): Promise<number> {
  const built = spawnSync("bash", [`${ROOT}/vm/build.sh`, "--kernel", line, "--arch", arch], { stdio: "inherit" });
  if (built.status !== 0) fail(`building the ${line} ${arch} guest failed (vm/build.sh; it needs root and vm/provision.sh --vm-host)`);
  const dir = guestDir(line, arch);
  const a = ARCHES[arch];
  // (after the guest's build: a foreign guest's shim links against the guest's own libfiu)
  const shim = buildShim(a.node, arch === "x86_64" ? undefined : `${dir}/userland/usr/lib/libfiu.so.0`);
  if (!("path" in shim)) console.log(`test:vm: no fault-injection shim (${shim.reason}); the guest runs without it`);
  if (arch !== "x86_64") buildGuestPrograms(arch);
  const useKvm = kvm(arch);
  const argv = [
    ...a.machine(useKvm),
    ...["-smp", String(SMP), "-m", String(MEMORY)],
    ...["-nodefaults", "-display", "none", "-no-reboot"],
    ...["-chardev", "stdio,id=console,signal=off", "-serial", "chardev:console"],
    ...["-virtfs", `local,path=${ROOT},mount_tag=butter,security_model=passthrough,id=butter`],
    ...["-kernel", `${dir}/vmlinuz`, "-initrd", `${dir}/initramfs.cpio`],
    // panic=-1 reboots at once on a panic, and -no-reboot turns that into QEMU's exit
    ...["-append", `console=${a.console} rdinit=/init panic=-1 quiet loglevel=3 ${process.env.BUTTER_VM_APPEND ?? ""}`.trim()],
  ];
  // a scratch disk, made afresh for each boot: the guest's /tmp (ext4 on a block device)
  const disk = `${dir}/scratch.img`;
  rmSync(disk, { force: true });
  writeFileSync(disk, "");
  truncateSync(disk, 2 * 1024 ** 3);
  const mkfs = spawnSync("mkfs.ext4", ["-q", "-F", disk], { encoding: "utf8" });
  if (mkfs.status !== 0) fail(`mkfs.ext4 of the scratch disk failed: ${mkfs.error?.message ?? mkfs.stderr} (e2fsprogs)`);
  argv.push("-drive", `file=${disk},format=raw,if=none,id=scratch,cache=unsafe`, "-device", "virtio-blk-pci,drive=scratch");
  // the second disk, /dev/vdb: an ext4 with a corrupt inode, for the real FAN_FS_ERROR test
  // (test/fanotify/fs-error.test.ts; harness/ext4-error.ts)
  const broken = `${dir}/fs-error.img`;
  makeCorruptExt4(broken);
  argv.push("-drive", `file=${broken},format=raw,if=none,id=broken,cache=unsafe`, "-device", "virtio-blk-pci,drive=broken");
  rmSync(STATUS, { force: true });
  const consoleFile = `${dir}/console.log`;
  const log = createWriteStream(consoleFile);
  const name = arch === "x86_64" ? line : `${line} ${arch}`;
  const TIMEOUT_S = Number(process.env.BUTTER_VM_TIMEOUT ?? a.timeout);
  console.log(`test:vm: booting Debian's ${line} ${arch} kernel under ${useKvm ? "KVM" : "TCG (software emulation)"}, ${SMP} CPUs, boot timeout ${BOOT_TIMEOUT_S} s, timeout ${TIMEOUT_S} s; console also in ${consoleFile}`);
  const started = performance.now();
  const qemu = spawn(a.qemu, argv, { stdio: ["ignore", "pipe", "inherit"] });
  let killedFor: string | undefined;
  let booted = false;
  let tail: string[] = [];
  let partial = "";
  qemu.stdout.on("data", (chunk: Buffer) => {
    process.stdout.write(chunk);
    log.write(chunk);
    const lines = (partial + chunk.toString("latin1")).split("\n");
    partial = lines.pop()!;
    if (!booted && lines.some((l) => l.includes(BOOTED))) booted = true;
    tail = [...tail, ...lines].slice(-TAIL_LINES);
  });
  const kill = (why: string) => {
    killedFor ??= why;
    qemu.kill("SIGKILL");
  };
  const bootTimer = setTimeout(() => booted || kill(`the ${name} guest had not booted (started its command) after ${BOOT_TIMEOUT_S} s and was killed: a failure`), BOOT_TIMEOUT_S * 1000);
  const timer = setTimeout(() => kill(`the ${name} guest was still running after ${TIMEOUT_S} s and was killed: a failure`), TIMEOUT_S * 1000);
  const stop = () => qemu.kill("SIGKILL");
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return new Promise((resolve) => {
    qemu.on("error", (e) => fail(`cannot start ${a.qemu}: ${e.message} (vm/provision.sh --vm-host installs it)`));
    qemu.on("close", () => {
      clearTimeout(timer);
      clearTimeout(bootTimer);
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      log.end();
      rmSync(disk, { force: true });
      rmSync(broken, { force: true });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const lastLines = () => [...tail, partial].filter((l) => l !== "").join("\n");
      const r = guestStatus(existsSync(STATUS) ? readFileSync(STATUS, "utf8") : undefined);
      if (killedFor !== undefined || "failure" in r) {
        console.error(`test:vm: the console's last lines (all of it: ${consoleFile}):\n${lastLines()}`);
        fail(killedFor ?? `${name}: ${(r as { failure: string }).failure}`);
      }
      console.log(`test:vm: the ${name} guest finished in ${seconds} s (boot, suite, power-off) with status ${r.status}`);
      resolve(r.status);
    });
  });
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const arch = archWanted(argv);
  const lines = kernelsWanted(argv, arch);
  mkdirSync(`${ROOT}/harness/build/vm`, { recursive: true });
  writeFileSync(`${ROOT}/harness/build/vm/command`, `${process.env.BUTTER_VM_COMMAND ?? ARCHES[arch].command}\n`);
  const results: [string, number][] = [];
  for (const line of lines) results.push([line, await runGuest(line, arch)]);
  if (results.length > 1) console.log(`test:vm: ${results.map(([l, st]) => `${l} ${st === 0 ? "passed" : `failed (${st})`}`).join(", ")}`);
  process.exit(results.find(([, st]) => st !== 0)?.[1] ?? 0); // the status of the first guest that failed
}
