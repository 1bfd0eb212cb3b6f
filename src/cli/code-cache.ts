/**
 * The published CLI's module loader (ADR 0013): loads the bundle's CommonJS chunks (scripts/bundle.ts)
 * as vm.Scripts with V8 code caches made at the end of a run.
 *
 * Why: Node's compile cache (`module.enableCompileCache`) stores what V8 compiled when a module was
 * compiled, which is its top-level code only; every function a run calls is compiled again on every
 * run, about 20 ms of a one-file scan (issue 17, docs/benchmarks.md). A cache V8 makes after the code ran
 * (`script.createCachedData()` at exit) holds every function compiled by then, so the next run starts
 * with the scan's code compiled.
 *
 * Chunks are CommonJS as rolldown writes them (`"use strict"`, `require("./chunk.cjs")`); the loader
 * wraps each in the CommonJS function wrapper, gives it a `require` that loads sibling chunks through
 * this loader (each once, so modules keep one instance) and everything else through Node's own require,
 * and imports through Node's ESM loader.
 *
 * The cache lives in its own directory per build, Node version and architecture (codeCacheDir), which
 * is created private (0700) and used only while it is a real directory of ours that nobody else can
 * write: a cache is code that runs. Nothing about a cache can fail a run: an unreadable, foreign or
 * rejected cache means compiling, an unwritable directory means no cache.
 */
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { Script, constants } from 'node:vm';

/** How a chunk's code was had: from its cache, compiled with no cache, or compiled after V8 refused one. */
export type CacheOutcome = 'hit' | 'miss' | 'rejected' | 'off';

export interface ChunkLoader {
  /** The exports of a chunk (an absolute path), loading it on first use. */
  load(file: string): unknown;
  /**
   * Writes the caches of the chunks loaded without an accepted one; call at exit. A run that ended with
   * status 2 or more (bad input, a usage error) writes none: it compiled little of what a real run
   * needs, and a cache once accepted is not replaced.
   */
  flush(exitCode?: number): void;
  /** Each loaded chunk and how its code was had, in load order. */
  outcomes(): ReadonlyMap<string, CacheOutcome>;
}

type ChunkFunction = (
  exports: unknown,
  require: (id: string) => unknown,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;

/**
 * The directory for this build's caches: `<NODE_COMPILE_CACHE or tmpdir/node-compile-cache>/kube-patrol-
 * <build>-<node version>-<arch>`, the place Node's own compile cache uses; none when
 * NODE_DISABLE_COMPILE_CACHE=1 (as for Node's).
 */
export function codeCacheDir(env: NodeJS.ProcessEnv, build: string): string | undefined {
  if (env['NODE_DISABLE_COMPILE_CACHE'] === '1') return undefined;
  const base = env['NODE_COMPILE_CACHE'] || join(tmpdir(), 'node-compile-cache');
  return join(resolve(base), `kube-patrol-${build}-${process.version}-${process.arch}`);
}

/** The directory, made if absent (0700), when it is ours: a directory (not a link), our uid, writable by us alone. */
function privateDirectory(dir: string): boolean {
  try {
    // The parent (Node's cache directory, which other users' Node may share) with the default mode.
    mkdirSync(dirname(dir), { recursive: true });
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const stat = lstatSync(dir);
    const uid = process.getuid?.();
    return stat.isDirectory() && (uid === undefined || stat.uid === uid) && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

export function createChunkLoader(cacheDir: string | undefined): ChunkLoader {
  const modules = new Map<string, { exports: unknown }>();
  const outcomes = new Map<string, CacheOutcome>();
  const unsaved: { script: Script; cacheFile: string }[] = [];
  let usable: boolean | undefined;
  const cacheUsable = (): boolean => (usable ??= cacheDir !== undefined && privateDirectory(cacheDir));

  function readCache(cacheFile: string): Buffer | undefined {
    try {
      return readFileSync(cacheFile);
    } catch {
      return undefined;
    }
  }

  function load(file: string): unknown {
    const known = modules.get(file);
    if (known) return known.exports;
    const module = { exports: {} as unknown };
    modules.set(file, module);
    const source = readFileSync(file, 'utf8');
    // The chunk's size is in the cache's name: a chunk edited in place (not rebuilt) has another.
    const cacheFile =
      cacheDir !== undefined && cacheUsable()
        ? join(cacheDir, `${basename(file)}-${Buffer.byteLength(source)}.cache`)
        : undefined;
    const cachedData = cacheFile === undefined ? undefined : readCache(cacheFile);
    // One line with the chunk's first: line numbers in stack traces are the file's.
    const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
      filename: file,
      ...(cachedData ? { cachedData } : {}),
      importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    const outcome: CacheOutcome =
      cacheFile === undefined ? 'off' : !cachedData ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
    outcomes.set(file, outcome);
    if (cacheFile !== undefined && outcome !== 'hit') unsaved.push({ script, cacheFile });
    const dir = dirname(file);
    const nodeRequire = createRequire(file);
    // Chunks call require with a sibling chunk (`./x.cjs`) or a package or builtin name, nothing else
    // (the bundle's chunks use no require.resolve or require.cache).
    const chunkRequire = (id: string): unknown =>
      id.startsWith('./') || id.startsWith('../') ? load(resolve(dir, id)) : nodeRequire(id);
    try {
      (script.runInThisContext() as ChunkFunction)(module.exports, chunkRequire, module, file, dir);
    } catch (error) {
      // As Node's require: a chunk that threw is not kept half-loaded; the next require runs it again.
      modules.delete(file);
      throw error;
    }
    return module.exports;
  }

  function flush(exitCode?: number): void {
    if (exitCode !== undefined && exitCode >= 2) return;
    for (const { script, cacheFile } of unsaved.splice(0)) {
      const temporary = `${cacheFile}.${process.pid}.tmp`;
      try {
        writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
        renameSync(temporary, cacheFile);
      } catch {
        // No cache for this chunk next time; the run itself is not affected.
        rmSync(temporary, { force: true });
      }
    }
  }

  return { load, flush, outcomes: () => outcomes };
}
