/**
 * RBAC resolution at cluster size (docs/benchmarks.md): 2,000 roles (1,000 ClusterRoles, 50 of them
 * aggregated, and 1,000 Roles over 100 namespaces), 5,000 bindings (1,500 ClusterRoleBindings, 3,500
 * RoleBindings; users, groups and service accounts) and 10,000 workloads whose service accounts (3,000
 * distinct) get their effective powers. Prints milliseconds per stage; `node bench/rbac.ts` runs it alone.
 */
import { performance } from 'node:perf_hooks';
import { authorize, serviceAccountIdentity } from '../src/rbac/authorize.ts';
import type { RbacObject } from '../src/rbac/model.ts';
import { bindingFindings, serviceAccountFindings } from '../src/rbac/powers.ts';
import { buildRbacIndex } from '../src/rbac/rbac-index.ts';
import { parseRbacObject } from '../src/rbac/schema.ts';
import { prng, Random, GROUPS, NAMES, SUBRESOURCES, VERBS } from '../test/support/rbac-random.ts';

export interface RbacBenchResult {
  readonly roles: number;
  readonly bindings: number;
  readonly workloads: number;
  readonly serviceAccounts: number;
  readonly parseMs: number;
  readonly indexMs: number;
  readonly bindingFindingsMs: number;
  readonly bindingFindingCount: number;
  readonly workloadPowersMs: number;
  readonly workloadFindingCount: number;
  readonly authorizePerSecond: number;
}

const RBAC = 'rbac.authorization.k8s.io';
const RESOURCES = [
  'pods',
  'secrets',
  'configmaps',
  'deployments',
  'services',
  'jobs',
  'nodes',
  'roles',
  'serviceaccounts',
  '*',
];

function generate(r: Random) {
  const namespaces = Array.from({ length: 100 }, (_, i) => `ns-${i}`);
  const objects: Record<string, unknown>[] = [];
  const rule = () => ({
    verbs: r.some(VERBS.filter((v) => v !== '*').concat(r.chance(0.05) ? ['*'] : []), 4),
    apiGroups: r.some(
      GROUPS.filter((g) => g !== '*'),
      2,
    ),
    resources: r
      .some(
        RESOURCES.filter((x) => x !== '*' || r.chance(0.1)),
        4,
      )
      .map((x) => (r.chance(0.1) ? `${x === '*' ? 'pods' : x}/${r.pick(SUBRESOURCES)}` : x)),
    ...(r.chance(0.1) ? { resourceNames: r.some(NAMES, 2) } : {}),
  });
  for (let i = 0; i < 1000; i++) {
    const aggregated = i % 20 === 19;
    objects.push({
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: { name: `cr-${i}`, labels: { 'bench.example.com/agg': `a${i % 25}` } },
      rules: aggregated ? [] : Array.from({ length: 1 + r.int(8) }, rule),
      ...(aggregated
        ? {
            aggregationRule: {
              clusterRoleSelectors: [{ matchLabels: { 'bench.example.com/agg': `a${r.int(25)}` } }],
            },
          }
        : {}),
    });
  }
  for (let i = 0; i < 1000; i++)
    objects.push({
      apiVersion: `${RBAC}/v1`,
      kind: 'Role',
      metadata: { name: `role-${i % 10}`, namespace: namespaces[Math.floor(i / 10)] },
      rules: Array.from({ length: 1 + r.int(6) }, rule),
    });
  const subject = (namespace: string | null) => {
    const k = r.int(10);
    if (k < 6) {
      const ns = namespace && r.chance(0.8) ? namespace : r.pick(namespaces);
      return { kind: 'ServiceAccount', name: `sa-${r.int(30)}`, namespace: ns };
    }
    if (k < 8) return { kind: 'User', apiGroup: RBAC, name: `user-${r.int(500)}` };
    return {
      kind: 'Group',
      apiGroup: RBAC,
      name: r.chance(0.9) ? `group-${r.int(50)}` : `system:serviceaccounts:${r.pick(namespaces)}`,
    };
  };
  for (let i = 0; i < 1500; i++)
    objects.push({
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: `crb-${i}` },
      subjects: Array.from({ length: 1 + r.int(3) }, () => subject(null)),
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: `cr-${r.int(1000)}` },
    });
  for (let i = 0; i < 3500; i++) {
    const namespace = namespaces[i % 100]!;
    objects.push({
      apiVersion: `${RBAC}/v1`,
      kind: 'RoleBinding',
      metadata: { name: `rb-${i}`, namespace },
      subjects: Array.from({ length: 1 + r.int(3) }, () => subject(namespace)),
      roleRef: r.chance(0.5)
        ? { apiGroup: RBAC, kind: 'Role', name: `role-${r.int(10)}` }
        : { apiGroup: RBAC, kind: 'ClusterRole', name: `cr-${r.int(1000)}` },
    });
  }
  // 10,000 workloads over 3,000 accounts (30 per namespace), as a cluster has many workloads per account.
  const workloads = Array.from({ length: 10_000 }, (_, i) => ({
    namespace: namespaces[i % 100]!,
    serviceAccount: `sa-${r.int(30)}`,
  }));
  return { objects, workloads, namespaces };
}

