/**
 * The architectures of the QEMU guests (harness/vm.ts) and what differs between them:
 * Debian's and Node's names, the C compiler that builds for it on this (x86-64) machine
 * (the fault-injection shim, harness/fiu/build.ts; the suite's C programs), QEMU's binary,
 * machine and console, the suite the guest runs and its time limit. vm/build.sh has the
 * rest (glibc's triplet and loader), in its own case for the architecture.
 */
/** What differs between the guests' architectures. */
export const ARCHES = {
  x86_64: {
    deb: "amd64",
    node: "x64",
    /** the C compiler that builds for it here */
    cc: "gcc",
    qemu: "qemu-system-x86_64",
    machine: (kvm: boolean) => (kvm ? ["-accel", "kvm", "-cpu", "host,-arch-capabilities"] : ["-accel", "tcg", "-cpu", "max"]),
    console: "ttyS0",
    /** the host runs the whole suite on x86-64 already: the guests run the privileged files */
    command: "exec bun harness/test.ts --privileged",
    /** seconds for the whole run (the privileged suite: about 3 minutes under TCG) */
    timeout: 600,
  },
  aarch64: {
    deb: "arm64",
    node: "arm64",
    cc: "aarch64-linux-gnu-gcc",
    qemu: "qemu-system-aarch64",
    // Neoverse N1 (the core of the arm64 servers people rent): under `-cpu max` (SVE,
    // pointer authentication, ...) Bun crashed with SIGSEGV in vitest, twice (docs/vm.md)
    machine: (kvm: boolean) => ["-M", "virt", ...(kvm ? ["-accel", "kvm", "-cpu", "host"] : ["-accel", "tcg,thread=multi", "-cpu", "neoverse-n1"])],
    console: "ttyAMA0",
    /** the whole suite: the 1:1 layer's structs, numbers and flags are what differ */
    command: "exec bun harness/test.ts --guest",
    /** (the whole suite: about 20 minutes under TCG) */
    timeout: 3000,
  },
} as const;
export type Arch = keyof typeof ARCHES;
