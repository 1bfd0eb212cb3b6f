/**
 * The package as a user outside this repository gets it: `npm pack` (whose prepack builds dist/), then
 * `npm install <tarball>` into an empty directory far from the clone (dependencies from the npm registry),
 * then `npx kube-patrol scan` on a manifest. Only Node (this process's, 24) and npm are on PATH.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/version.ts';

const root = projectRoot();
const nodeDir = dirname(process.execPath);
// Node's own directory first, so the bin's `#!/usr/bin/env node` is this Node and not an older system one.
const env = {
  ...process.env,
  PATH: `${nodeDir}:/usr/bin:/bin`,
  NO_COLOR: '1',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};

function run(cmd: string, args: string[], cwd: string, input?: string) {
  const result = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', input, timeout: 280_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, error: result.error };
}

let app: string;
let packed: string;

describe('the packed tarball on a clean directory', () => {
  beforeAll(() => {
    const work = mkdtempSync(join(tmpdir(), 'kp-pack-'));
    const pack = run('npm', ['pack', '--pack-destination', work, '--loglevel=error'], root);
    expect(pack.status, pack.stderr).toBe(0);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    packed = join(work, tarball!);
    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{"name":"ci-job","private":true}\n');
    const install = run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', packed], app);
    expect(install.status, install.stderr).toBe(0);
    // Installed from the tarball, not linked to the clone; the bin is the bundle (scripts/bundle.ts).
    expect(existsSync(join(app, 'node_modules', 'kube-patrol', 'dist', 'bundle', 'kube-patrol.cjs'))).toBe(
      true,
    );
  }, 300_000);

  it('runs `npx kube-patrol scan` on a file and on stdin', () => {
    const version = run('npx', ['--no-install', 'kube-patrol', '--version'], app);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const file = join(root, 'examples', 'insecure-deployment.yaml');
    const scan = run('npx', ['--no-install', 'kube-patrol', 'scan', file, '--fail-on', 'critical'], app);
    expect(scan.status, scan.stderr).toBe(1);
    expect(scan.stdout).toContain('CRITICAL privileged');
    expect(scan.stderr).toContain('--fail-on critical:');
    // The HTML report needs templates/ from the package.
    const html = run(
      'npx',
      ['--no-install', 'kube-patrol', 'scan', '-', '-o', 'html'],
      app,
      '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x"}]}}',
    );
    expect(html.status, html.stderr).toBe(0);
    expect(html.stdout).toMatch(/^<!DOCTYPE html>/);
    const rules = run('npx', ['--no-install', 'kube-patrol', 'rules'], app);
    expect(rules.stdout).toMatch(/^privileged\s+critical/m);
  }, 120_000);
});
