/**
 * Subjects beyond pod specs (ADR 0008), through the pipeline the CLI runs: an object rule sees the objects
 * of its subject kind, a pod-spec rule sees the facts it asked for in every file (read before any workload),
 * exemptions, severity overrides and the score work on objects, and a scan whose rules ask for nothing reads
 * nothing more.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../engine/registry.ts';
import { defineObjectRule, defineRule, type AnyRule } from '../engine/rule.ts';
import { KubeApiError, type KubeApi, type RequestOptions } from '../kube/client.ts';
import { privileged } from '../rules/privileged/rule.ts';
import { scanCluster } from './scan-cluster.ts';
import { scanManifests } from './scan-manifests.ts';
import { resolveSettings } from './settings.ts';
import type { ConfigFile } from '../config/schema.ts';

const docs = {
  why: { en: 'w', 'zh-CN': 'w' },
  fix: { en: 'f', 'zh-CN': 'f' },
  snippet: '',
  references: [],
};

/** Flags every ClusterRoleBinding to cluster-admin (a stand-in for the RBAC rules). */
const adminBinding = defineObjectRule({
  meta: {
    id: 'test-admin-binding',
    subject: 'rbac',
    title: { en: 'admin binding', 'zh-CN': 'admin binding' },
    category: 'hardening',
    severity: 'high',
    pss: null,
    messages: { admin: { en: '{{name}} grants cluster-admin', 'zh-CN': '{{name}}' } },
    docs,
  },
  check(context) {
    const { subject } = context;
    if (subject.kind !== 'ClusterRoleBinding') return;
    const roleRef = subject.object['roleRef'] as { name?: string } | undefined;
    if (roleRef?.name === 'cluster-admin')
      context.report({ messageId: 'admin', data: { name: subject.name }, path: ['roleRef', 'name'] });
  },
});

/** Reports a workload whose service account is not among the ServiceAccounts of the scan. */
const accountMissing = defineRule({
  meta: {
    id: 'test-account-missing',
    subject: 'pod-spec',
    facts: ['ServiceAccount'],
    title: { en: 'account missing', 'zh-CN': 'account missing' },
    category: 'hardening',
    severity: 'low',
    pss: null,
    messages: { missing: { en: 'no account {{account}}', 'zh-CN': '{{account}}' } },
    docs,
  },
  check(context) {
    if (!context.facts.known('ServiceAccount')) return;
    const account = context.podSpec.serviceAccountName ?? 'default';
    const found = context.facts
      .objects('ServiceAccount')
      .some((sa) => sa.name === account && sa.namespace === context.workload.namespace);
    if (!found)
      context.report({
        messageId: 'missing',
        data: { account: String(account) },
        path: [...context.podSpecPath, 'serviceAccountName'],
        evidence: [`ServiceAccounts read: ${context.facts.objects('ServiceAccount').length}`],
      });
  },
});

const RULES: readonly AnyRule[] = [adminBinding, accountMissing, privileged];
const registry = createRegistry(RULES);
const settingsOf = (config: ConfigFile = {}) => resolveSettings(registry, config, {}, new Date(0));

