// What the permission tests share: a file to guard, and another process that opens it.
import { writeFileSync } from "node:fs";

/** `dir`/guarded, holding "secret". */
export function guardedFile(dir: string): string {
  const file = `${dir}/guarded`;
  writeFileSync(file, "secret");
  return file;
}

/** cat(1) of `file` in another process; "ignore" leaves no pipes behind (for fd counts). */
export const cat = (file: string, out: "pipe" | "ignore" = "pipe") => Bun.spawn(["cat", file], { stdout: out, stderr: out });
