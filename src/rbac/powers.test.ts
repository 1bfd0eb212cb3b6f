import { describe, expect, it } from 'vitest';
import {
  clusterRole,
  clusterRoleBinding,
  group,
  parsed,
  role,
  roleBinding,
  sa,
  user,
} from '../../test/support/rbac-objects.ts';
import type { BindingObject, RbacObject } from './model.ts';
import { bindingFindings, describeChain, serviceAccountFindings, type RbacRuleId } from './powers.ts';
import { buildRbacIndex } from './rbac-index.ts';

type Json = Record<string, unknown>;

/** The findings of a single ClusterRoleBinding of `bob` to a ClusterRole with these rules. */
function onBinding(rules: Json[], objects: RbacObject[] = []) {
  const binding = clusterRoleBinding('b', 'r', [user('bob')]) as BindingObject;
  const index = buildRbacIndex([clusterRole('r', rules), binding, ...objects]);
  return bindingFindings(index, binding);
}
const ids = (findings: { ruleId: string }[]) => findings.map((f) => f.ruleId).sort();
const r = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]) => ({
  verbs,
  apiGroups,
  resources,
  ...(resourceNames ? { resourceNames } : {}),
});

describe('power detectors on a binding', () => {
  const cases: [string, Json[], RbacRuleId[]][] = [
    // rbac-secrets-read
    ['get secrets', [r(['get'], [''], ['secrets'])], ['rbac-secrets-read']],
    ['watch secrets via * group', [r(['watch'], ['*'], ['secrets'])], ['rbac-secrets-read', 'rbac-wildcard']],
    ['create secrets only', [r(['create'], [''], ['secrets'])], []],
    ['secrets in another group', [r(['get'], ['apps'], ['secrets'])], []],
    ['secrets/status is not secrets', [r(['get'], [''], ['secrets/status'])], []],
    // rbac-pod-exec
    ['get pods/exec (WebSocket)', [r(['get'], [''], ['pods/exec'])], ['rbac-pod-exec']],
    ['create pods/portforward', [r(['create'], [''], ['pods/portforward'])], ['rbac-pod-exec']],
    ['*/attach', [r(['create'], [''], ['*/attach'])], ['rbac-pod-exec', 'rbac-wildcard']],
    ['get pods only', [r(['get'], [''], ['pods'])], []],
    ['list pods/exec', [r(['list'], [''], ['pods/exec'])], []],
    // rbac-workload-create
    ['create deployments', [r(['create'], ['apps'], ['deployments'])], ['rbac-workload-create']],
    ['create cronjobs', [r(['create'], ['batch'], ['cronjobs'])], ['rbac-workload-create']],
    ['create pods named x (never: create has no name)', [r(['create'], [''], ['pods'], ['x'])], []],
    ['update deployments', [r(['update'], ['apps'], ['deployments'])], []],
    ['deployments in the core group', [r(['create'], [''], ['deployments'])], []],
    // rbac-escalate
    ['escalate roles', [r(['escalate'], ['rbac.authorization.k8s.io'], ['roles'])], ['rbac-escalate']],
    ['bind clusterroles', [r(['bind'], ['rbac.authorization.k8s.io'], ['clusterroles'])], ['rbac-escalate']],
    ['impersonate serviceaccounts', [r(['impersonate'], [''], ['serviceaccounts'])], ['rbac-escalate']],
    ['create roles', [r(['create'], ['rbac.authorization.k8s.io'], ['roles'])], []],
    // rbac-nodes-proxy
    ['get nodes/proxy', [r(['get'], [''], ['nodes/proxy'])], ['rbac-nodes-proxy']],
    ['get nodes', [r(['get'], [''], ['nodes'])], []],
    // rbac-token-create
    ['create serviceaccounts/token', [r(['create'], [''], ['serviceaccounts/token'])], ['rbac-token-create']],
    ['get serviceaccounts/token', [r(['get'], [''], ['serviceaccounts/token'])], []],
    // rbac-admission-write
    [
      'patch webhooks',
      [r(['patch'], ['admissionregistration.k8s.io'], ['mutatingwebhookconfigurations'])],
      ['rbac-admission-write'],
    ],
    [
      'delete policies',
      [r(['delete'], ['admissionregistration.k8s.io'], ['validatingadmissionpolicies'])],
      ['rbac-admission-write'],
    ],
    [
      'read webhooks',
      [r(['get', 'list'], ['admissionregistration.k8s.io'], ['validatingwebhookconfigurations'])],
      [],
    ],
    // rbac-csr-approve
    [
      'approval + signer',
      [
        r(['update'], ['certificates.k8s.io'], ['certificatesigningrequests/approval']),
        r(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client']),
      ],
      ['rbac-csr-approve'],
    ],
    [
      'approval without signer',
      [r(['update'], ['certificates.k8s.io'], ['certificatesigningrequests/approval'])],
      [],
    ],
    // rbac-wildcard and everything it implies
    [
      'cluster-admin-like',
      [r(['*'], ['*'], ['*'])],
      [
        'rbac-admission-write',
        'rbac-csr-approve',
        'rbac-escalate',
        'rbac-nodes-proxy',
        'rbac-pod-exec',
        'rbac-secrets-read',
        'rbac-token-create',
        'rbac-wildcard',
        'rbac-workload-create',
      ],
    ],
    ['nothing', [], []],
  ];
  it.each(cases)('%s', (_, rules, expected) => {
    expect(ids(onBinding(rules))).toEqual([...expected].sort());
  });

  it('says cluster-wide or namespace, and narrows by resourceNames', () => {
    const [cluster] = onBinding([r(['get'], [''], ['secrets'])]);
    expect(cluster?.data).toMatchObject({
      scope: 'cluster',
      namespaces: '',
      resourceNames: '',
      grants: 'get secrets',
    });
    const rb = roleBinding('shop', 'rb', 'Role', 'r', [user('bob')]) as BindingObject;
    const index = buildRbacIndex([
      role('shop', 'r', [r(['get', 'list'], [''], ['secrets'], ['db', 'api'])]),
      rb,
    ]);
    expect(bindingFindings(index, rb)[0]?.data).toMatchObject({
      scope: 'namespace',
      namespaces: 'shop',
      resourceNames: 'db, api',
      grants: 'get secrets, list secrets',
    });
  });

  it('reports anonymous subjects, with the public-info bootstrap binding exempt while it is as shipped', () => {
    const anon = clusterRoleBinding('anon', 'view', [user('system:anonymous'), group('g')]) as BindingObject;
    const findings = bindingFindings(buildRbacIndex([anon]), anon);
    expect(findings.map((f) => [f.ruleId, f.messageId, f.data['subjects'], f.exempted])).toEqual([
      ['rbac-anonymous-binding', 'anonymousBindingMissingRole', 'system:anonymous', undefined],
    ]);
    const publicInfo = (subjects: Json[]) =>
      clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', subjects) as BindingObject;
    const shippedRole = clusterRole('system:public-info-viewer', [
      { verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] },
    ]);
    const shipped = publicInfo([group('system:authenticated'), group('system:unauthenticated')]);
    expect(
      bindingFindings(buildRbacIndex([shippedRole, shipped]), shipped)[0]?.exempted?.reason.en,
    ).toContain('public on purpose');
    // A role grown beyond the shipped rules, or a subject added, voids the exemption.
    const grown = clusterRole('system:public-info-viewer', [{ verbs: ['get'], nonResourceURLs: ['*'] }]);
    expect(bindingFindings(buildRbacIndex([grown, shipped]), shipped)[0]?.exempted).toBeUndefined();
    const extra = publicInfo([group('system:unauthenticated'), user('mallory')]);
    expect(bindingFindings(buildRbacIndex([shippedRole, extra]), extra)[0]?.exempted).toBeUndefined();
  });

  it('reports cluster-admin bound to non-system subjects only; bootstrap bindings exempt', () => {
    const admin = clusterRole('cluster-admin', [
      r(['*'], ['*'], ['*']),
      { verbs: ['*'], nonResourceURLs: ['*'] },
    ]);
    const masters = clusterRoleBinding('cluster-admin', 'cluster-admin', [
      group('system:masters'),
    ]) as BindingObject;
    const mine = clusterRoleBinding('ops', 'cluster-admin', [
      group('system:masters'),
      sa('ci', 'tools'),
      group('system:authenticated'),
    ]) as BindingObject;
    const index = buildRbacIndex([admin, masters, mine]);
    expect(bindingFindings(index, masters).filter((f) => f.ruleId === 'rbac-cluster-admin-binding')).toEqual(
      [],
    );
    expect(bindingFindings(index, masters).every((f) => f.exempted?.by === 'builtin')).toBe(true);
    const ops = bindingFindings(index, mine);
    expect(ops.find((f) => f.ruleId === 'rbac-cluster-admin-binding')?.data['subjects']).toBe(
      'ServiceAccount tools/ci, Group system:authenticated',
    );
    expect(ops.every((f) => f.exempted === undefined)).toBe(true);
  });

  it('keeps the aggregated-from role in the evidence', () => {
    const index = buildRbacIndex([
      clusterRole('part', [r(['get'], [''], ['secrets'])], { labels: { agg: 'x' } }),
      clusterRole('agg', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'x' } }] } }),
    ]);
    const binding = clusterRoleBinding('b', 'agg', [user('u')]) as BindingObject;
    const [finding] = bindingFindings(buildRbacIndex([...index.clusterRoles.values(), binding]), binding);
    expect(finding?.chains[0]?.rules[0]).toMatchObject({ aggregatedFrom: 'part', ruleIndex: 0 });
    expect(describeChain(finding!.chains[0]!)).toBe(
      'ClusterRoleBinding b → ClusterRole agg (aggregated from part)',
    );
  });
});