export function benchRbac(seed = 20261201): RbacBenchResult {
  const { objects, workloads, namespaces } = generate(new Random(prng(seed)));
  let t = performance.now();
  const parsed: RbacObject[] = [];
  for (const raw of objects) {
    const result = parseRbacObject(raw);
    if (!result.ok) throw new Error(result.error);
    parsed.push(result.object);
  }
  const parseMs = performance.now() - t;

  t = performance.now();
  const index = buildRbacIndex(parsed);
  const indexMs = performance.now() - t;

  t = performance.now();
  let bindingFindingCount = 0;
  for (const binding of [...index.clusterRoleBindings, ...index.roleBindings])
    bindingFindingCount += bindingFindings(index, binding).length;
  const bindingFindingsMs = performance.now() - t;

  // Each workload asks for its account's powers; accounts shared by workloads are resolved once, as a
  // scan would memoise them (the figure includes that lookup for every workload).
  t = performance.now();
  const memo = new Map<string, ReturnType<typeof serviceAccountFindings>>();
  let workloadFindingCount = 0;
  for (const w of workloads) {
    const key = `${w.namespace}/${w.serviceAccount}`;
    let findings = memo.get(key);
    if (!findings) memo.set(key, (findings = serviceAccountFindings(index, w.namespace, w.serviceAccount)));
    workloadFindingCount += findings.length;
  }
  const workloadPowersMs = performance.now() - t;

  const r = new Random(prng(seed + 1));
  const questions = Array.from({ length: 50_000 }, () => ({
    who: serviceAccountIdentity(r.pick(namespaces), `sa-${r.int(30)}`),
    verb: r.pick(VERBS),
    resource: r.pick(RESOURCES),
    namespace: r.pick(namespaces),
  }));
  t = performance.now();
  for (const q of questions)
    authorize(index, q.who, {
      kind: 'resource',
      verb: q.verb,
      apiGroup: '',
      resource: q.resource,
      namespace: q.namespace,
    });
  const authorizePerSecond = Math.round(questions.length / ((performance.now() - t) / 1000));

  return {
    roles: index.roles.size + index.clusterRoles.size,
    bindings: index.clusterRoleBindings.length + index.roleBindings.length,
    workloads: workloads.length,
    serviceAccounts: memo.size,
    parseMs,
    indexMs,
    bindingFindingsMs,
    bindingFindingCount,
    workloadPowersMs,
    workloadFindingCount,
    authorizePerSecond,
  };
}

export function printRbacBench(
  result: RbacBenchResult,
  row: (label: string, value: string, extra?: string) => void,
): void {
  const ms = (n: number) => `${n.toFixed(0)} ms`.padStart(10);
  console.log(
    `\nRBAC: ${result.roles.toLocaleString('en-US')} roles, ${result.bindings.toLocaleString('en-US')} bindings, ${result.workloads.toLocaleString('en-US')} workloads over ${result.serviceAccounts.toLocaleString('en-US')} service accounts (in-process, warm)`,
  );
  row('parse (zod) all RBAC objects', ms(result.parseMs));
  row('index + aggregation', ms(result.indexMs));
  row(
    'findings of every binding',
    ms(result.bindingFindingsMs),
    `${result.bindingFindingCount.toLocaleString('en-US')} findings`,
  );
  row(
    "powers of every workload's service account",
    ms(result.workloadPowersMs),
    `${result.workloadFindingCount.toLocaleString('en-US')} findings`,
  );
  row(
    'total resolution',
    ms(result.parseMs + result.indexMs + result.bindingFindingsMs + result.workloadPowersMs),
  );
  row('authorize (random questions)', `${result.authorizePerSecond.toLocaleString('en-US')} /s`.padStart(10));
}

if (import.meta.main) {
  const runs = Number(process.env['BENCH_RUNS'] ?? 3);
  const results = Array.from({ length: runs }, () => benchRbac());
  const median = (pick: (r: RbacBenchResult) => number) =>
    results.map(pick).sort((a, b) => a - b)[Math.floor(runs / 2)]!;
  const first = results[0]!;
  printRbacBench(
    {
      ...first,
      parseMs: median((r) => r.parseMs),
      indexMs: median((r) => r.indexMs),
      bindingFindingsMs: median((r) => r.bindingFindingsMs),
      workloadPowersMs: median((r) => r.workloadPowersMs),
      authorizePerSecond: median((r) => r.authorizePerSecond),
    },
    (label, value, extra = '') => console.log(`  ${label.padEnd(44)}${value}${extra ? `   ${extra}` : ''}`),
  );
  console.log(`(medians of ${runs} runs)`);
}
