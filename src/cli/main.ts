#!/usr/bin/env -S node --max-semi-space-size=4
// A small young generation: V8's default lets it grow to tens of MiB under a scan's allocation rate, which
// nearly doubles peak RSS at the same speed (ADR 0007). `env -S` passes the flag (coreutils 8.30+, BSD and
// macOS env); users would have to set NODE_OPTIONS themselves, and v8.setFlagsFromString comes too late.
import { enableCompileCache } from 'node:module';

// Node's compile cache (docs/benchmarks.md, start-up): the code V8 compiled on the first run is kept on
// disk and reused, so later runs skip most of the compiling. It goes where NODE_COMPILE_CACHE says, else
// to <tmpdir>/node-compile-cache (Node's default); NODE_DISABLE_COMPILE_CACHE=1 turns it off. Enabled
// before anything else is imported (run.ts and all it loads come through the cache); a directory that
// cannot be written (a read-only root filesystem) only means no cache, never a failed run.
try {
  enableCompileCache();
} catch {
  // No cache this run.
}
await import('./run.ts');
