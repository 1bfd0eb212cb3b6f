import { describe, expect, it } from 'vitest';
import {
  clusterRole,
  clusterRoleBinding,
  group,
  role,
  roleBinding,
  sa,
  user,
} from '../../test/support/rbac-objects.ts';
import { authorize, serviceAccountIdentity } from './authorize.ts';
import { compileSelector } from './label-selector.ts';
import type { Attributes, PolicyRule, RbacObject } from './model.ts';
import { buildRbacIndex } from './rbac-index.ts';
import { nonResourceURLMatches, resourceMatches } from './rule-match.ts';
import { parseRbacObject } from './schema.ts';

const rule = (r: Partial<PolicyRule>): PolicyRule => ({
  verbs: [],
  apiGroups: [],
  resources: [],
  resourceNames: [],
  nonResourceURLs: [],
  ...r,
});

describe('parseRbacObject', () => {
  it('normalises absent and null lists, defaults the namespace of a namespaced object', () => {
    const result = parseRbacObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'rb' },
      subjects: null,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
    });
    expect(result).toMatchObject({
      ok: true,
      object: { namespace: 'default', namespaceDefaulted: true, subjects: [] },
    });
    const cr = parseRbacObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'c', namespace: 'ignored' },
      rules: [{ verbs: ['get'], resources: null }],
    });
    expect(cr).toMatchObject({ ok: true, object: { namespace: null, aggregationRule: null } });
    if (cr.ok && cr.object.kind === 'ClusterRole')
      expect(cr.object.rules).toEqual([rule({ verbs: ['get'] })]);
  });

  it.each([
    [
      { kind: 'Role', metadata: { name: 'r', namespace: 'ns' }, rules: [{ resources: ['pods'] }] },
      'Role ns/r: rules.0.verbs',
    ],
    [{ kind: 'ClusterRole', metadata: {}, rules: [] }, 'ClusterRole <no name>: metadata.name'],
    [
      { kind: 'ClusterRoleBinding', metadata: { name: 'b' }, subjects: [{ kind: 'User' }] },
      'ClusterRoleBinding b: subjects.0.name',
    ],
    [
      { kind: 'RoleBinding', metadata: { name: 'b', namespace: 'x' }, subjects: 'nobody' },
      'RoleBinding x/b: subjects',
    ],
    [
      { kind: 'ClusterRole', metadata: { name: 'c' }, rules: [{ verbs: 'get' }] },
      'ClusterRole c: rules.0.verbs',
    ],
  ])('names the object and the field of a bad object: %j', (raw, message) => {
    const result = parseRbacObject({ apiVersion: 'rbac.authorization.k8s.io/v1', ...raw });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });

  it('refuses API versions the server no longer serves', () => {
    const result = parseRbacObject({
      apiVersion: 'rbac.authorization.k8s.io/v1beta1',
      kind: 'Role',
      metadata: { name: 'r' },
    });
    expect(result).toMatchObject({
      ok: false,
      error: expect.stringContaining('v1beta1 is no longer served'),
    });
  });

  it('never throws on hostile input', () => {
    for (const raw of [
      null,
      3,
      'x',
      [],
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: null },
    ])
      expect(parseRbacObject(raw).ok).toBe(false);
  });
});

describe('rule matching (upstream evaluation helpers)', () => {
  it.each([
    [['*'], 'pods', 'exec', true],
    [['pods'], 'pods', '', true],
    [['pods'], 'pods', 'exec', false],
    [['pods/exec'], 'pods', 'exec', true],
    [['*/exec'], 'pods', 'exec', true],
    [['*/exec'], 'pods', '', false],
    [['*/*'], 'pods', 'exec', false],
    [['*/*'], 'pods', '*', true],
    [['pods/*'], 'pods', 'exec', false],
    [['*/exe'], 'pods', 'exec', false],
  ])('resources %j vs %s/%s → %s', (resources, resource, subresource, expected) => {
    expect(resourceMatches(rule({ resources }), resource, subresource)).toBe(expected);
  });

  it.each([
    ['/apis*', '/apisx', true],
    ['/apis*', '/api', false],
    ['/logs/**', '/logs/a/b', true],
    ['/logs/**', '/logs', false],
    ['/healthz', '/healthz/etcd', false],
    ['*', '/anything', true],
    ['/*', '/', true],
  ])('nonResourceURL %s vs %s → %s', (url, path, expected) => {
    expect(nonResourceURLMatches(rule({ nonResourceURLs: [url] }), path)).toBe(expected);
  });
});

