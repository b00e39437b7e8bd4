/* eventfd(2). Reads and writes of the counter go through io.c's u64 helpers. */
#include "butter.h"

int bt_eventfd(int initval, int flags) { RET(eventfd((unsigned int)initval, flags)); }
