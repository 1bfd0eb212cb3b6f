// Exemption presets through the operator on a real API server: the report it stores carries findings
// exempted by a preset, and the next scan reads that report back as its diff base (the stored-report
// schema must know `by: preset`), then `report get` shows the exemption.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import {
  adminClient,
  createMany,
  createNamespace,
  installOperator,
  runCli,
  writeConfig,
} from './support/cluster.ts';

const adminKubeconfig = inject('kubePatrolKubeconfig');
let admin: KubeClient;
let dir: string;

beforeAll(async () => {
  admin = adminClient(adminKubeconfig);
  dir = await mkdtemp(join(tmpdir(), 'kp-presets-it-'));
});
afterAll(() => admin.close());

describe('exemption presets through the operator', () => {
  it('stores preset exemptions and reads them back for the next diff', async () => {
    const ns = await createNamespace(admin, 'cni');
    const labels = { app: 'calico-node' };
    await createMany(admin, [
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'calico-node', namespace: ns, labels },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              hostNetwork: true,
              containers: [
                {
                  name: 'calico-node',
                  image: 'quay.io/calico/node:v3.29.1',
                  securityContext: { privileged: true },
                },
              ],
            },
          },
        },
      },
    ]);
    const install = await installOperator(admin, adminKubeconfig);
    const config = await writeConfig(dir, { scope: { namespaces: [ns] } });
    const args = ['--kubeconfig', install.kubeconfig, '-n', install.namespace];
    for (let i = 0; i < 2; i++) {
      const once = runCli(['operator', '--once', '--config', config, ...args]);
      expect(once.status, once.stdout + once.stderr).toBe(0);
    }
    const got = runCli(['report', 'get', '-o', 'json', ...args]);
    expect(got.status, got.stderr).toBe(0);
    const report = JSON.parse(got.stdout) as InspectionReport;
    const byPreset = report.findings.filter((f) => f.exempted?.by === 'preset').map((f) => f.ruleId);
    expect(byPreset.sort()).toEqual([
      'host-network',
      'privilege-escalation',
      'privileged',
      'run-as-non-root',
    ]);
    expect(report.findings.find((f) => f.ruleId === 'host-network')?.exempted).toMatchObject({
      preset: 'cni',
    });
    // The findings a CNI agent could fix stay counted.
    expect(report.findings.some((f) => f.ruleId === 'capabilities-not-dropped' && !f.exempted)).toBe(true);
    expect(report.diff).toMatchObject({ new: [], resolved: [] });
  });
});
