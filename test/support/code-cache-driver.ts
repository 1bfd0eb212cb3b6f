/**
 * Run by src/cli/code-cache.test.ts in a fresh process (V8 shares compiled code between scripts of one
 * process, so each cache scenario needs its own): `node code-cache-driver.ts CACHE_DIR|- ENTRY [ARG]`
 * loads ENTRY through the chunk loader with the cache in CACHE_DIR (`-`: none), sets
 * globalThis.driverArg = ARG first, flushes at exit and prints {exports, outcomes} as JSON.
 */
import { basename } from 'node:path';
import { createChunkLoader } from '../../src/cli/code-cache.ts';

const [cacheDir, entry, arg] = process.argv.slice(2) as [string, string, string | undefined];
(globalThis as { driverArg?: string }).driverArg = arg;
const loader = createChunkLoader(cacheDir === '-' ? undefined : cacheDir);
const exports = loader.load(entry) as { result?: unknown; ready?: Promise<unknown> };
const result = { result: exports.result, dynamic: exports.ready ? await exports.ready : undefined };
loader.flush(
  process.env['DRIVER_EXIT_CODE'] === undefined ? undefined : Number(process.env['DRIVER_EXIT_CODE']),
);
const outcomes = Object.fromEntries(
  [...loader.outcomes()].map(([file, outcome]) => [basename(file), outcome]),
);
process.stdout.write(JSON.stringify({ ...result, outcomes }));
