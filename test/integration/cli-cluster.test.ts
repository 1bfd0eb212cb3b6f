// `scan` and `report` against the real API server, as a user runs them: a namespace that does not exist,
// an empty namespace, the context's namespace as the default (kubectl-style), and `report get -o sarif`
// into a reader that closes the pipe after 200 bytes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseDocument } from 'yaml';
import type { KubeClient } from '../../src/kube/client.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import { adminClient, cli, createNamespace, createObject, deployment, runCli } from './support/cluster.ts';
import { repoRoot } from '../harness/controlplane.ts';

const adminKubeconfig = inject('kubePatrolKubeconfig');
let admin: KubeClient;
let dir: string;
let shop: string;
let empty: string;

beforeAll(async () => {
  admin = adminClient(adminKubeconfig);
  dir = await mkdtemp(join(tmpdir(), 'kp-cli-cluster-'));
  shop = await createNamespace(admin, 'shop');
  empty = await createNamespace(admin, 'empty');
  await createObject(admin, deployment(shop, 'web', { privileged: true }));
  await createObject(admin, deployment(await createNamespace(admin, 'other'), 'api', { privileged: true }));
});

afterAll(() => admin?.close());

describe('scan against a cluster', () => {
  it('a namespace that does not exist is an error, not an empty pass', () => {
    const { status, stderr } = runCli([
      'scan',
      '--kubeconfig',
      adminKubeconfig,
      '-n',
      'no-such-ns-7f3a',
      '--fail-on',
      'high',
    ]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/namespace "no-such-ns-7f3a" does not exist in context /);
  });

  it('an empty namespace: a warning and no score; under --fail-on a failure unless --allow-empty', () => {
    const plain = runCli(['scan', '--kubeconfig', adminKubeconfig, '-n', empty, '-o', 'json']);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stderr).toContain('warning: no workload inspected');
    const report = JSON.parse(plain.stdout) as InspectionReport;
    expect(report.summary.score).toBeNull();
    expect(report.coverage?.workloadsInspected).toBe(0);
    expect(runCli(['scan', '--kubeconfig', adminKubeconfig, '-n', empty, '--fail-on', 'high']).status).toBe(
      2,
    );
    expect(
      runCli(['scan', '--kubeconfig', adminKubeconfig, '-n', empty, '--fail-on', 'high', '--allow-empty'])
        .status,
    ).toBe(0);
  });

  it("with no -n, scans the context's namespace and says so; -A scans every namespace", async () => {
    const doc = parseDocument(await readFile(adminKubeconfig, 'utf8'));
    const config = doc.toJS() as { contexts: { context: Record<string, unknown> }[] };
    for (const c of config.contexts) c.context['namespace'] = shop;
    const kubeconfig = join(dir, 'shop.kubeconfig');
    await writeFile(kubeconfig, JSON.stringify(config));
    const scoped = runCli(['scan', '--kubeconfig', kubeconfig, '-o', 'json']);
    expect(scoped.status, scoped.stderr).toBe(0);
    expect(scoped.stderr).toContain(`scanning namespace "${shop}", the namespace of context`);
    const report = JSON.parse(scoped.stdout) as InspectionReport;
    expect(new Set(report.workloads.map((w) => w.namespace))).toEqual(new Set([shop]));
    const all = JSON.parse(
      runCli(['scan', '--kubeconfig', kubeconfig, '-A', '-o', 'json']).stdout,
    ) as InspectionReport;
    expect(all.workloads.some((w) => w.namespace !== shop)).toBe(true);
  });
});

describe('report get into a closed pipe', () => {
  it('`report get -o sarif | head -c 200` ends with status 0 and nothing on stderr', async () => {
    const config = join(dir, 'operator.yaml');
    await writeFile(config, `scope:\n  namespaces: [${shop}]\n`);
    const once = runCli([
      'operator',
      '--once',
      '--kubeconfig',
      adminKubeconfig,
      '-n',
      shop,
      '--config',
      config,
    ]);
    expect(once.status, once.stdout + once.stderr).toBe(0);
    const { status, got, stderr } = await new Promise<{ status: number | null; got: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(
          process.execPath,
          [cli, 'report', 'get', '-o', 'sarif', '--kubeconfig', adminKubeconfig, '-n', shop],
          { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let out = '';
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.length >= 200) child.stdout.destroy();
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ status: code, got: out, stderr: err }));
      },
    );
    // The line format and --min-severity read the stored report too.
    const line = runCli([
      'report',
      'get',
      '-o',
      'line',
      '--min-severity',
      'critical',
      '--kubeconfig',
      adminKubeconfig,
      '-n',
      shop,
    ]);
    expect(line.status, line.stderr).toBe(0);
    expect(line.stdout).toMatch(
      new RegExp(`^Deployment/${shop}/web: critical privileged Deployment ${shop}/web\\[app\\]: `, 'm'),
    );
    expect(
      line.stdout
        .trim()
        .split('\n')
        .every((l) => / critical /.test(l)),
    ).toBe(true);
    expect(got.length).toBeGreaterThanOrEqual(200);
    expect(got).toContain('"$schema"');
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  it('`report open` on a machine without a display writes the file and exits 2, saying why', async () => {
    const file = join(dir, 'open.html');
    const env = { DISPLAY: '', WAYLAND_DISPLAY: '' };
    const opened = runCli(['report', 'open', '-f', file, '--kubeconfig', adminKubeconfig, '-n', shop], env);
    expect(opened.status).toBe(2);
    expect(opened.stderr).toContain(
      `could not open a browser (no display: DISPLAY and WAYLAND_DISPLAY are unset); open ${file} yourself`,
    );
    expect(await readFile(file, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    const noBrowser = runCli(
      ['report', 'open', '--no-browser', '-f', file, '--kubeconfig', adminKubeconfig, '-n', shop],
      env,
    );
    expect(noBrowser.status).toBe(0);
  });
});

describe('examples/', () => {
  it('`kubectl apply -f examples/` creates every object but the one the API server itself refuses', () => {
    const applied = spawnSync(
      'kubectl',
      ['--kubeconfig', adminKubeconfig, 'apply', '-f', join(repoRoot, 'examples')],
      {
        encoding: 'utf8',
      },
    );
    expect(applied.error).toBeUndefined();
    // Its namespaces come first (examples/00-namespaces.yaml): no "namespaces not found".
    expect(applied.stderr).not.toMatch(/namespaces? .* not found/);
    for (const object of [
      'namespace/shop',
      'namespace/monitoring',
      'deployment.apps/web',
      'daemonset.apps/node-agent',
      'deployment.apps/api',
    ])
      expect(applied.stdout).toMatch(
        new RegExp(`^${object.replace('.', '\\.')} (created|unchanged|configured)$`, 'm'),
      );
    // legacy-pod.json shows a PSS violation the API server validates too (procMount without user
    // namespaces): refused there, reported by a manifest scan (the README says so).
    const refused = applied.stderr.split('\n').filter((l) => / is invalid: /.test(l));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^The Pod "legacy" is invalid: .*procMount/);
  });
});
