#!/usr/bin/env -S node --max-semi-space-size=4
// A small young generation: V8's default lets it grow to tens of MiB under a scan's allocation rate, which
// nearly doubles peak RSS at the same speed (ADR 0007). `env -S` passes the flag (coreutils 8.30+, BSD and
// macOS env); users would have to set NODE_OPTIONS themselves, and v8.setFlagsFromString comes too late.
import { writeError } from './options.ts';
import { endQuietlyOnBrokenPipe, isBrokenPipe } from './pipe.ts';
import { buildProgram } from './program.ts';

endQuietlyOnBrokenPipe();
buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (isBrokenPipe(error)) process.exit(0);
    writeError(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  });
