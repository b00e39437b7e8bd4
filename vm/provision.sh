#!/usr/bin/env bash
# Provisioning shared by every place butter's suite runs: CI (.ci/run), the Vagrant box
# (Vagrantfile) and the machine that builds the QEMU guest (vm/build.sh). It installs,
# from Debian's packages and the npm registry only, what the test suite needs, and with
# --vm-host also what building and booting the QEMU guest needs. Idempotent: it installs
# only what is missing. Runs as root.
#
#   bash vm/provision.sh            the suite's packages and Bun
#   bash vm/provision.sh --vm-host  the same, plus QEMU, static busybox and cpio, and
#                                   Vagrant with libvirt (for `vagrant validate`)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
BUN_VERSION=1.4.5

# The suite's Debian packages (most are in the base image; the list says what is relied
# on): unshare/setpriv/nsenter (util-linux), mkfifo (coreutils), /usr/bin/kill --queue
# (procps: sigqueue from another process), gcc for the fault-injection shim and the
# benchmarks' C baselines, libfiu for the shim, python3 for the benchmarks' asyncio peer,
# inotify-tools for the inotify differential test and benchmark (inotifywait), npm to
# install Bun, manpages-dev for the ERRORS sections harness/errno-pages.json is checked
# against (the version it was made from is recorded there), gcovr for the C coverage
# report (bun run test:c), fio for the AIO benchmark's physical limit (fio --ioengine=libaio),
# fatrace for the fanotify differential test, e2fsprogs (mkfs.ext4, debugfs) for the ext4
# images that the guests' scratch disk and the real FAN_FS_ERROR test are made of. seccomp (scmp_sys_resolver) and
# python3-seccomp: libseccomp's syscall tables and programs, which the seccomp tests
# compare butter's with.
need=()
for pair in unshare:util-linux setpriv:util-linux nsenter:util-linux mkfifo:coreutils gcc:gcc python3:python3 npm:npm mkfs.ext4:e2fsprogs debugfs:e2fsprogs; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
[ -x /usr/bin/kill ] || need+=(procps) # (`command -v kill` would find the shell's builtin)
pkgs=(libfiu-dev libfiu0 fiu-utils inotify-tools manpages-dev gcovr fio fatrace seccomp python3-seccomp)
# The QEMU guest's host: the emulator, the busybox that becomes the guest's userland, and
# cpio for its initramfs (the guest's kernel is downloaded as a .deb by vm/build.sh and
# unpacked, never installed); Vagrant and its libvirt provider, so that the suite can
# validate the Vagrantfile (no box is booted).
[ "${1:-}" = --vm-host ] && pkgs+=(qemu-system-x86 qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross busybox-static cpio vagrant vagrant-libvirt)
# xz, for the guest kernels whose modules are xz-compressed (Debian 13's)
[ "${1:-}" = --vm-host ] && ! command -v xz >/dev/null 2>&1 && need+=(xz-utils)
for pkg in "${pkgs[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# Bun, from the npm registry (its package carries the binary).
if ! command -v bun >/dev/null 2>&1 || [ "$(bun --version)" != "$BUN_VERSION" ]; then
  npm install -g "bun@$BUN_VERSION"
fi
bun --version
