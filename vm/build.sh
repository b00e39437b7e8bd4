#!/usr/bin/env bash
# Builds the QEMU guest for the privileged suite (`bun run test:vm`) into vm/build/:
#   vmlinuz          Debian's kernel (the plain amd64 flavour: the cloud one has no 9p),
#                    unpacked from its .deb, never installed on this machine
#   initramfs.cpio   uncompressed (faster to unpack under TCG than to decompress): static
#                    busybox, Bun and the glibc libraries it loads, the libraries of the
#                    suite's native addons, util-linux's unshare/setpriv/nsenter, libfiu,
#                    the 9p modules and vm/init. The checkout itself is not copied: the
#                    guest mounts it over 9p.
# Everything comes from Debian's packages and the npm registry's Bun, installed here by
# vm/provision.sh --vm-host (the script the Vagrant box and CI run too). The build is
# skipped when vm/build/inputs, a list of every input's version and checksum, is
# unchanged. Runs as root; takes about 7 s (13 s with the first kernel download).
set -euo pipefail
cd "$(dirname "$0")"
out=build
mkdir -p "$out"
bash provision.sh --vm-host >/dev/null

# (package lists may be absent on a fresh image: fetch them once)
apt-cache show linux-image-amd64 >/dev/null 2>&1 || apt-get update -qq
kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ { print $2; exit }')
[ -n "$kpkg" ] || { echo "vm/build.sh: cannot tell which kernel linux-image-amd64 names" >&2; exit 1; }
bun=$(readlink -f "$(command -v bun)")
tools=(/usr/bin/unshare /usr/bin/setpriv /usr/bin/nsenter)
addons=$(find ../node_modules -name '*.node' -type f 2>/dev/null | sort)
libfiu=$(dpkg -L libfiu0 | grep -m1 '/libfiu\.so\.0$')

inputs=$(
  echo "kernel $kpkg $(apt-cache policy "$kpkg" | awk '/Candidate:/ { print $2 }')"
  echo "busybox $(dpkg-query -W -f '${Version}' busybox-static)"
  sha256sum "$bun" "${tools[@]}" "$libfiu" init build.sh $addons
)
if [ -f "$out/inputs" ] && [ "$inputs" = "$(cat "$out/inputs")" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initramfs.cpio" ]; then
  echo "vm/build.sh: guest is up to date ($kpkg)"
  exit 0
fi
rm -f "$out/inputs"

# The kernel and its modules, from the .deb.
if [ ! -d "$out/kernel/$kpkg" ]; then
  rm -rf "$out/kernel" && mkdir -p "$out/kernel/deb"
  (cd "$out/kernel/deb" && apt-get download -qq "$kpkg" 2>&1 | grep -v "unsandboxed" || true)
  dpkg-deb -x "$out"/kernel/deb/*.deb "$out/kernel/$kpkg"
fi
kroot="$out/kernel/$kpkg"
kver=$(ls "$kroot/lib/modules")
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

# 9p over virtio, loaded in dependency order by vm/init (no modules.dep: insmod, not modprobe).
mods=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p)
mkdir -p "$root/lib/modules"
for m in "${mods[@]}"; do
  f=$(find "$kroot/lib/modules/$kver" -name "$m.ko*" | head -n1)
  [ -n "$f" ] || { echo "vm/build.sh: module $m is not in $kpkg" >&2; exit 1; }
  cp "$f" "$root/lib/modules/"
  echo "$(basename "$f")" >>"$root/lib/modules/order"
done

echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
cp init "$root/init"
chmod 755 "$root/init"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) >"$out/initramfs.cpio"
rm -rf "$root"
echo "$inputs" >"$out/inputs"
echo "vm/build.sh: built $kpkg ($kver) and a $(du -m "$out/initramfs.cpio" | cut -f1) MiB initramfs"
