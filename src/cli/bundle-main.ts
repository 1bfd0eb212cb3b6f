#!/usr/bin/env -S node --max-semi-space-size=4
// The published CLI's entry (scripts/bundle.ts builds it into dist/bundle/kube-patrol.cjs; the sources'
// entry is main.ts, whose shebang and its flag this one repeats, ADR 0007). It loads the bundle's chunks
// through the code-cache loader (code-cache.ts, ADR 0013) and writes their caches at exit.
import { enableCompileCache } from 'node:module';
import { join } from 'node:path';
import { codeCacheDir, createChunkLoader } from './code-cache.ts';

/** Set by scripts/bundle.ts: a digest of every chunk of this build, so each build has its own caches. */
declare const KUBE_PATROL_BUILD: string;

// The packages left outside the bundle (pino, client-node, ...) load through Node's loader: its compile
// cache serves them, as main.ts enables it for the sources.
try {
  enableCompileCache();
} catch {
  // No cache this run.
}
const loader = createChunkLoader(codeCacheDir(process.env, KUBE_PATROL_BUILD));
process.on('exit', (code) => loader.flush(code));
loader.load(join(import.meta.dirname, 'run.cjs'));
