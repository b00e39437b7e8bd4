/**
 * An ext4 image with one file whose inode is corrupt, made without mounting it (mkfs.ext4
 * and debugfs, from e2fsprogs): reading the file makes ext4 report a filesystem error,
 * which fanotify delivers as FAN_FS_ERROR. The test of that event mounts it on the host
 * (a loop device, in a mount namespace); harness/vm.ts attaches it to the guests as their
 * second disk (/dev/vdb). As the Linux Test Project's fanotify22 does, the file's extent
 * header is zeroed: every read of it is EUCLEAN ("structure needs cleaning").
 */
import { spawnSync } from "node:child_process";
import { rmSync, truncateSync, writeFileSync } from "node:fs";

/** The corrupt file's name in the image's root. */
export const CORRUPT_FILE = "f";
/** A sound file in the image's root that holds the corrupt file's inode number (for a
 *  guest, which has no debugfs to ask). */
export const INODE_FILE = "inode";

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.error?.message ?? r.stderr} (e2fsprogs)`);
  return `${r.stdout}${r.stderr}`;
}

/** Makes the image at `path` (16 MiB); returns the corrupt file's inode number. */
export function makeCorruptExt4(path: string): number {
  rmSync(path, { force: true });
  writeFileSync(path, "");
  truncateSync(path, 16 * 1024 * 1024);
  run("mkfs.ext4", ["-q", "-F", path]);
  const src = `${path}.src`;
  writeFileSync(src, "a file whose extent header is zeroed\n");
  try {
    const out = run("debugfs", ["-w", "-R", `write ${src} ${CORRUPT_FILE}`, path]);
    const ino = /Allocated inode: (\d+)/.exec(out);
    if (!ino) throw new Error(`debugfs did not say which inode it allocated: ${out}`);
    writeFileSync(src, ino[1]!);
    run("debugfs", ["-w", "-R", `write ${src} ${INODE_FILE}`, path]);
    // block[0] of an extent-mapped inode is its extent header's first word (magic 0xf30a)
    run("debugfs", ["-w", "-R", `sif ${CORRUPT_FILE} block[0] 0`, path]);
    return Number(ino[1]);
  } finally {
    rmSync(src, { force: true });
  }
}
