import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from 'rolldown';
import { builtinsPlugin } from './bundle.ts';

const work = mkdtempSync(join(tmpdir(), 'kp-facade-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Bundles `body` (an ES module that imports builtins) as scripts/bundle.ts does, with the builtins plugin
 * and tree-shaking, runs the result and returns its stdout.
 */
async function run(body: string): Promise<string> {
  const name = Math.random().toString(36).slice(2);
  const entry = join(work, `${name}.mjs`);
  writeFileSync(entry, body);
  await build({
    input: { [name]: entry },
    platform: 'node',
    plugins: [builtinsPlugin(new Set())],
    output: { dir: join(work, 'out'), format: 'esm', entryFileNames: '[name].mjs' },
  });
  const result = spawnSync(process.execPath, [join(work, 'out', `${name}.mjs`)], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

describe('builtin facades', () => {
  it('a lazy builtin is not loaded until one of its functions is called, and then works as itself', async () => {
    const out = await run(
      `import { createHash, hash } from 'node:crypto';
       const loaded = () => process.moduleLoadList.includes('NativeModule crypto');
       const before = loaded();
       const digest = createHash('sha256').update('abc').digest('hex');
       console.log(JSON.stringify({ before, after: loaded(), same: digest === hash('sha256', 'abc', 'hex'), digest }));`,
    );
    expect(JSON.parse(out)).toEqual({
      before: false,
      after: true,
      same: true,
      digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
  });

  it("a lazy builtin's default export reads through to the module (commander's childProcess.spawn)", async () => {
    const out = await run(
      `import childProcess from 'node:child_process';
       const before = process.moduleLoadList.includes('NativeModule child_process');
       const run = childProcess.spawnSync(process.execPath, ['-e', 'process.stdout.write("hi")'], { encoding: 'utf8' });
       console.log(JSON.stringify({ before, has: 'spawn' in childProcess, out: run.stdout }));`,
    );
    expect(JSON.parse(out)).toEqual({ before: false, has: true, out: 'hi' });
  });

  it('classes and values are the builtin’s own; an eager builtin exports its own functions', async () => {
    const out = await run(
      `import { Worker, isMainThread } from 'node:worker_threads';
       import fsDefault, { readFileSync } from 'node:fs';
       const real = process.getBuiltinModule('node:worker_threads');
       const fs = process.getBuiltinModule('node:fs');
       console.log(JSON.stringify([Worker === real.Worker, isMainThread, readFileSync === fs.readFileSync, fsDefault === fs]));`,
    );
    expect(JSON.parse(out)).toEqual([true, true, true, true]);
  });
});

describe('the bundle', () => {
  it('imports no builtin as an ES module outside its entries (each would build a full module facade)', async () => {
    const out = join(work, 'bundle');
    const { bundle } = await import('./bundle.ts');
    const files = await bundle(out);
    const offenders = files
      .filter((file) => !/[\\/](kube-patrol|scan-worker)\.[cm]?js$/.test(file))
      .filter((file) => /^import\s.*\sfrom\s+"node:/m.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
    // Chunks run as vm.Scripts (src/cli/code-cache.ts), where import() goes through an experimental hook
    // that warns: rolldown turns the sources' dynamic imports into require, and none may be left.
    expect(files.filter((file) => /\bimport\(/.test(readFileSync(file, 'utf8')))).toEqual([]);
  }, 60_000);
});
