#!/usr/bin/env bash
# Builds the QEMU guest for the privileged suite (`bun run test:vm`) into vm/build/LINE/,
# one per kernel line of vm/kernels.txt (--kernel 5.10|6.1|6.12; default 6.1):
#   vmlinuz          Debian's kernel of that line (the plain amd64 flavour: the cloud one
#                    has no 9p), pinned in vm/kernels.txt, unpacked from its .deb, never
#                    installed on this machine
#   initramfs.cpio   uncompressed (faster to unpack under TCG than to decompress): static
#                    busybox, Bun and the glibc libraries it loads, the libraries of the
#                    suite's native addons, util-linux's unshare/setpriv/nsenter, libfiu,
#                    the 9p modules and vm/init. The checkout itself is not copied: the
#                    guest mounts it over 9p.
# Everything comes from Debian's packages and the npm registry's Bun, installed here by
# vm/provision.sh --vm-host (the script the Vagrant box and CI run too). The build is
# skipped when vm/build/LINE/inputs, a list of every input's version and checksum, is
# unchanged. Runs as root; takes about 7 s (13 s with the first kernel download).
set -euo pipefail
cd "$(dirname "$0")"
line=6.1
lines=$(awk '!/^#/ && NF { print $1 }' kernels.txt | paste -sd '|')
while [ $# -gt 0 ]; do
  case "$1" in
    --kernel) line=${2:-}; shift 2 ;;
    *) echo "usage: vm/build.sh [--kernel $lines]" >&2; exit 2 ;;
  esac
done
pin=$(awk -v l="$line" '!/^#/ && $1 == l' kernels.txt)
[ -n "$pin" ] || { echo "vm/build.sh: no kernel line '$line' in vm/kernels.txt ($lines)" >&2; exit 2; }
read -r _ suite kpkg kversion <<<"$pin"
out=build/$line
mkdir -p "$out"
bash provision.sh --vm-host >/dev/null

# The kernel's package, from Debian's archive, with apt state of this build's own: the
# machine's sources and lists are neither read nor changed.
apt_dir=$PWD/build/apt
aptopts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache::Archives=$apt_dir/archives" -o Debug::NoLocking=1)
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
{
  for s in bullseye bookworm trixie; do echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $s main"; done
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main"
} >"$apt_dir/sources.list"
have() { apt-cache "${aptopts[@]}" madison "$1" 2>/dev/null | awk -v v="$2" '$3 == v { found = 1 } END { exit !found }'; }
if ! have "$kpkg" "$kversion"; then apt-get "${aptopts[@]}" update -qq; fi
if ! have "$kpkg" "$kversion"; then
  # the archive moved past the pin: the newest kernel of the same line (one suite has it)
  newer=$(apt-cache "${aptopts[@]}" search --names-only "^linux-image-${line//./\\.}\\.[0-9.+a-z-]*-amd64\$" | awk '{ print $1 }' | grep -v -e cloud -e -rt- -e unsigned -e dbg | sort -V | tail -n1)
  [ -n "$newer" ] || { echo "vm/build.sh: $kpkg $kversion is not in Debian's archive any more, and no other $line kernel is" >&2; exit 1; }
  echo "vm/build.sh: the pin $kpkg $kversion is gone from the archive; using $newer (update vm/kernels.txt)" >&2
  kpkg=$newer
  kversion=$(apt-cache "${aptopts[@]}" madison "$kpkg" | awk '{ print $3; exit }')
fi
echo "vm/build.sh: kernel $line from $suite: $kpkg $kversion"
bun=$(readlink -f "$(command -v bun)")
tools=(/usr/bin/unshare /usr/bin/setpriv /usr/bin/nsenter)
addons=$(find ../node_modules -name '*.node' -type f 2>/dev/null | sort)
libfiu=$(dpkg -L libfiu0 | grep -m1 '/libfiu\.so\.0$')

