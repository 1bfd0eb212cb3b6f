/**
 * Differential test of kube-patrol's RBAC authorizer (src/rbac) against the API server's own: random
 * Roles, ClusterRoles (some aggregated), RoleBindings and ClusterRoleBindings are applied to the test
 * control plane; then, for thousands of random (subject, verb, resource/subresource, name, namespace or
 * non-resource path) questions, `authorize` over the server's RBAC objects (the built-in bootstrap roles
 * and bindings included) must give the SubjectAccessReview's answer, every time.
 *
 * Aggregation: no controller-manager runs on the test control plane, so this test plays the
 * clusterrole-aggregation controller itself, with the API server's own label-selector evaluation
 * (`?labelSelector=`) choosing the selected roles and the controller's union (name order, equal rules
 * once) written into each aggregated ClusterRole, the built-in admin/edit/view included. kube-patrol
 * computes the same from the objects as they were before that (as it does for manifest files); the
 * test checks both agree role by role, and the authorizer is then compared on kube-patrol's result.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect, isApiStatus, type KubeClient } from '../../src/kube/client.ts';
import { authorize } from '../../src/rbac/authorize.ts';
import type { LabelSelector, RbacObject, RoleObject } from '../../src/rbac/model.ts';
import { buildRbacIndex } from '../../src/rbac/rbac-index.ts';
import { sameRule } from '../../src/rbac/rule-match.ts';
import { parseRbacObject } from '../../src/rbac/schema.ts';
import { createMany, createNamespace, type Obj } from './support/cluster.ts';
import { prng, Random, randomQuestion, randomWorld, type Question } from '../support/rbac-random.ts';

const QUESTIONS = Number(process.env.RBAC_DIFF_QUESTIONS ?? 6000);
const SEED = Number(process.env.RBAC_DIFF_SEED ?? 20261201);
const RBAC_PATH = '/apis/rbac.authorization.k8s.io/v1';
const KINDS = [
  { kind: 'ClusterRole', resource: 'clusterroles' },
  { kind: 'ClusterRoleBinding', resource: 'clusterrolebindings' },
  { kind: 'Role', resource: 'roles' },
  { kind: 'RoleBinding', resource: 'rolebindings' },
] as const;

let admin: KubeClient;

beforeAll(() => {
  // SubjectAccessReviews are cheap for the server; the rate limit only keeps the test polite.
  admin = connect({ kubeconfig: inject('kubePatrolKubeconfig'), qps: 800, burst: 800 });
});
afterAll(() => admin?.close());

async function listRbac(): Promise<RbacObject[]> {
  const objects: RbacObject[] = [];
  for (const { kind, resource } of KINDS) {
    const list = await admin.request<{ items: Record<string, unknown>[] }>('GET', `${RBAC_PATH}/${resource}`);
    for (const item of list.items) {
      // List items come without apiVersion and kind.
      const parsed = parseRbacObject({ ...item, apiVersion: 'rbac.authorization.k8s.io/v1', kind });
      if (!parsed.ok) throw new Error(parsed.error);
      objects.push(parsed.object);
    }
  }
  return objects;
}

/** The `labelSelector` query string of a metav1.LabelSelector (the API server parses it back). */
function selectorQuery(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const { key, operator, values } of selector.matchExpressions) {
    if (operator === 'In') parts.push(`${key} in (${values.join(',')})`);
    else if (operator === 'NotIn') parts.push(`${key} notin (${values.join(',')})`);
    else if (operator === 'Exists') parts.push(key);
    else if (operator === 'DoesNotExist') parts.push(`!${key}`);
    else throw new Error(`unexpected operator ${operator}`);
  }
  return parts.join(',');
}

type ServerRole = {
  metadata: { name: string };
  rules?: Record<string, unknown>[] | null;
  aggregationRule?: unknown;
};

