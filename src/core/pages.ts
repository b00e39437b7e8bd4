/**
 * Whole pages of memory for JS, of butter's own: page-aligned, zero-filled, never moved,
 * and unmapped by the collector when the last view of them is gone. vmsplice hands such
 * memory to the kernel (src/splice/calls.ts), and O_DIRECT reads and writes need it
 * aligned (src/aio/).
 */
import { toArrayBuffer } from "bun:ffi";
import { helpers } from "../../bunffi/load.ts";
import { errorFor, type CallSpec } from "./errors.ts";
import * as v from "./validate.ts";

const lib = helpers("pages.c", {
  bt_map_pages: { args: ["i64", "ptr"], returns: "ptr" },
  bt_munmap_address: { args: [], returns: "ptr" },
  bt_page_size: { args: [], returns: "i32" },
});

// mmap(2) ERRORS: the pages, and (from vmsplice) the fresh pages put under what the kernel took
export const MMAP: CallSpec = { syscall: "mmap", family: "pages", errnos: ["EACCES", "EAGAIN", "EBADF", "EEXIST", "EINVAL", "ENFILE", "ENODEV", "ENOMEM", "EOVERFLOW", "EPERM", "ETXTBSY"] };

// bun:ffi's toArrayBuffer takes a deallocator context and function after the length;
// its type declarations stop at the length.
type WithDeallocator = (p: number, offset: number, length: number, context: number, deallocator: number) => ArrayBuffer;
let munmapAddress: number | undefined;

/**
 * An ArrayBuffer of `length` bytes (at least 1) over whole fresh pages, page-aligned,
 * unmapped when collected.
 * @throws {@link OSError} from mmap (ENOMEM) when the memory cannot be had.
 */
export function mapPages(length: number): ArrayBuffer {
  const page = pageSize();
  const mapped = Math.ceil(length / page) * page;
  const err = new Int32Array(1);
  const p = lib().bt_map_pages(mapped, err);
  if (!p) throw errorFor(err[0]!, MMAP);
  munmapAddress ??= lib().bt_munmap_address() as number;
  // JSC calls the deallocator with (address, context): munmap(address, mapped)
  return (toArrayBuffer as unknown as WithDeallocator)(p as number, 0, length, mapped, munmapAddress);
}

let page: number | undefined;
/** The system's page size (4096 on x86-64; 4 KiB, 16 KiB or 64 KiB on aarch64). */
export function pageSize(): number {
  return (page ??= lib().bt_page_size());
}

/**
 * `size` bytes of zeroed memory whose address is a multiple of `align` (a power of two up
 * to the page size; default the page size): what a read or write on an fd opened with
 * O_DIRECT needs (AioContext, or a plain pread). It never moves, and is unmapped when
 * the collector takes it.
 * @throws {@link OSError} from mmap (ENOMEM); RangeError for a bad size or alignment.
 */
export function alignedBuffer(size: number, align: number = pageSize()): Uint8Array {
  const n = v.int(size, "size", 1, 0x7ffff000);
  const a = v.int(align, "align", 1, pageSize());
  if ((a & (a - 1)) !== 0) throw new RangeError(`align must be a power of two up to the page size (${pageSize()}), got ${a}`);
  return new Uint8Array(mapPages(n));
}
