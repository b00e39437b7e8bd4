/**
 * Small files under /proc, read with the C library's own calls (bunffi/libc.ts, bound
 * by dlopen) instead of node:fs, whose loading costs 3.5-5 ms at a first use that needs
 * nothing else of it (docs/benchmarks.md, start-up). When those reads fail, node:fs
 * reads the file again and throws the system's own error, as before.
 */
import { readFile } from "../../bunffi/libc.ts";

/** The bytes of `path`, read from the calling thread (so /proc/thread-self is its own). */
export function readProcFile(path: string): Buffer {
  return readFile(path);
}
