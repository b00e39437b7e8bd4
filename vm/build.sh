#!/usr/bin/env bash
# Builds the QEMU guest for `bun run test:vm` into vm/build/LINE/ (x86_64) or
# vm/build/LINE-aarch64/, one per line of vm/kernels.txt (--kernel 5.10|6.1|6.12, default
# 6.1; --arch x86_64|aarch64, default x86_64):
#   vmlinuz          Debian's kernel of that line and architecture (the plain flavour: the
#                    cloud one has no 9p), pinned in vm/kernels.txt, unpacked from its .deb,
#                    never installed on this machine
#   initramfs.cpio   uncompressed (faster to unpack under TCG than to decompress): static
#                    busybox, Bun and the glibc libraries it loads, the libraries of the
#                    suite's native addons, util-linux's unshare/setpriv/nsenter, libfiu,
#                    the 9p modules and vm/init. The checkout itself is not copied: the
#                    guest mounts it over 9p.
# x86_64's userland is this machine's own (installed by vm/provision.sh --vm-host, the
# script the Vagrant box and CI run too). aarch64's comes from Debian's arm64 packages,
# downloaded with apt state of the build's own and unpacked, never installed, with Bun's
# aarch64 build and the arm64 builds of the suite's native addons from the npm registry.
# The build is skipped when its inputs file, a list of every input's version and
# checksum, is unchanged. Runs as root; takes about 7 s (13 s with the first kernel
# download; about 30 s for a first aarch64 build).
set -euo pipefail
cd "$(dirname "$0")"
line=6.1
arch=x86_64
lines=$(awk '!/^#/ && NF { print $1 }' kernels.txt | sort -uV | paste -sd '|')
while [ $# -gt 0 ]; do
  case "$1" in
    --kernel) line=${2:-}; shift 2 ;;
    --arch) arch=${2:-}; shift 2 ;;
    *) echo "usage: vm/build.sh [--kernel $lines] [--arch x86_64|aarch64]" >&2; exit 2 ;;
  esac
done
# what the architecture is called where it matters
case "$arch" in
  x86_64) deb_arch=amd64 out=build/$line ;;
  # a foreign architecture: Debian's name, glibc's triplet and loader, and Node's name of
  # the CPU (npm's packages of Bun and of the addons are named after it)
  aarch64) deb_arch=arm64 triplet=aarch64-linux-gnu loader=ld-linux-aarch64.so.1 npm_cpu=arm64 out=build/$line-aarch64 ;;
  *) echo "vm/build.sh: --arch takes x86_64 or aarch64; got '$arch'" >&2; exit 2 ;;
esac
pin=$(awk -v l="$line" -v a="$deb_arch" '!/^#/ && $1 == l && $2 == a' kernels.txt)
[ -n "$pin" ] || { echo "vm/build.sh: no kernel line '$line' for $deb_arch in vm/kernels.txt ($lines)" >&2; exit 2; }
read -r _ _ suite kpkg kversion <<<"$pin"
mkdir -p "$out"
bash provision.sh --vm-host >/dev/null