const deployment = (account: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: ${account}
      containers: [{name: app, image: nginx:1.27}]
`;
const serviceAccount = (name: string) => `apiVersion: v1
kind: ServiceAccount
metadata: {name: ${name}, namespace: shop}
`;
const binding = (name: string, role: string, annotations = '') => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ${name}
${annotations}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects: [{kind: User, name: alice}]
`;

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function scanFiles(files: Record<string, string>, config?: ConfigFile) {
  dir = await mkdtemp(join(tmpdir(), 'kube-patrol-subjects-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return (await scanManifests([dir], settingsOf(config))).report;
}

describe('object subjects and facts in manifest files', () => {
  it('inspects RBAC objects as subjects, with file:line, score and summary', async () => {
    const report = await scanFiles({
      'a.yaml': deployment('web'),
      'b.yaml': `${binding('ops', 'cluster-admin')}---\n${binding('view', 'view')}`,
    });
    const found = report.findings.filter((f) => f.ruleId === 'test-admin-binding');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      workload: { kind: 'ClusterRoleBinding', namespace: null, name: 'ops' },
      path: 'roleRef.name',
      message: 'ops grants cluster-admin',
      source: { file: join(dir!, 'b.yaml'), line: 6 }, // roleRef, after an empty annotations line
    });
    expect(report.objects?.map((o) => [o.subject, o.name, o.score])).toEqual([
      ['rbac', 'ops', 80],
      ['rbac', 'view', 100],
    ]);
    expect(report.summary.objects).toBe(2);
    expect(report.workloads.map((w) => w.name)).toEqual(['web']);
    // The mean over the workload (no finding: 100) and the two bindings.
    expect(report.summary.score).toBe(Math.round((100 + 80 + 100) / 3));
    expect(report.rules.map((r) => [r.id, r.subject])).toEqual([
      ['test-admin-binding', 'rbac'],
      ['test-account-missing', 'pod-spec'],
      ['privileged', 'pod-spec'],
    ]);
  });

  it('hands the facts of every file to every workload, whatever the file order', async () => {
    // The ServiceAccount comes in a file after the workload's.
    const ok = await scanFiles({ 'a.yaml': deployment('web'), 'z.yaml': serviceAccount('web') });
    expect(ok.findings.filter((f) => f.ruleId === 'test-account-missing')).toEqual([]);
    await rm(dir!, { recursive: true, force: true });
    const missing = await scanFiles({ 'a.yaml': deployment('web'), 'z.yaml': serviceAccount('other') });
    const found = missing.findings.filter((f) => f.ruleId === 'test-account-missing');
    expect(found.map((f) => [f.workload.name, f.data['account'], f.evidence])).toEqual([
      ['web', 'web', ['ServiceAccounts read: 1']],
    ]);
  });

  it('lets a rule tell "no object of that kind was read" from "absent"', async () => {
    const report = await scanFiles({ 'a.yaml': deployment('web') });
    expect(report.findings.filter((f) => f.ruleId === 'test-account-missing')).toEqual([]);
    // Not asked for by any rule that runs: not collected, counted as skipped as before.
    const withoutRule = await scanFiles(
      { 'a.yaml': deployment('web'), 'b.yaml': serviceAccount('x') },
      {
        rules: { 'test-account-missing': 'off', 'test-admin-binding': 'off' },
      },
    );
    expect(withoutRule.summary.skipped).toEqual({ ServiceAccount: 1 });
    expect(withoutRule.objects).toBeUndefined();
  });

  it('applies annotation and config exemptions and severity overrides to objects', async () => {
    const annotated = binding(
      'break-glass',
      'cluster-admin',
      '  annotations: {kube-patrol.io/exempt.test-admin-binding: "break-glass account, audited"}',
    );
    const report = await scanFiles(
      {
        'b.yaml': `${annotated}---\n${binding('ops', 'cluster-admin')}---\n${binding('ci', 'cluster-admin')}`,
      },
      {
        rules: { 'test-admin-binding': { severity: 'critical' } },
        exemptions: [
          { rules: ['test-admin-binding'], kinds: ['ClusterRoleBinding'], names: ['ci'], reason: 'CI' },
        ],
      },
    );
    const byName = new Map(report.findings.map((f) => [f.workload.name, f]));
    expect(byName.get('break-glass')?.exempted).toEqual({
      by: 'annotation',
      reason: 'break-glass account, audited',
    });
    expect(byName.get('ci')?.exempted).toMatchObject({ by: 'config', reason: 'CI' });
    expect(byName.get('ops')).toMatchObject({ severity: 'critical' });
    expect(byName.get('ops')?.exempted).toBeUndefined();
    expect(report.summary.findings).toBe(1);
  });
});

/** An API serving lists from memory (empty when not given); `forbidden` paths answer 403; no SPO CRD (404). */
function fakeApi(collections: Record<string, Record<string, unknown>[]>, forbidden: RegExp = /^$/) {
  const paths: string[] = [];
  const api: KubeApi = {
    async request<T>(method: string, path: string, _options: RequestOptions = {}): Promise<T> {
      paths.push(path);
      if (forbidden.test(path)) throw new KubeApiError(method, path, 403, 'Forbidden', 'no');
      const resource = path.split('/').at(-1)!;
      if (resource === 'seccompprofiles')
        throw new KubeApiError(method, path, 404, 'NotFound', 'the server could not find it');
      const items = collections[resource] ?? [];
      return { metadata: { resourceVersion: '1' }, items: structuredClone(items) } as T;
    },
    async watch() {},
  };
  return { api, paths };
}

const podTemplate = (account: string) => ({
  spec: { serviceAccountName: account, containers: [{ name: 'app', image: 'nginx:1.27' }] },
});

describe('object subjects and facts in a cluster', () => {
  const collections = {
    deployments: [
      { metadata: { name: 'web', namespace: 'shop', uid: 'd1' }, spec: { template: podTemplate('web') } },
    ],
    clusterrolebindings: [
      {
        metadata: { name: 'ops', uid: 'b1' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'User', name: 'alice' }],
      },
    ],
    clusterroles: [],
    roles: [],
    rolebindings: [],
    serviceaccounts: [{ metadata: { name: 'other', namespace: 'shop', uid: 's1' } }],
  };

  it('lists the kinds asked for before the workloads and inspects them', async () => {
    const { api, paths } = fakeApi(collections);
    const { report } = await scanCluster(api, settingsOf());
    expect(paths.indexOf('/api/v1/serviceaccounts')).toBeLessThan(paths.indexOf('/apis/apps/v1/deployments'));
    expect(report.findings.map((f) => [f.ruleId, f.workload.kind, f.workload.name]).sort()).toEqual([
      ['test-account-missing', 'Deployment', 'web'],
      ['test-admin-binding', 'ClusterRoleBinding', 'ops'],
    ]);
    expect(report.objects?.map((o) => o.name).sort()).toEqual(['ops']);
  });

  it('does not conclude from a kind it may not read, and says it could not read it', async () => {
    const { api } = fakeApi(collections, /serviceaccounts$/);
    const { report, unreadable } = await scanCluster(api, settingsOf());
    expect(report.findings.filter((f) => f.ruleId === 'test-account-missing')).toEqual([]);
    expect(unreadable.map((u) => u.kind)).toEqual(['ServiceAccount']);
    expect(report.errors.map((e) => e.source)).toContain('cluster: ServiceAccount in all namespaces');
  });

  it('reads no object kinds when no active rule asks for them', async () => {
    const { api, paths } = fakeApi(collections);
    const settings = resolveSettings(createRegistry([privileged]), {}, {}, new Date(0));
    await scanCluster(api, settings);
    expect(paths.filter((p) => /serviceaccounts|rbac/.test(p))).toEqual([]);
  });
});
