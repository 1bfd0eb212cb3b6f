import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { codeCacheDir } from './code-cache.ts';

const driver = fileURLToPath(new URL('../../test/support/code-cache-driver.ts', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'kp-code-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
/** A directory of CommonJS chunks as the bundle writes them ("use strict", sibling requires). */
function chunks(files: Record<string, string>): string {
  const dir = join(work, `chunks-${n++}`);
  mkdirSync(dir);
  for (const [name, code] of Object.entries(files)) writeFileSync(join(dir, name), `"use strict";\n${code}`);
  return dir;
}

interface DriverRun {
  result: unknown;
  dynamic: unknown;
  outcomes: Record<string, string>;
}

function load(
  cacheDir: string,
  entry: string,
  arg?: string,
  flags: readonly string[] = [],
  exitCode?: number,
): DriverRun {
  const run = spawnSync(process.execPath, [...flags, driver, cacheDir, entry, ...(arg ? [arg] : [])], {
    encoding: 'utf8',
    env: { ...process.env, ...(exitCode === undefined ? {} : { DRIVER_EXIT_CODE: String(exitCode) }) },
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as DriverRun;
}

/** A function body that V8 compiles only when it is called: 2,000 statements. */
const bigFunction = `function big(x) {\n${Array.from({ length: 2000 }, (_, i) => `  x = (x * ${i + 3} + ${i}) % 1000003;`).join('\n')}\n  return x;\n}`;

describe('the chunk loader', () => {
  it('loads sibling chunks once each, Node modules through Node, imports through the ESM loader', () => {
    const dir = chunks({
      'main.cjs': `const a = require("./a.cjs"); const b = require("./b.cjs");
        exports.result = { same: a.shared === b.shared, count: require("./shared.cjs").count,
          sep: require("node:path").sep, file: __filename.endsWith("main.cjs"), dir: __dirname === require("node:path").dirname(__filename),
          strict: (function () { return this === undefined; })() };
        exports.ready = import("node:os").then((os) => typeof os.cpus);`,
      'a.cjs': 'exports.shared = require("./shared.cjs");',
      'b.cjs': 'exports.shared = require("./shared.cjs");',
      'shared.cjs': 'globalThis.loads = (globalThis.loads ?? 0) + 1; exports.count = globalThis.loads;',
    });
    // Node calls the main context's loader for import() from a vm.Script experimental (the bundle's chunks
    // have no import(): scripts/bundle.test.ts).
    const run = load('-', join(dir, 'main.cjs'), undefined, ['--disable-warning=ExperimentalWarning']);
    expect(run.result).toEqual({ same: true, count: 1, sep: '/', file: true, dir: true, strict: true });
    expect(run.dynamic).toBe('function');
    expect(run.outcomes).toEqual({ 'main.cjs': 'off', 'a.cjs': 'off', 'shared.cjs': 'off', 'b.cjs': 'off' });
  });

  it("keeps a chunk's line numbers in stack traces", () => {
    const dir = chunks({
      'main.cjs': `\n\nfunction where() { return new Error("here").stack; }\nexports.result = where();`,
    });
    const { result } = load('-', join(dir, 'main.cjs'));
    // "use strict" is line 1 of the file, the function line 4.
    expect(result).toContain(`${join(dir, 'main.cjs')}:4:`);
  });

  it('does not keep a chunk that threw: the next require runs it again', () => {
    const dir = chunks({
      'main.cjs': `let first;
        try { require("./flaky.cjs"); } catch (error) { first = error.message; }
        exports.result = { first, second: require("./flaky.cjs").ok };`,
      'flaky.cjs':
        'globalThis.tries = (globalThis.tries ?? 0) + 1; if (globalThis.tries === 1) throw new Error("first try"); exports.ok = true;',
    });
    expect(load('-', join(dir, 'main.cjs')).result).toEqual({ first: 'first try', second: true });
  });

  it('writes each cache once, private, and the next run uses it', () => {
    const dir = chunks({
      'main.cjs': 'exports.result = require("./lib.cjs").twice(21);',
      'lib.cjs': 'exports.twice = (x) => 2 * x;',
    });
    const cache = join(work, `cache-${n++}`);
    expect(load(cache, join(dir, 'main.cjs'))).toMatchObject({
      result: 42,
      outcomes: { 'main.cjs': 'miss', 'lib.cjs': 'miss' },
    });
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    const files = readdirSync(cache).sort();
    expect(files).toEqual([
      expect.stringMatching(/^lib\.cjs-\d+\.cache$/),
      expect.stringMatching(/^main\.cjs-\d+\.cache$/),
    ]);
    for (const file of files) expect(statSync(join(cache, file)).mode & 0o777).toBe(0o600);
    expect(load(cache, join(dir, 'main.cjs'))).toMatchObject({
      result: 42,
      outcomes: { 'main.cjs': 'hit', 'lib.cjs': 'hit' },
    });
  });

  it('caches what the run compiled: a function the run called is in the cache, one it did not call is not', () => {
    const code = `${bigFunction}\nexports.result = globalThis.driverArg === "call" ? big(1) : 0;`;
    const dir = chunks({ 'main.cjs': code });
    const called = join(work, `cache-${n++}`);
    const notCalled = join(work, `cache-${n++}`);
    load(called, join(dir, 'main.cjs'), 'call');
    load(notCalled, join(dir, 'main.cjs'), 'skip');
    const size = (cache: string) => statSync(join(cache, readdirSync(cache)[0] as string)).size;
    // Node's own compile cache would be the small one in both cases (top-level code only).
    expect(size(called)).toBeGreaterThan(10 * size(notCalled));
  });

  it('writes no cache after a run that failed (status 2), and does after one that found something (1)', () => {
    const dir = chunks({ 'main.cjs': 'exports.result = 5;' });
    const cache = join(work, `cache-${n++}`);
    load(cache, join(dir, 'main.cjs'), undefined, [], 2);
    expect(readdirSync(cache)).toEqual([]);
    load(cache, join(dir, 'main.cjs'), undefined, [], 1);
    expect(readdirSync(cache)).toHaveLength(1);
  });

  it('compiles anew when V8 refuses a cache, and replaces the cache', () => {
    const dir = chunks({ 'main.cjs': 'exports.result = 7;' });
    const cache = join(work, `cache-${n++}`);
    load(cache, join(dir, 'main.cjs'));
    const file = join(cache, readdirSync(cache)[0] as string);
    writeFileSync(file, 'not a code cache');
    expect(load(cache, join(dir, 'main.cjs'))).toMatchObject({
      result: 7,
      outcomes: { 'main.cjs': 'rejected' },
    });
    expect(load(cache, join(dir, 'main.cjs'))).toMatchObject({ result: 7, outcomes: { 'main.cjs': 'hit' } });
  });

  it('offers no cache of a chunk to the chunk edited in place (its size names the cache)', () => {
    const dir = chunks({ 'main.cjs': 'exports.result = 1;' });
    const cache = join(work, `cache-${n++}`);
    load(cache, join(dir, 'main.cjs'));
    writeFileSync(join(dir, 'main.cjs'), '"use strict";\nexports.result = 22;');
    expect(load(cache, join(dir, 'main.cjs'))).toMatchObject({
      result: 22,
      outcomes: { 'main.cjs': 'miss' },
    });
  });

  it('uses no cache directory that is a link, is writable by others or belongs to someone else', () => {
    const dir = chunks({ 'main.cjs': 'exports.result = 3;' });
    const real = join(work, `cache-${n++}`);
    mkdirSync(real, { mode: 0o700 });
    const link = join(work, `cache-${n++}`);
    symlinkSync(real, link);
    const open = join(work, `cache-${n++}`);
    mkdirSync(open);
    chmodSync(open, 0o777);
    const foreign = join(work, `cache-${n++}`);
    mkdirSync(foreign, { mode: 0o700 });
    if (process.getuid?.() === 0) chownSync(foreign, 65534, 65534);
    for (const cache of [link, open, ...(process.getuid?.() === 0 ? [foreign] : [])]) {
      expect(load(cache, join(dir, 'main.cjs')), cache).toMatchObject({
        result: 3,
        outcomes: { 'main.cjs': 'off' },
      });
      expect(readdirSync(cache)).toEqual([]);
    }
  });

  it('runs without a cache where none can be made', () => {
    const dir = chunks({ 'main.cjs': 'exports.result = 4;' });
    const file = join(work, `file-${n++}`);
    writeFileSync(file, '');
    expect(load(join(file, 'cache'), join(dir, 'main.cjs'))).toMatchObject({
      result: 4,
      outcomes: { 'main.cjs': 'off' },
    });
  });
});

describe('codeCacheDir', () => {
  it("is one directory per build, Node version and architecture, where Node's compile cache goes", () => {
    expect(codeCacheDir({}, 'abc')).toBe(
      join(tmpdir(), 'node-compile-cache', `kube-patrol-abc-${process.version}-${process.arch}`),
    );
    expect(codeCacheDir({ NODE_COMPILE_CACHE: '/var/cache/x' }, 'abc')).toBe(
      `/var/cache/x/kube-patrol-abc-${process.version}-${process.arch}`,
    );
    expect(
      codeCacheDir({ NODE_DISABLE_COMPILE_CACHE: '1', NODE_COMPILE_CACHE: '/x' }, 'abc'),
    ).toBeUndefined();
  });
});