# The kernel's package, from Debian's archive, with apt state of this build's own: the
# machine's sources and lists are neither read nor changed.
apt_dir=$PWD/build/apt
aptopts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache::Archives=$apt_dir/archives" -o Debug::NoLocking=1)
# The indexes of every architecture of kernels.txt, whatever this machine's own;
# packages of the same name are asked for as name:arch.
debian_arches=$(awk '!/^#/ && NF { print $2 }' kernels.txt | sort -u)
aptopts+=(-o APT::Architecture=amd64 -o Dir::State::status=/dev/null)
for a in $debian_arches; do aptopts+=(-o "APT::Architectures::=$a"); done
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
{
  archs=$(echo $debian_arches | tr ' ' ,)
  for s in bullseye bookworm trixie; do echo "deb [arch=$archs signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $s main"; done
  echo "deb [arch=$archs signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main"
} >"$apt_dir/sources.list.new"
# (a sources list of an earlier build, for other architectures: its lists are fetched again)
cmp -s "$apt_dir/sources.list.new" "$apt_dir/sources.list" || rm -rf "$apt_dir/lists"/*_Packages* "$apt_dir/lists"/*Release*
mv "$apt_dir/sources.list.new" "$apt_dir/sources.list"
have() { apt-cache "${aptopts[@]}" madison "$1" 2>/dev/null | awk -v v="$2" '$3 == v { found = 1 } END { exit !found }'; }
if ! have "$kpkg" "$kversion"; then apt-get "${aptopts[@]}" update -qq; fi
if ! have "$kpkg" "$kversion"; then
  # the archive moved past the pin: the newest kernel of the same line (one suite has it)
  newer=$(apt-cache "${aptopts[@]}" search --names-only "^linux-image-${line//./\\.}\\.[0-9.+a-z-]*-$deb_arch\$" | awk '{ print $1 }' | grep -v -e cloud -e -rt- -e unsigned -e dbg | sort -V | tail -n1)
  [ -n "$newer" ] || { echo "vm/build.sh: $kpkg $kversion is not in Debian's archive any more, and no other $line kernel is" >&2; exit 1; }
  echo "vm/build.sh: the pin $kpkg $kversion is gone from the archive; using $newer (update vm/kernels.txt)" >&2
  kpkg=$newer
  kversion=$(apt-cache "${aptopts[@]}" madison "$kpkg" | awk '{ print $3; exit }')
fi
echo "vm/build.sh: kernel $line from $suite: $kpkg $kversion"
tools=(/usr/bin/unshare /usr/bin/setpriv /usr/bin/nsenter)
busybox_version=$(dpkg-query -W -f '${Version}' busybox-static)
# a field of a package.json (the addons' names and versions)
json_field() { sed -n "s/^ *\"$1\": *\"\([^\"]*\)\".*/\1/p" "$2" 2>/dev/null | head -n1; }
if [ "$arch" = x86_64 ]; then
  userland=/
  bun=$(readlink -f "$(command -v bun)")
  addons=$(find ../node_modules -name '*.node' -type f -path '*x64*' 2>/dev/null | sort)
  libfiu=$(dpkg -L libfiu0 | grep -m1 '/libfiu\.so\.0$')