inputs=$(
  echo "kernel $kpkg $kversion"
  echo "busybox $(dpkg-query -W -f '${Version}' busybox-static)"
  sha256sum "$bun" "${tools[@]}" "$libfiu" init build.sh kernels.txt $addons
)
if [ -f "$out/inputs" ] && [ "$inputs" = "$(cat "$out/inputs")" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initramfs.cpio" ]; then
  echo "vm/build.sh: guest is up to date ($kpkg $kversion)"
  exit 0
fi
rm -f "$out/inputs"

# The kernel and its modules, from the .deb.
if [ ! -d "$out/kernel/$kpkg" ]; then
  rm -rf "$out/kernel" && mkdir -p "$out/kernel/deb"
  (cd "$out/kernel/deb" && apt-get "${aptopts[@]}" download -qq "$kpkg=$kversion" 2>&1 | grep -v "unsandboxed" || true)
  dpkg-deb -x "$out"/kernel/deb/*.deb "$out/kernel/$kpkg"
fi
kroot="$out/kernel/$kpkg"
# Debian 13's packages put the modules under /usr/lib (merged /usr), older ones under /lib
mods_root=$kroot/lib/modules
[ -d "$mods_root" ] || mods_root=$kroot/usr/lib/modules
kver=$(ls "$mods_root")
cp "$kroot/boot/vmlinuz-$kver" "$out/vmlinuz"

root="$out/root"
rm -rf "$root"
# A merged-/usr layout, like Debian 12 itself: /lib, /bin, /sbin, /lib64 are links into /usr.
mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{proc,sys,dev,tmp,run,butter,newroot,etc,root}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done

cp /bin/busybox "$root/usr/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ -e "$root/usr/bin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
done
cp "$bun" "$root/usr/bin/bun"
ln -sf bun "$root/usr/bin/bunx"
for t in "${tools[@]}"; do rm -f "$root$t"; cp "$t" "$root$t"; done
# napi-rs tells glibc from musl by reading /usr/bin/ldd (a text file on Debian).
rm -f "$root/usr/bin/ldd"; cp /usr/bin/ldd "$root/usr/bin/ldd"

# Every shared library those programs, libfiu and the addons load, at the path ldd names.
for f in "$bun" "${tools[@]}" "$libfiu" $addons; do
  ldd "$f" | awk '/=> \// { print $3 } /^[ \t]*\/[^ ]+ \(/ { print $1 }'
done | sort -u | while read -r lib; do
  cp -L --parents "$lib" "$root"
done
cp -L --parents "$libfiu" "$root"

# 9p over virtio (and two filesystems, below), with what they need, in dependency order: each module's own
# "depends=" (its .modinfo section; a .deb has no modules.dep, and this machine needs no
# depmod). The set differs by kernel; a module built in is skipped. vm/init loads them
# with insmod, which takes uncompressed modules only.
moddir="$mods_root/$kver"
mkdir -p "$root/lib/modules"
unpacked() { case "$1" in *.xz) xz -dc "$1" ;; *.zst) zstd -qdc "$1" ;; *.gz) gzip -dc "$1" ;; *) cat "$1" ;; esac; }
add_module() {
  local name=$1 file deps dep
  [ -e "$root/lib/modules/$name.ko" ] && return 0
  file=$(find "$moddir" \( -name "$name.ko" -o -name "$name.ko.*" -o -name "${name//_/-}.ko" -o -name "${name//_/-}.ko.*" \) | head -n1)
  if [ -z "$file" ]; then
    grep -qE "/(${name}|${name//_/-})\.ko" "$moddir/modules.builtin" && return 0
    echo "vm/build.sh: $name is neither a module nor built into $kpkg" >&2
    exit 1
  fi
  unpacked "$file" >"$root/lib/modules/$name.ko.tmp"
  deps=$(grep -a -o 'depends=[^[:cntrl:]]*' "$root/lib/modules/$name.ko.tmp" | head -n1 | cut -d= -f2 | tr ',' ' ')
  for dep in $deps; do add_module "$dep"; done
  mv "$root/lib/modules/$name.ko.tmp" "$root/lib/modules/$name.ko"
  echo "$name.ko" >>"$root/lib/modules/order"
}
# and the filesystems the mount tests mount: overlayfs, and ext4 (a filesystem that needs
# a block device: mount's ENOTBLK)
for want in virtio_pci 9pnet_virtio 9p overlay ext4; do add_module "$want"; done

echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
cp init "$root/init"
chmod 755 "$root/init"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) >"$out/initramfs.cpio"
rm -rf "$root"
echo "$inputs" >"$out/inputs"
echo "vm/build.sh: built $kpkg $kversion ($kver) and a $(du -m "$out/initramfs.cpio" | cut -f1) MiB initramfs"
