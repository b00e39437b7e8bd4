/**
 * Compiles helper files with bun:ffi's cc and binds their symbols through one: they are
 * compiled beside bunffi/symbols.c, whose `bt_symbols` writes the addresses of all the
 * others (named by the macro BT_SYMBOLS), and those go to `linkSymbols`. cc's own binding
 * cost about 0.33 ms a symbol here (a file of 30 one-line functions: 10.5 ms, against
 * 0.75 ms bound through one and 0.2 ms for linkSymbols of all 30); calls cost the same.
 */
import { cc, linkSymbols, type FFIFunction, type Pointer } from "bun:ffi";

// (resolved at a compile, not at import: docs/benchmarks.md, start-up)
const symbolsSource = () => decodeURIComponent(new URL("symbols.c", import.meta.url).pathname);
// The compiled libraries: their code must outlive every symbol linked to it.
const keep: unknown[] = [];

/** cc() of `sources` (one program) with `flags` and `define`, its `symbols` bound. */
export function compileBound(sources: string[], symbols: Record<string, FFIFunction>, flags: string[], define: Record<string, string> | undefined) {
  const names = Object.keys(symbols);
  const lib = cc({
    source: [...sources, symbolsSource()] as unknown as string,
    flags,
    define: { ...define, BT_SYMBOLS: names.map((n) => `X(${n})`).join(" ") },
    symbols: { bt_symbols: { args: ["ptr"], returns: "void" } },
  });
  const addresses = new BigUint64Array(names.length);
  lib.symbols.bt_symbols(addresses);
  keep.push(lib);
  return linkSymbols(Object.fromEntries(names.map((n, i) => [n, { ...symbols[n], ptr: Number(addresses[i]) as Pointer }])));
}