describe('service account powers', () => {
  const objects = [
    clusterRole('read-secrets', [r(['list'], [''], ['secrets'])]),
    clusterRole('approve', [r(['update'], ['certificates.k8s.io'], ['certificatesigningrequests/approval'])]),
    clusterRole('sign', [r(['approve'], ['certificates.k8s.io'], ['signers'], ['example.com/x'])]),
    clusterRole('exec', [r(['create'], [''], ['pods/exec'])]),
    roleBinding('shop', 'ns-secrets', 'ClusterRole', 'read-secrets', [sa('web')]),
    roleBinding('other', 'other-secrets', 'ClusterRole', 'read-secrets', [sa('web', 'shop')]),
    clusterRoleBinding('all-sa-approve', 'approve', [group('system:serviceaccounts')]),
    clusterRoleBinding('shop-sign', 'sign', [group('system:serviceaccounts:shop')]),
    // A RoleBinding grants nothing on cluster-scoped signers.
    roleBinding('dev', 'dev-sign', 'ClusterRole', 'sign', [group('system:serviceaccounts:dev')]),
    clusterRoleBinding('everyone-exec', 'exec', [group('system:authenticated')]),
    clusterRoleBinding('not-me', 'read-secrets', [sa('web', 'dev'), user('web')]),
  ];
  const index = buildRbacIndex(objects);

  it('collects every binding to the account and its groups, with the chains', () => {
    const findings = serviceAccountFindings(index, 'shop', 'web');
    expect(ids(findings)).toEqual(['rbac-csr-approve', 'rbac-pod-exec', 'rbac-secrets-read']);
    const secrets = findings.find((f) => f.ruleId === 'rbac-secrets-read')!;
    expect(secrets.data).toMatchObject({
      scope: 'namespace',
      namespaces: 'shop, other',
      chain:
        'RoleBinding shop/ns-secrets → ClusterRole read-secrets; RoleBinding other/other-secrets → ClusterRole read-secrets',
    });
    expect(findings.find((f) => f.ruleId === 'rbac-csr-approve')!.data['signers']).toBe('example.com/x');
    expect(findings.find((f) => f.ruleId === 'rbac-pod-exec')!.chains[0]!.subjects).toEqual([
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:authenticated', namespace: '' },
    ]);
  });

  it('needs both halves of CSR approval, and lowers severity when no token is mounted', () => {
    const elsewhere = serviceAccountFindings(index, 'dev', 'web', { tokenMounted: false });
    expect(ids(elsewhere)).toEqual(['rbac-pod-exec', 'rbac-secrets-read']);
    expect(elsewhere.map((f) => [f.ruleId, f.severity, f.data['scope'], f.data['tokenMounted']])).toEqual([
      ['rbac-secrets-read', 'medium', 'cluster', 'no'],
      ['rbac-pod-exec', 'medium', 'cluster', 'no'],
    ]);
  });

  it('reports cluster-admin on an account bound to it through a group', () => {
    const withAdmin = buildRbacIndex([
      ...objects,
      clusterRole('cluster-admin', [r(['*'], ['*'], ['*'])]),
      parsed({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'oops' },
        subjects: [group('system:serviceaccounts:shop')],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      }),
    ]);
    const finding = serviceAccountFindings(withAdmin, 'shop', 'db').find(
      (f) => f.ruleId === 'rbac-cluster-admin-binding',
    );
    expect(finding).toMatchObject({
      messageId: 'serviceAccountClusterAdmin',
      data: { scope: 'cluster', chain: 'ClusterRoleBinding oops → ClusterRole cluster-admin' },
    });
  });
});

describe('cluster-scoped powers through a RoleBinding', () => {
  it('grants nothing on cluster-scoped resources, but namespaced ones and ClusterRole delegation count', () => {
    const everything = clusterRole('everything', [r(['*'], ['*'], ['*'])]);
    const rb = roleBinding('shop', 'rb', 'ClusterRole', 'everything', [user('bob')]) as BindingObject;
    const found = bindingFindings(buildRbacIndex([everything, rb]), rb);
    expect(ids(found)).toEqual([
      'rbac-escalate',
      'rbac-pod-exec',
      'rbac-secrets-read',
      'rbac-token-create',
      'rbac-wildcard',
      'rbac-workload-create',
    ]);
    expect(found.find((f) => f.ruleId === 'rbac-escalate')?.data['grants']).toBe(
      'escalate rbac.authorization.k8s.io/roles, bind rbac.authorization.k8s.io/roles, bind rbac.authorization.k8s.io/clusterroles, impersonate serviceaccounts',
    );
  });
});
