/**
 * The base of every fd-owning object: it owns one fd, closes it exactly once, and says
 * clearly when it is used after close. A FinalizationRegistry closes the fd of an object
 * that a program dropped without closing it.
 */
import { close } from "./io.ts";
import { OSError, EBADF } from "./errors.ts";

// Holds only the fd number, or the object's own release: never the object itself, which
// must stay collectable.
const forgotten = new FinalizationRegistry<number | (() => void)>((held) => {
  try {
    if (typeof held === "number") close(held);
    else held();
  } catch {
    // Nobody is left to tell; the fd is released by the kernel either way.
  }
});

/**
 * The base of every object that owns an fd: `fd`, `fileno()`, `closed`, an idempotent
 * `close()` and `using`. An object dropped without `close()` has its fd closed by the
 * garbage collector; do not rely on that for timing.
 */
export class FdObject implements Disposable {
  #fd: number;

  /**
   * @param fd - the fd this object owns
   * @param release - for an object that holds more than its fd (a held Signalfd: two
   * more fds and a process-wide hold): what the garbage collector runs instead of
   * closing `fd`, giving everything back. It must not refer to the object.
   */
  constructor(fd: number, release?: () => void) {
    this.#fd = fd;
    forgotten.register(this, release ?? fd, this);
  }

  /** The fd number, or -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** The fd number; throws OSError EBADF once closed. */
  fileno(): number {
    return this.openFd("fileno");
  }

  /**
   * Closes the fd. Idempotent. A close(2) error (EIO, say) is thrown after the object
   * is marked closed, since Linux releases the fd either way.
   */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.beforeClose(fd);
    this.#fd = -1;
    forgotten.unregister(this);
    close(fd);
  }

  /** `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Hook for subclasses that must let go of the fd first (pending waits). @internal */
  protected beforeClose(_fd: number): void {}

  /** The fd for an operation, or OSError EBADF naming the operation and the class. @internal */
  protected openFd(syscall: string): number {
    const fd = this.#fd;
    if (fd < 0) throw new OSError(EBADF, syscall, undefined, `this ${this.constructor.name} is closed`);
    return fd;
  }
}