else
  tools+=(/bin/kill /usr/bin/inotifywait /usr/sbin/fatrace /usr/bin/scmp_sys_resolver)
  # Debian's packages of the architecture, of the same versions as this machine's amd64 ones (the
  # x86_64 guest's userland), unpacked into $userland: busybox, glibc, util-linux's
  # tools and the libraries they load, libfiu; and, because this guest runs the whole
  # suite, the tools its differential and signal tests run (procps' kill --queue,
  # inotifywait, fatrace, libseccomp's scmp_sys_resolver) and the man pages (sections 2,
  # 3 and 7) the errno file is checked against.
  userland=$out/userland
  debs=()
  for p in busybox-static libc6 libgcc-s1 util-linux libcap-ng0 libselinux1 libpcre2-8-0 libfiu0 \
    procps \
    inotify-tools libinotifytools0 fatrace seccomp libseccomp2 manpages manpages-dev; do
    v=$(dpkg-query -W -f '${Version}' "$p")
    # (the archive's newest when this version has gone from it: said, not hidden)
    if [ "$p" = manpages ] || [ "$p" = manpages-dev ]; then debs+=("$p=$v"); # (arch: all)
    elif have "$p:$deb_arch" "$v"; then debs+=("$p:$deb_arch=$v"); else echo "vm/build.sh: $p:$deb_arch $v is not in the archive; taking its newest" >&2; debs+=("$p:$deb_arch"); fi
  done
  want=$(printf '%s\n' "${debs[@]}")
  if [ ! -f "$userland/.debs" ] || [ "$(cat "$userland/.debs")" != "$want" ]; then
    rm -rf "$userland" && mkdir -p "$userland/.deb"
    (cd "$userland/.deb" && apt-get "${aptopts[@]}" download -qq "${debs[@]}" 2>&1 | grep -v "unsandboxed" || true)
    for d in "$userland"/.deb/*.deb; do dpkg-deb -x "$d" "$userland"; done
    rm -rf "$userland/.deb"
    echo "$want" >"$userland/.debs"
  fi
  # Bun's build for the architecture, the version this machine runs, from the npm registry
  bun_version=$(bun --version)
  if [ ! -x "$userland/bun/package/bin/bun" ] || [ "$(cat "$userland/bun/version" 2>/dev/null)" != "$bun_version" ]; then
    rm -rf "$userland/bun" && mkdir -p "$userland/bun"
    (cd "$userland/bun" && npm pack -q "@oven/bun-linux-$arch@$bun_version" >/dev/null && tar xzf ./*.tgz && rm -f ./*.tgz)
    echo "$bun_version" >"$userland/bun/version"
  fi
  bun=$userland/bun/package/bin/bun
  # The architecture's builds of the dev dependencies' native addons (vitest's bundler and CSS
  # parser), the versions the lockfile installed for x64, put beside them in the
  # checkout's node_modules, which the guest reads over 9p.
  for pj in $(find ../node_modules -name package.json -path '*-linux-x64-gnu/package.json' | sort); do
    dir=$(dirname "$pj")
    name=$(json_field name "$pj")
    version=$(json_field version "$pj")
    cpu_dir=${dir/-linux-x64-gnu/-linux-$npm_cpu-gnu}
    [ "$(json_field version "$cpu_dir/package.json")" = "$version" ] && continue
    rm -rf "$cpu_dir" "$cpu_dir.tmp" && mkdir -p "$cpu_dir.tmp"
    (cd "$cpu_dir.tmp" && npm pack -q "${name/-linux-x64-gnu/-linux-$npm_cpu-gnu}@$version" >/dev/null && tar xzf ./*.tgz)
    mv "$cpu_dir.tmp/package" "$cpu_dir" && rm -rf "$cpu_dir.tmp"
  done
  addons=$(find ../node_modules -name '*.node' -type f -path "*-$npm_cpu-gnu*" 2>/dev/null | sort)
  libfiu=$userland/usr/lib/libfiu.so.0
fi

inputs=$(
  echo "kernel $kpkg $kversion ($deb_arch)"
  echo "busybox $busybox_version"
  sha256sum "$bun" "${tools[@]/#/$userland}" "$libfiu" init build.sh kernels.txt $addons
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

cp "$userland/bin/busybox" "$root/usr/bin/busybox"
# (the applets' list, from this machine's busybox of the same version: an arm64 busybox
# cannot run here)
for applet in $(/bin/busybox --list); do
  [ -e "$root/usr/bin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
done
cp "$bun" "$root/usr/bin/bun"
ln -sf bun "$root/usr/bin/bunx"
for t in "${tools[@]}"; do rm -f "$root$t"; mkdir -p "$(dirname "$root$t")"; cp "$userland$t" "$root$t"; done
# (the man pages' ERRORS sections, for the errno file's check)
# (and manpages-dev's changelog, which says its version: the guest has no dpkg)
if [ "$arch" != x86_64 ]; then
  mkdir -p "$root/usr/share/man" "$root/usr/share/doc/manpages-dev"
  cp -a "$userland/usr/share/man/man2" "$userland/usr/share/man/man3" "$userland/usr/share/man/man7" "$root/usr/share/man/"
  cp "$userland/usr/share/doc/manpages-dev/changelog.Debian.gz" "$root/usr/share/doc/manpages-dev/"
fi
# napi-rs tells glibc from musl by reading /usr/bin/ldd (a text file on Debian).
rm -f "$root/usr/bin/ldd"; cp /usr/bin/ldd "$root/usr/bin/ldd"

if [ "$arch" = x86_64 ]; then
  # Every shared library those programs, libfiu and the addons load, at the path ldd names.
  for f in "$bun" "${tools[@]}" "$libfiu" $addons; do
    ldd "$f" | awk '/=> \// { print $3 } /^[ \t]*\/[^ ]+ \(/ { print $1 }'
  done | sort -u | while read -r lib; do
    cp -L --parents "$lib" "$root"
  done
  cp -L --parents "$libfiu" "$root"
else
  # (ldd cannot run foreign programs here: every library the packages hold, and the loader)
  for d in "$userland/lib/$triplet" "$userland/usr/lib/$triplet"; do
    [ -d "$d" ] && cp -a "$d" "$root/usr/lib/"
  done
  cp -L "$userland/lib/$loader" "$root/usr/lib/$loader"
  cp -L "$libfiu" "$root/usr/lib/libfiu.so.0"
  rm -rf "$root/usr/lib/$triplet/gconv"
fi

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
# virtio_blk: the scratch disk harness/vm.ts attaches (an ext4 /tmp, where O_DIRECT works);
# crc32c_generic: ext4 asks the crypto API for crc32c at mount (not a "depends=")
for want in virtio_pci 9pnet_virtio 9p virtio_blk crc32c_generic overlay ext4; do add_module "$want"; done

echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
cp init "$root/init"
chmod 755 "$root/init"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) >"$out/initramfs.cpio"
rm -rf "$root"
echo "$inputs" >"$out/inputs"
echo "vm/build.sh: built $kpkg $kversion ($kver) and a $(du -m "$out/initramfs.cpio" | cut -f1) MiB initramfs"
