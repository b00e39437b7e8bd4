/**
 * One buffer per JS thread (as every module's state is) for a read whose bytes are
 * decoded or copied before the call returns: inotify's and fanotify's read(2), and what a
 * drain hands over. 64 KiB holds thousands of events, and never less than one event with
 * the longest name. It is made at the first read, not at import: zero-filling 64 KiB
 * took 0.15-0.4 ms here, most of it page faults, and the three buffers these reads had
 * each made at import were about 0.6 ms of butter's 5.3 ms of module code.
 */
export const SCRATCH_BYTES = 64 * 1024;

let buffer: Uint8Array | undefined;

/** The thread's read buffer (SCRATCH_BYTES), made at the first call. */
export function scratch(): Uint8Array {
  return (buffer ??= new Uint8Array(SCRATCH_BYTES));
}
