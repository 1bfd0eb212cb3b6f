/**
 * The published bundle (scripts/bundle.ts: CommonJS chunks run by the code-cache loader, ADR 0013) does
 * what the sources do: the same commands give the same status, stdout and stderr, run once with an empty
 * code cache and once with the cache that run left. Times and timestamps are masked; nothing else is.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../../scripts/bundle.ts';
import { cli as sourceCli, root } from '../support/cli.ts';

let bundleDir: string;
let cacheDir: string;
beforeAll(async () => {
  // Inside the project, as in an installed package: the bundle finds package.json, templates/ and the
  // packages it leaves out by walking up from its own directory.
  mkdirSync(join(root, '.cache'), { recursive: true });
  bundleDir = mkdtempSync(join(root, '.cache', 'parity-bundle-'));
  cacheDir = mkdtempSync(join(root, '.cache', 'parity-code-cache-'));
  await bundle(bundleDir);
}, 60_000);
afterAll(() => {
  rmSync(bundleDir, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

const mask = (text: string): string =>
  text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/(durationMs"?:\s*)[\d.e+-]+/g, '$1<ms>')
    .replace(/\b\d+(\.\d+)? ?(ms|s)\b/g, '<duration>');

function run(cli: string, args: readonly string[], input?: string): Run {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', NODE_COMPILE_CACHE: cacheDir, KUBECONFIG: join(cacheDir, 'none') },
  });
  return { status: result.status, stdout: mask(result.stdout), stderr: mask(result.stderr) };
}

const strace = join(root, 'src', 'seccomp', 'testdata', 'strace');
const CASES: readonly { name: string; args: readonly string[]; input?: string }[] = [
  { name: 'scan -o json', args: ['scan', 'examples', '-o', 'json'] },
  { name: 'scan -o table', args: ['scan', 'examples', '-o', 'table'] },
  { name: 'scan -o sarif', args: ['scan', 'examples', '-o', 'sarif'] },
  { name: 'scan -o html (Handlebars, outside the bundle)', args: ['scan', 'examples', '-o', 'html'] },
  { name: 'scan -o yaml (yaml, outside the bundle)', args: ['scan', 'examples', '-o', 'yaml'] },
  { name: 'scan in two worker threads', args: ['scan', 'examples', '-o', 'json', '--workers', '2'] },
  {
    name: 'scan of stdin',
    args: ['scan', '-', '-o', 'json'],
    input: readFileSync(join(root, 'examples', 'insecure-deployment.yaml'), 'utf8'),
  },
  { name: 'scan of a missing file (exit 2)', args: ['scan', 'no-such-file.yaml', '-o', 'json'] },
  { name: 'scan with a bad flag (exit 2)', args: ['scan', 'examples', '-o', 'nonsense'] },
  { name: 'rules', args: ['rules'] },
  { name: 'one rule', args: ['rules', 'privileged'] },
  { name: 'fix --diff', args: ['fix', 'examples', '--diff'] },
  { name: 'policy export', args: ['policy', 'export'] },
  {
    name: 'seccomp profile',
    args: ['seccomp', 'profile', '--from-strace', join(strace, 'c.txt'), '-o', 'spo'],
  },
  { name: 'seccomp check', args: ['seccomp', 'check', '--from-strace', join(strace, 'c.txt')] },
  { name: 'a cluster scan without a kubeconfig (exit 2)', args: ['scan', '--cluster'] },
  { name: '--version', args: ['--version'] },
  { name: '--help', args: ['--help'] },
];

describe('the bundle does what the sources do', () => {
  it.each(CASES)('$name', ({ args, input }) => {
    const expected = run(sourceCli, args, input);
    const cold = run(join(bundleDir, 'kube-patrol.cjs'), args, input);
    const warm = run(join(bundleDir, 'kube-patrol.cjs'), args, input);
    expect(cold).toEqual(expected);
    expect(warm).toEqual(expected);
  });

  it('the runs above left a code cache, one file per chunk they ran', () => {
    const [dir] = readdirSync(cacheDir).filter((name) => name.startsWith('kube-patrol-'));
    expect(dir).toBeDefined();
    const cached = readdirSync(join(cacheDir, dir as string));
    expect(cached).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^run\.cjs-\d+\.cache$/),
        expect.stringMatching(/^scan-[\w-]+\.cjs-\d+\.cache$/),
      ]),
    );
  });
});