describe('label selectors', () => {
  const sel = (
    matchLabels: Record<string, string>,
    matchExpressions: { key: string; operator: string; values?: string[] }[] = [],
  ) =>
    compileSelector({
      matchLabels,
      matchExpressions: matchExpressions.map((e) => ({ ...e, values: e.values ?? [] })),
    });

  it('evaluates every operator as metav1.LabelSelector does', () => {
    const check = (s: ReturnType<typeof sel>, labels: Record<string, string>) =>
      s.ok ? s.matches(labels) : 'error';
    expect(check(sel({}), {})).toBe(true);
    expect(check(sel({ a: '1' }), { a: '1', b: '2' })).toBe(true);
    expect(check(sel({ a: '1' }), { a: '2' })).toBe(false);
    expect(check(sel({}, [{ key: 'a', operator: 'In', values: ['1', '2'] }]), { a: '2' })).toBe(true);
    expect(check(sel({}, [{ key: 'a', operator: 'In', values: ['1'] }]), {})).toBe(false);
    expect(check(sel({}, [{ key: 'a', operator: 'NotIn', values: ['1'] }]), {})).toBe(true);
    expect(check(sel({}, [{ key: 'a', operator: 'NotIn', values: ['1'] }]), { a: '1' })).toBe(false);
    expect(check(sel({}, [{ key: 'a', operator: 'Exists' }]), { a: '' })).toBe(true);
    expect(check(sel({}, [{ key: 'a', operator: 'DoesNotExist' }]), { a: '' })).toBe(false);
  });

  it.each([
    [{}, [{ key: 'a', operator: 'In' }]],
    [{}, [{ key: 'a', operator: 'Exists', values: ['x'] }]],
    [{}, [{ key: 'a', operator: 'in', values: ['x'] }]],
    [{ 'bad key!': 'x' }, []],
    [{ a: 'bad value!' }, []],
  ])('refuses an invalid selector %j %j', (matchLabels, expressions) => {
    expect(sel(matchLabels, expressions).ok).toBe(false);
  });
});

function decide(
  objects: RbacObject[],
  who: { user: string; groups?: readonly string[] },
  attributes: Attributes,
): boolean {
  return authorize(buildRbacIndex(objects), { user: who.user, groups: who.groups ?? [] }, attributes).allowed;
}
const get = (
  resource: string,
  namespace = '',
  extra: Partial<Attributes & { kind: 'resource' }> = {},
): Attributes => ({
  kind: 'resource',
  verb: 'get',
  apiGroup: '',
  resource,
  namespace,
  ...extra,
});

