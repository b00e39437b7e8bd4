/* Every symbol a helper file exports to JS, by address, in one call: compiled beside the
 * helper (bunffi/load.ts passes both to cc), with BT_SYMBOLS defined by the loader as
 * X(name) X(name) ... in the order JS lists them. bun:ffi's cc builds a trampoline per
 * symbol it binds, about 0.33 ms each here, which made a family's first use cost 2-10 ms;
 * binding this one and handing the addresses to linkSymbols costs about 0.01 ms each. */
#define X(name) extern void name(void);
BT_SYMBOLS
#undef X
#define X(name) (void *)name,
static void *const bt_symbols_table[] = { BT_SYMBOLS };
#undef X

void bt_symbols(void **out) {
  for (unsigned long i = 0; i < sizeof bt_symbols_table / sizeof bt_symbols_table[0]; i++) out[i] = bt_symbols_table[i];
}
