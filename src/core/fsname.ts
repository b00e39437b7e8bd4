/**
 * Linux names are bytes, JS strings are UTF-16: the lossless bridge between them, the
 * same one Python uses (`os.fsdecode`/`os.fsencode`, "surrogateescape").
 *
 * - `fsdecode(bytes)`: valid UTF-8 decodes as usual; each byte that is not part of a
 *   valid UTF-8 sequence becomes the lone surrogate U+DC80..U+DCFF (0x80..0xFF).
 * - `fsencode(string)`: the inverse; those lone surrogates become their bytes again.
 *
 * So a name read from the kernel (an inotify event's `name`) can be given back to butter
 * (`watch(ev.path)`) and reaches the same file. Node's fs encodes a lone surrogate as
 * U+FFFD, so for node:fs pass `fsencode(name)` (a Buffer), never the string.
 */

// made at their first use, not at import (0.1 ms here)
let strictDecoder: TextDecoder | undefined;
let textEncoder: TextEncoder | undefined;
const strict = () => (strictDecoder ??= new TextDecoder("utf-8", { fatal: true }));
const encoder = () => (textEncoder ??= new TextEncoder());

/**
 * Bytes to a string, losslessly (see the module comment): `bytes[start..end)`, so that a
 * decoder can take a name out of a read buffer without making a view of it first.
 */
export function fsdecode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  // ASCII is most names: built a char at a time (measured the cheapest way in Bun for
  // the short names events carry: bench/inotify.ts), no decoder, no exception.
  let s = "";
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c >= 0x80) return decodeUtf8(bytes.subarray(start, end));
    s += String.fromCharCode(c);
  }
  return s;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strict().decode(bytes);
  } catch {
    return escapeDecode(bytes);
  }
}

// The length of the valid UTF-8 sequence at i, or 0 (Python's rules: no overlong forms,
// no encoded surrogates, nothing above U+10FFFF).
function sequence(b: Uint8Array, i: number): number {
  const c = b[i]!;
  const cont = (k: number) => i + k < b.length && (b[i + k]! & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const c1 = b[i + 1]!;
    if (c === 0xe0 && c1 < 0xa0) return 0; // overlong
    if (c === 0xed && c1 >= 0xa0) return 0; // a surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const c1 = b[i + 1]!;
    if (c === 0xf0 && c1 < 0x90) return 0; // overlong
    if (c === 0xf4 && c1 >= 0x90) return 0; // above U+10FFFF
    return 4;
  }
  return 0;
}

function escapeDecode(b: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    const n = sequence(b, i);
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + c);
      i++;
    } else {
      out += strict().decode(b.subarray(i, i + n));
      i += n;
    }
  }
  return out;
}

/**
 * A string to bytes, losslessly: the inverse of fsdecode. A lone surrogate that is not
 * an escaped byte (outside U+DC80..U+DCFF) has no bytes: TypeError.
 */
export function fsencode(s: string): Buffer {
  if (s.isWellFormed()) return Buffer.from(encoder().encode(s).buffer);
  const parts: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        parts.push(...encoder().encode(s.slice(i, i + 2)));
        i++;
        continue;
      }
    }
    if (c >= 0xdc80 && c <= 0xdcff) parts.push(c - 0xdc00);
    else if (c >= 0xd800 && c <= 0xdfff) {
      throw new TypeError(`lone surrogate U+${c.toString(16).toUpperCase()} stands for no byte`);
    } else parts.push(...encoder().encode(s[i]!));
  }
  return Buffer.from(parts);
}
