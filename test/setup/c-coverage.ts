// In the C coverage run (`bun run test:c`), writes the gcov counts of the helpers this
// test file's thread opened once it is done (Bun would not at its end). Otherwise nothing.
import { afterAll } from "vitest";
import { dumpCoverage } from "../../bunffi/prebuilt.ts";

afterAll(() => dumpCoverage());