function rulesOf(role: ServerRole): RoleObject['rules'] {
  const parsed = parseRbacObject({
    ...role,
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return (parsed.object as RoleObject).rules;
}

/**
 * One pass of the clusterrole-aggregation controller over every aggregated ClusterRole in name order,
 * with the server selecting; returns how many roles it rewrote.
 */
async function aggregationPass(aggregated: readonly RoleObject[]): Promise<number> {
  let written = 0;
  for (const role of aggregated) {
    const rules: Record<string, unknown>[] = [];
    const parsedRules: RoleObject['rules'][number][] = [];
    for (const selector of role.aggregationRule!.clusterRoleSelectors) {
      const list = await admin.request<{ items: ServerRole[] }>('GET', `${RBAC_PATH}/clusterroles`, {
        query: { labelSelector: selectorQuery(selector) },
      });
      const selected = list.items
        .filter((item) => item.metadata.name !== role.name)
        .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
      for (const item of selected) {
        const parsed = rulesOf(item);
        (item.rules ?? []).forEach((raw, i) => {
          if (parsedRules.some((r) => sameRule(r, parsed[i]!))) return;
          parsedRules.push(parsed[i]!);
          rules.push(raw);
        });
      }
    }
    const current = await admin.request<ServerRole>('GET', `${RBAC_PATH}/clusterroles/${role.name}`);
    const currentRules = rulesOf(current);
    if (
      currentRules.length === parsedRules.length &&
      currentRules.every((r, i) => sameRule(r, parsedRules[i]!))
    )
      continue;
    await admin.request('PUT', `${RBAC_PATH}/clusterroles/${role.name}`, { body: { ...current, rules } });
    written++;
  }
  return written;
}

const RESOURCE_OF: Record<string, string> = {
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  Role: 'roles',
  RoleBinding: 'rolebindings',
};

async function removeAll(objects: readonly Obj[], restoreRules: ReadonlyMap<string, RoleObject['rules']>) {
  const problems: string[] = [];
  await mapConcurrent(objects, 16, async (object) => {
    const { namespace, name } = object.metadata;
    const path = `${RBAC_PATH}/${namespace ? `namespaces/${namespace}/` : ''}${RESOURCE_OF[object.kind]}/${encodeURIComponent(name)}`;
    await admin.request('DELETE', path).catch((error: unknown) => {
      if (!isApiStatus(error, 404)) problems.push(`${object.kind} ${name}: ${(error as Error).message}`);
    });
  });
  for (const [name, rules] of restoreRules) {
    const current = await admin.request<ServerRole>(
      'GET',
      `${RBAC_PATH}/clusterroles/${encodeURIComponent(name)}`,
    );
    await admin.request('PUT', `${RBAC_PATH}/clusterroles/${encodeURIComponent(name)}`, {
      body: { ...current, rules },
    });
  }
  if (problems.length) throw new Error(`cleaning up: ${problems.join('; ')}`);
}

async function subjectAccessReview(question: Question): Promise<boolean> {
  const spec: Record<string, unknown> = { user: question.user, groups: question.groups };
  if (question.resource) {
    const { verb, group, resource, subresource, name, namespace } = question.resource;
    spec['resourceAttributes'] = { verb, group, resource, subresource, name, namespace };
  } else spec['nonResourceAttributes'] = question.nonResource;
  const review = await admin.request<{ status?: { allowed?: boolean } }>(
    'POST',
    '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    { body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec } },
  );
  return review.status?.allowed === true;
}

async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

describe('RBAC authorizer against the API server (SubjectAccessReview)', () => {
  it(`agrees on ${QUESTIONS} random questions`, async () => {
    const started = Date.now();
    const tag = `rd${randomUUID().slice(0, 6)}`;
    const random = new Random(prng(SEED));
    const namespaces = [
      await createNamespace(admin, `${tag}-a`),
      await createNamespace(admin, `${tag}-b`),
      await createNamespace(admin, `${tag}-c`),
    ];
    const world = randomWorld(random, tag, namespaces);
    // The control plane is shared by every integration test file: whatever this test writes (bindings
    // to system:authenticated and system:serviceaccounts among them) is removed again, and the built-in
    // aggregated roles get back the rules they had.
    const created: Obj[] = [];
    const restoreRules = new Map<string, RoleObject['rules']>();
    try {
      created.push(
        ...([
          ...world.clusterRoles,
          ...world.roles,
          ...world.clusterRoleBindings,
          ...world.roleBindings,
        ] as Obj[]),
      );
      await createMany(admin, [...world.clusterRoles, ...world.roles] as Obj[]);
      await createMany(admin, [...world.clusterRoleBindings, ...world.roleBindings] as Obj[]);

      // kube-patrol's view: the server's objects as listed now, aggregation computed by kube-patrol.
      const listed = await listRbac();
      const sentinel = `${tag}-sentinel`;
      const sentinels = [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: sentinel },
          rules: [{ verbs: ['get'], apiGroups: [sentinel], resources: ['cluster'] }],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: sentinel, namespace: namespaces[0]! },
          rules: [{ verbs: ['get'], apiGroups: [sentinel], resources: ['namespace'] }],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: sentinel },
          subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: sentinel }],
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: sentinel },
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: sentinel, namespace: namespaces[0]! },
          subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: sentinel }],
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sentinel },
        },
      ];
      const index = buildRbacIndex([
        ...listed,
        ...sentinels.map((s) => {
          const parsed = parseRbacObject(s);
          if (!parsed.ok) throw new Error(parsed.error);
          return parsed.object;
        }),
      ]);
      expect(index.problems).toEqual([]);

      // The test as the aggregation controller, until a pass changes nothing.
      const aggregated = listed
        .filter(
          (o): o is RoleObject => o.kind === 'ClusterRole' && (o as RoleObject).aggregationRule !== null,
        )
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      expect(aggregated.filter((r) => r.name.startsWith(tag)).length).toBeGreaterThanOrEqual(5);
      for (const role of aggregated) if (!role.name.startsWith(tag)) restoreRules.set(role.name, role.rules);
      let passes = 0;
      while ((await aggregationPass(aggregated)) > 0) {
        passes++;
        expect(passes, 'aggregation does not settle').toBeLessThan(aggregated.length + 2);
      }
      const afterAggregation = new Map(
        (await listRbac())
          .filter((o): o is RoleObject => o.kind === 'ClusterRole')
          .map((o) => [o.name, o.rules]),
      );
      let aggregatedRules = 0;
      for (const role of aggregated) {
        const ours = index.clusterRoleRules.get(role.name)!.map((r) => r.rule);
        const theirs = afterAggregation.get(role.name)!;
        aggregatedRules += theirs.length;
        expect(ours, `aggregated rules of ClusterRole ${role.name}`).toEqual(theirs);
      }

      // Informers catch up in resource-version order, kind by kind: once the sentinels (written last) are
      // visible to the authorizer, so is everything before them.
      created.push(...(sentinels as Obj[]));
      await createMany(admin, sentinels as Obj[], 1);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const sees = (resource: string, namespace: string) =>
          subjectAccessReview({
            user: sentinel,
            groups: [],
            resource: { verb: 'get', group: sentinel, resource, subresource: '', name: '', namespace },
          });
        const [cluster, namespaced] = await Promise.all([
          sees('cluster', ''),
          sees('namespace', namespaces[0]!),
        ]);
        if (cluster && namespaced) break;
        if (Date.now() > deadline)
          throw new Error('the authorizer did not see the sentinel objects within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      const questions = Array.from({ length: QUESTIONS }, () => randomQuestion(random, world));
      const answers = await mapConcurrent(questions, 16, subjectAccessReview);
      const mismatches: string[] = [];
      let allowed = 0;
      let disagreements = 0;
      questions.forEach((question, i) => {
        const theirs = answers[i]!;
        const decision = authorize(
          index,
          { user: question.user, groups: question.groups },
          question.resource
            ? {
                kind: 'resource',
                verb: question.resource.verb,
                apiGroup: question.resource.group,
                resource: question.resource.resource,
                subresource: question.resource.subresource,
                name: question.resource.name,
                namespace: question.resource.namespace,
              }
            : { kind: 'nonResource', verb: question.nonResource!.verb, path: question.nonResource!.path },
        );
        if (theirs) allowed++;
        if (decision.allowed !== theirs && disagreements++ < 10) {
          const via = decision.grant
            ? ` via ${decision.grant.binding.kind} ${decision.grant.binding.namespace ?? ''}/${decision.grant.binding.name} → ${decision.grant.role.kind} ${decision.grant.role.name} rule ${JSON.stringify(decision.grant.rule.rule)}`
            : '';
          mismatches.push(
            `server ${theirs ? 'allows' : 'does not allow'}, kube-patrol ${decision.allowed ? 'allows' : 'does not'}${via}: ${JSON.stringify(question)}`,
          );
        }
      });
      console.log(
        `rbac-differential: ${questions.length} questions compared, ${questions.length - disagreements} agree (${(((questions.length - disagreements) / questions.length) * 100).toFixed(2)}%), ${allowed} allowed by the server; ` +
          `${listed.length} RBAC objects on the server (${index.clusterRoleBindings.length} ClusterRoleBindings, ${index.roleBindings.length} RoleBindings), ` +
          `${aggregated.length} aggregated ClusterRoles (${aggregatedRules} rules) settled in ${passes} passes; ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      // Both answers must be well represented, or agreement says little.
      expect(allowed).toBeGreaterThan(questions.length / 10);
      expect(questions.length - allowed).toBeGreaterThan(questions.length / 10);
      expect(disagreements, mismatches.join('\n')).toBe(0);
    } finally {
      await removeAll(created, restoreRules);
    }
  }, 300_000);
});
