import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../engine/registry.ts';
import { ALL_RULES } from '../rules/index.ts';
import { scanManifests } from './scan-manifests.ts';
import { resolveSettings } from './settings.ts';

const REGISTRY = createRegistry(ALL_RULES);
const pod = (namespace: string, name: string, securityContext: Record<string, unknown>) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27', securityContext }] },
  });
const ns = (name: string, labels?: Record<string, string>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } });
const RESTRICTED = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

async function scan(config: Parameters<typeof resolveSettings>[1] = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'kp-podsec-'));
  const docs = [
    ns('shop'),
    ns('empty'),
    ns('agents', { 'pod-security.kubernetes.io/enforce': 'privileged' }),
    pod('shop', 'a', RESTRICTED),
    pod('shop', 'b', { ...RESTRICTED, runAsNonRoot: undefined }),
    pod('agents', 'c', { privileged: true }),
    pod('loose', 'd', RESTRICTED),
  ];
  await writeFile(join(dir, 'all.yaml'), docs.join('\n---\n'));
  const settings = resolveSettings(REGISTRY, config, {}, new Date(0));
  return (await scanManifests([dir], settings)).report;
}

describe("the namespaces' Pod Security pass of a scan", () => {
  it('tallies workloads per namespace; inspects only Namespaces with workloads', async () => {
    const report = await scan();
    expect(
      report.podSecurity?.namespaces.map((a) => [a.namespace, a.level, a.enforce, a.namespaceRead]),
    ).toEqual([
      ['agents', 'privileged', 'privileged', true],
      ['loose', 'restricted', null, false],
      ['shop', 'baseline', null, true],
    ]);
    expect(report.objects?.map((o) => o.name)).toEqual(['shop', 'agents']);
    const findings = report.findings.filter((f) => f.ruleId === 'namespace-pss-unenforced');
    expect(findings.map((f) => [f.workload.name, f.messageId, f.data['level']])).toEqual([
      ['shop', 'enforceable', 'baseline'],
    ]);
  });

  it('judges with every PSS rule even when the config switches one off, and ignores exemptions', async () => {
    const report = await scan({
      rules: { 'run-as-non-root': { enabled: false } },
      exemptions: [{ rules: ['privileged'], reason: 'agents' }],
    });
    expect(report.podSecurity?.namespaces.map((a) => [a.namespace, a.level])).toEqual([
      ['agents', 'privileged'],
      ['loose', 'restricted'],
      ['shop', 'baseline'],
    ]);
  });

  it('is absent when the rule is off', async () => {
    const report = await scan({ rules: { 'namespace-pss-unenforced': { enabled: false } } });
    expect(report.podSecurity).toBeUndefined();
    expect(report.summary.skipped).toEqual({ Namespace: 3 });
  });
});
