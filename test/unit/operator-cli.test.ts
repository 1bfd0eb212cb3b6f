/** The operator and report commands as a user runs them, where no cluster is needed. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';

// Each refused request is retried twice (0.25 s, 1 s) before the command gives up.
vi.setConfig({ testTimeout: 20_000 });
import { projectRoot } from '../../src/version.ts';

const root = projectRoot();
const cli = join(root, 'src', 'cli', 'main.ts');
let dir: string;
let unreachable: string;

function kp(args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', KUBECONFIG: unreachable },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kp-operator-cli-'));
  unreachable = join(dir, 'kubeconfig');
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  await writeFile(
    unreachable,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: x}}]
contexts: [{name: ctx, context: {cluster: c, user: u, namespace: team-a}}]
current-context: ctx
`,
  );
});

describe('kube-patrol operator', () => {
  it('rejects an invalid config with exit 2 and names each bad key', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'schedule: "every day"\nreport: {history: 0}\nsceduel: 1\n');
    const { status, stderr } = kp(['operator', '--config', file, '--once']);
    expect(status).toBe(2);
    expect(stderr).toContain('schedule: expected a cron expression');
    expect(stderr).toContain('report.history');
    expect(stderr).toContain('sceduel: unknown key');
  });

  it('--once fails with exit 2 and a JSON log line when the API server cannot be reached', () => {
    const { status, stdout } = kp(['operator', '--once', '--log-level', 'info']);
    expect(status).toBe(2);
    const failed = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['msg'] === 'scan failed; the previous report stays');
    expect(failed).toMatchObject({ stage: 'list', error: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('kube-patrol scan (cluster) and report', () => {
  it('exit 2 naming the server, the context and the API call when the cluster cannot be reached', () => {
    const scan = kp(['scan']);
    expect(scan.status).toBe(2);
    // kubectl-style: with no -n, the context's namespace is scanned (checked to exist first).
    expect(scan.stderr).toContain('scanning namespace "team-a", the namespace of context ctx');
    expect(scan.stderr).toMatch(
      /cannot reach the API server https:\/\/127\.0\.0\.1:1 of context ctx \(GET \/api\/v1\/namespaces\/team-a: connect ECONNREFUSED/,
    );
    const get = kp(['report', 'get']);
    expect(get.status).toBe(2);
    // The namespace defaults to the context's, as for scan.
    expect(get.stderr).toContain('/namespaces/team-a/configmaps/kube-patrol-report');
    expect(get.stderr).toContain('cannot reach the API server https://127.0.0.1:1 of context ctx');
  });

  it('says where it looked when there is no kubeconfig, and how to scan files instead', () => {
    const result = spawnSync(process.execPath, [cli, 'scan'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', KUBECONFIG: '', HOME: dir, KUBERNETES_SERVICE_HOST: '' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`no kubeconfig found: ${join(dir, '.kube', 'config')} does not exist`);
    expect(result.stderr).toContain('kube-patrol scan deploy/');
    expect(result.stderr).not.toContain('skipTLSVerify');
    const named = kp(['scan', '--kubeconfig', join(dir, 'nope.yaml')]);
    expect(named.status).toBe(2);
    expect(named.stderr).toContain(
      `no kubeconfig found: --kubeconfig ${join(dir, 'nope.yaml')} does not exist`,
    );
  });
});