describe('authorize', () => {
  const readPods = clusterRole('read-pods', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]);

  it('scopes a RoleBinding to a ClusterRole to the binding namespace', () => {
    const objects = [readPods, roleBinding('shop', 'rb', 'ClusterRole', 'read-pods', [user('alice')])];
    expect(decide(objects, { user: 'alice' }, get('pods', 'shop'))).toBe(true);
    expect(decide(objects, { user: 'alice' }, get('pods', 'other'))).toBe(false);
    expect(decide(objects, { user: 'alice' }, get('pods', ''))).toBe(false);
  });

  it('matches a RoleBinding ServiceAccount subject without namespace in the binding namespace only', () => {
    const objects = [readPods, roleBinding('shop', 'rb', 'ClusterRole', 'read-pods', [sa('web')])];
    const web = (ns: string) => serviceAccountIdentity(ns, 'web');
    expect(decide(objects, web('shop'), get('pods', 'shop'))).toBe(true);
    expect(decide(objects, web('other'), get('pods', 'shop'))).toBe(false);
  });

  it('never matches a ClusterRoleBinding ServiceAccount subject without namespace, nor a ClusterRoleBinding to a Role', () => {
    const objects = [
      readPods,
      role('shop', 'r', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]),
      clusterRoleBinding('crb', 'read-pods', [sa('web')]),
      clusterRoleBinding('crb-role', 'r', [user('bob')], 'Role'),
    ];
    expect(decide(objects, serviceAccountIdentity('default', 'web'), get('pods', 'default'))).toBe(false);
    expect(decide(objects, { user: 'bob' }, get('pods', 'shop'))).toBe(false);
  });

  it('matches a User subject named like a service account, and groups by membership', () => {
    const objects = [
      readPods,
      clusterRoleBinding('crb', 'read-pods', [user('system:serviceaccount:shop:web')]),
      clusterRoleBinding('crb2', 'read-pods', [group('system:serviceaccounts:ops')]),
    ];
    expect(decide(objects, serviceAccountIdentity('shop', 'web'), get('pods'))).toBe(true);
    expect(decide(objects, serviceAccountIdentity('ops', 'x'), get('pods'))).toBe(true);
    expect(decide(objects, serviceAccountIdentity('dev', 'x'), get('pods'))).toBe(false);
  });

  it('narrows with resourceNames: a request without a name never matches', () => {
    const objects = [
      clusterRole('one', [
        { verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] },
      ]),
      clusterRoleBinding('crb', 'one', [user('u')]),
    ];
    expect(decide(objects, { user: 'u' }, get('secrets', 'x', { name: 'a' }))).toBe(true);
    expect(decide(objects, { user: 'u' }, get('secrets', 'x', { name: 'b' }))).toBe(false);
    expect(decide(objects, { user: 'u' }, get('secrets', 'x', { verb: 'list' }))).toBe(false);
  });

  it('decides non-resource requests by ClusterRoleBindings only', () => {
    const objects = [
      clusterRole('health', [{ verbs: ['get'], nonResourceURLs: ['/healthz/*'] }]),
      clusterRoleBinding('crb', 'health', [group('g')]),
      roleBinding('ns', 'rb', 'ClusterRole', 'health', [user('u')]),
    ];
    const path = (p: string): Attributes => ({ kind: 'nonResource', verb: 'get', path: p });
    expect(decide(objects, { user: 'x', groups: ['g'] }, path('/healthz/etcd'))).toBe(true);
    expect(decide(objects, { user: 'u' }, path('/healthz/etcd'))).toBe(false);
  });

  it('grants nothing through a binding to a role that does not exist, and says which rule allowed', () => {
    const index = buildRbacIndex([
      readPods,
      clusterRoleBinding('dangling', 'nope', [user('u')]),
      clusterRoleBinding('crb', 'read-pods', [user('u')]),
    ]);
    const decision = authorize(index, { user: 'u', groups: [] }, get('pods'));
    expect(decision.grant?.binding.name).toBe('crb');
    expect(decision.grant?.rule.index).toBe(0);
    expect(authorize(index, { user: 'u', groups: [] }, get('secrets')).allowed).toBe(false);
  });
});

describe('aggregation', () => {
  const sel = (labels: Record<string, string>) => ({ clusterRoleSelectors: [{ matchLabels: labels }] });

  it('unions the selected roles in name order, once per equal rule, leaving the role itself out; chains settle', () => {
    const a = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
    const b = { verbs: ['list'], apiGroups: [''], resources: ['pods'] };
    const index = buildRbacIndex([
      clusterRole('z-part', [b, a], { labels: { agg: 'x' } }),
      clusterRole('a-part', [a], { labels: { agg: 'x' } }),
      // An aggregated role that is itself selected by another, and selects itself.
      clusterRole('m-agg', [{ verbs: ['stale'], apiGroups: [''], resources: ['x'] }], {
        labels: { agg: 'x', top: 'y' },
        aggregationRule: sel({ agg: 'x' }),
      }),
      clusterRole('b-top', [], { aggregationRule: sel({ top: 'y' }) }),
    ]);
    const rules = (name: string) =>
      index.clusterRoleRules.get(name)!.map((r) => [r.rule.verbs[0], r.aggregatedFrom]);
    expect(rules('m-agg')).toEqual([
      ['get', 'a-part'],
      ['list', 'z-part'],
    ]);
    expect(rules('b-top')).toEqual([
      ['get', 'a-part'],
      ['list', 'z-part'],
    ]);
    expect(index.problems).toEqual([]);
  });

  it('keeps the written rules of a role whose selector is invalid, and says so', () => {
    const index = buildRbacIndex([
      clusterRole('agg', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], {
        aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In' }] }] },
      }),
    ]);
    expect(index.clusterRoleRules.get('agg')).toHaveLength(1);
    expect(index.problems).toEqual([
      { source: 'ClusterRole agg', message: expect.stringContaining('needs values') },
    ]);
  });

  it('empties a role with an aggregationRule and no selectors, as the controller does', () => {
    const index = buildRbacIndex([
      clusterRole('agg', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], {
        aggregationRule: { clusterRoleSelectors: [] },
      }),
    ]);
    expect(index.clusterRoleRules.get('agg')).toEqual([]);
  });
});
