// Machine fixes on the real API server (issue 16): every fix of every fixable rule gives an object that
// kube-apiserver accepts (server-side dry-run), the HTML report's `kubectl patch` commands run as printed
// (on the Deployment that owns the scanned pods), and `fix --patches-out` patches applied by `kubectl
// kustomize` give manifests that scan clean for the fixed rules.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyPatch, workloadPatch, type FixSafety } from '../../src/engine/fix.ts';
import { parsePssVersion } from '../../src/engine/pss-version.ts';
import { isPodSpecRule, type Rule } from '../../src/engine/rule.ts';
import { inspectWorkload } from '../../src/engine/run.ts';
import { isApiStatus, type KubeClient } from '../../src/kube/client.ts';
import { fixCommands } from '../../src/report/fix-commands.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import { ALL_RULES } from '../../src/rules/index.ts';
import { resourcePath } from '../../src/sources/cluster.ts';
import { workloadKind } from '../../src/workloads/kinds.ts';
import { extractWorkloads, emptyExtraction } from '../../src/workloads/extract.ts';
import { repoRoot } from '../harness/controlplane.ts';
import { nestPodSpec, type NestingKind } from '../support/rule-kit.ts';
import { adminClient, createNamespace, createObject, runCli, type Obj } from './support/cluster.ts';

const kubeconfig = inject('kubePatrolKubeconfig');
let admin: KubeClient;
let namespace: string;

beforeAll(async () => {
  admin = adminClient(kubeconfig);
  namespace = await createNamespace(admin, 'fix');
});
afterAll(() => admin.close());

const FIXABLE = (ALL_RULES as readonly Rule[]).filter((r) => isPodSpecRule(r) && r.meta.fix);

const image = 'nginx:1.27';
const APPARMOR = 'container.apparmor.security.beta.kubernetes.io/';
const SECCOMP = 'container.seccomp.security.alpha.kubernetes.io/';

/** Pod specs (and pod annotations) that reach every fix of every fixable rule, safe and review ones. */
const CORPUS: { name: string; spec: Record<string, unknown>; annotations?: Record<string, string> }[] = [
  { name: 'bare', spec: { containers: [{ name: 'app', image }] } },
  {
    name: 'init and app, one with a profile',
    spec: {
      initContainers: [{ name: 'init', image: 'busybox:1.36' }],
      containers: [
        { name: 'app', image, securityContext: { seccompProfile: { type: 'RuntimeDefault' } } },
        { name: 'side', image, securityContext: { allowPrivilegeEscalation: true, runAsNonRoot: false } },
      ],
    },
  },
  {
    name: 'privileged and SYS_ADMIN',
    spec: {
      containers: [
        { name: 'priv', image, securityContext: { privileged: true } },
        {
          name: 'admin',
          image,
          securityContext: { capabilities: { add: ['SYS_ADMIN'], drop: ['all', 'NET_RAW'] } },
        },
      ],
    },
  },
  {
    name: 'legacy annotations',
    spec: {
      containers: [
        { name: 'a', image },
        { name: 'b', image },
        { name: 'c', image },
      ],
    },
    annotations: {
      'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default',
      [`${SECCOMP}b`]: 'localhost/profiles/b.json',
      [`${APPARMOR}a`]: 'runtime/default',
      [`${APPARMOR}b`]: 'localhost/k8s-b',
      [`${APPARMOR}c`]: 'unconfined',
    },
  },
  {
    name: 'root user, token on',
    spec: {
      automountServiceAccountToken: true,
      securityContext: { runAsNonRoot: false, runAsUser: 1000 },
      containers: [{ name: 'app', image, securityContext: { readOnlyRootFilesystem: false } }],
    },
  },
];

function workloadOf(object: Record<string, unknown>) {
  const extraction = extractWorkloads(object, { file: 'corpus', documentPath: [] }, emptyExtraction());
  const workload = extraction.workloads[0];
  if (!workload) throw new Error(extraction.errors.map((e) => e.message).join('; '));
  return workload;
}

function findings(object: Record<string, unknown>, rules: readonly Rule[]) {
  return inspectWorkload(workloadOf(object), {
    rules,
    version: parsePssVersion('latest'),
    now: new Date(0),
    rulePolicy: Object.fromEntries(rules.map((r) => [r.meta.id, { enabled: true }])),
  }).findings;
}

/** Server-side dry-run create: the API server's validation and admission, nothing stored. */
let dryRuns = 0;
async function dryRunCreate(object: Record<string, unknown>): Promise<string | null> {
  dryRuns++;
  const kind = workloadKind(String(object['kind']));
  if (!kind) throw new Error(`no kind ${String(object['kind'])}`);
  try {
    await admin.request('POST', resourcePath(kind, namespace), {
      query: { dryRun: 'All' },
      body: object,
    });
    return null;
  } catch (error) {
    if (isApiStatus(error, 400, 403, 409, 422)) return (error as Error).message;
    throw error;
  }
}

describe('every machine fix passes server-side dry-run', () => {
  it('for each fixable rule, each corpus pod spec in a Pod, a Deployment and a CronJob', async () => {
    const tried: Record<string, Record<FixSafety, number>> = {};
    const failures: string[] = [];
    for (const entry of CORPUS)
      for (const kind of ['Pod', 'Deployment', 'CronJob'] as NestingKind[]) {
        // Job pods must not restart Always.
        const spec = kind === 'CronJob' ? { ...entry.spec, restartPolicy: 'OnFailure' } : entry.spec;
        const object = nestPodSpec(kind, spec, entry.annotations);
        (object['metadata'] as Record<string, unknown>)['namespace'] = namespace;
        (object['metadata'] as Record<string, unknown>)['name'] = `c-${kind.toLowerCase()}`;
        const original = await dryRunCreate(object);
        expect(original, `${entry.name} in a ${kind} is valid before any fix`).toBeNull();
        for (const rule of FIXABLE) {
          const before = findings(object, [rule]);
          const patch = workloadPatch(before, { includeReview: true });
          if (!patch) continue;
          for (const f of before)
            if (f.fix) {
              tried[rule.meta.id] ??= { safe: 0, review: 0 };
              tried[rule.meta.id]![f.fix.safety]++;
            }
          const fixed = applyPatch(object, patch);
          const rejected = await dryRunCreate(fixed);
          if (rejected) failures.push(`${rule.meta.id} on ${entry.name} (${kind}): ${rejected}`);
          expect(findings(fixed, [rule]).length, `${rule.meta.id} on ${entry.name} (${kind})`).toBe(
            before.filter((f) => !f.fix).length,
          );
        }
        // Every fix of every rule together.
        const all = workloadPatch(findings(object, FIXABLE), { includeReview: true });
        if (all) {
          const rejected = await dryRunCreate(applyPatch(object, all));
          if (rejected) failures.push(`all fixes on ${entry.name} (${kind}): ${rejected}`);
        }
      }
    expect(failures).toEqual([]);
    // Each rule's fixes were tried, in the class its docs give (and both where it has both).
    for (const rule of FIXABLE)
      expect(tried[rule.meta.id]?.[rule.meta.fix!.safety] ?? 0, rule.meta.id).toBeGreaterThan(0);
    console.log(
      `${dryRuns} server-side dry-runs; fixed findings by rule and class: ${JSON.stringify(tried)}`,
    );
  }, 120_000);
});

function kubectl(args: readonly string[], input?: string) {
  return spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', input });
}

describe('the HTML report’s kubectl patch commands', () => {
  it('run as printed against the owner of the scanned pods, and the patched Deployment scans without those findings', async () => {
    const ns = await createNamespace(admin, 'fixcmd');
    const labels = { app: 'web' };
    const template = {
      metadata: { labels, annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' } },
      spec: {
        containers: [
          { name: 'app', image },
          { name: 'side', image, securityContext: { allowPrivilegeEscalation: true } },
        ],
      },
    };
    // No controller runs here: the ReplicaSet and Pod a Deployment would get are created by hand, owned.
    const deployment: Obj = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { matchLabels: labels }, template },
    };
    await createObject(admin, deployment);
    const created = (await admin.request('GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`)) as Obj;
    const owner = (o: Obj) => [
      {
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.metadata.name,
        uid: o.metadata['uid'],
        controller: true,
      },
    ];
    await createObject(admin, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-1', namespace: ns, ownerReferences: owner(created) },
      spec: { selector: { matchLabels: labels }, template },
    } as Obj);
    const replicaSet = (await admin.request(
      'GET',
      `/apis/apps/v1/namespaces/${ns}/replicasets/web-1`,
    )) as Obj;
    await createObject(admin, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-1-a',
        namespace: ns,
        labels,
        ownerReferences: owner(replicaSet),
        annotations: template.metadata.annotations,
      },
      spec: template.spec,
    } as Obj);

    const scan = () => {
      const run = runCli(['scan', '--kubeconfig', kubeconfig, '-n', ns, '-o', 'json']);
      expect(run.status, run.stderr).not.toBe(2);
      return JSON.parse(run.stdout) as InspectionReport;
    };
    const report = scan();
    const commands = fixCommands(report.findings);
    // Folded onto the Deployment: one command set, for deployments.apps web.
    expect(commands.map((c) => `${c.kind}/${c.name}`)).toEqual(['Deployment/web']);
    const [command] = commands;
    expect(command?.safe).toMatch(/^kubectl patch deployments\.apps web -n \S+ --type=strategic -p '/);
    for (const line of [command!.safe!, command!.all!]) {
      const dry = spawnSync(
        'sh',
        ['-c', `${line} --dry-run=server -o json --kubeconfig "$KUBECONFIG_FILE"`],
        {
          encoding: 'utf8',
          env: { ...process.env, KUBECONFIG_FILE: kubeconfig },
        },
      );
      expect(dry.status, dry.stderr).toBe(0);
      const patched = JSON.parse(dry.stdout) as Record<string, unknown>;
      expect(patched['kind']).toBe('Deployment');
    }
    // For real now, the safe command: the Deployment's safe findings are gone (its pod is replaced by
    // hand, as the Deployment controller would).
    const real = spawnSync('sh', ['-c', `${command!.safe!} --kubeconfig "$KUBECONFIG_FILE"`], {
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG_FILE: kubeconfig },
    });
    expect(real.status, real.stderr).toBe(0);
    await admin.request('DELETE', `/api/v1/namespaces/${ns}/pods/web-1-a`);
    await admin.request('DELETE', `/apis/apps/v1/namespaces/${ns}/replicasets/web-1`);
    const after = scan();
    expect(after.findings.filter((f) => f.fix?.safety === 'safe' && !f.exempted)).toEqual([]);
    expect(after.findings.some((f) => f.fix?.safety === 'review')).toBe(true);
  }, 60_000);
});

describe('fix --patches-out with kubectl kustomize', () => {
  it('patches that kustomize applies to the original; the result scans clean of safe fixes and passes dry-run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-kustomize-'));
    const base = join(dir, 'base');
    cpSync(join(repoRoot, 'examples'), base, { recursive: true });
    const files = readdirSync(base).filter((f) => f.endsWith('.yaml') && f !== '00-namespaces.yaml');
    writeFileSync(join(base, 'kustomization.yaml'), `resources:\n${files.map((f) => `  - ${f}\n`).join('')}`);
    const out = runCli([
      'fix',
      ...files.map((f) => join(base, f)),
      '--patches-out',
      join(dir, 'overlay', 'patches'),
      '--include-review',
    ]);
    expect(out.status, out.stderr).toBe(1);
    const patches = readdirSync(join(dir, 'overlay', 'patches')).sort();
    expect(patches).toEqual([
      'cronjob_shop_nightly-report.yaml',
      'daemonset_monitoring_node-agent.yaml',
      'deployment_shop_web.yaml',
    ]);
    writeFileSync(
      join(dir, 'overlay', 'kustomization.yaml'),
      `resources:\n  - ../base\npatches:\n${patches.map((p) => `  - path: patches/${p}\n`).join('')}`,
    );
    const rendered = spawnSync('kubectl', ['kustomize', join(dir, 'overlay')], { encoding: 'utf8' });
    expect(rendered.status, rendered.stderr).toBe(0);
    const before = runCli(['scan', base, '-o', 'json']);
    const scan = spawnSync(process.execPath, [join(repoRoot, 'src/cli/main.ts'), 'scan', '-', '-o', 'json'], {
      input: rendered.stdout,
      encoding: 'utf8',
    });
    const report = JSON.parse(scan.stdout) as InspectionReport;
    const fixable = (r: InspectionReport) => r.findings.filter((f) => f.fix && !f.exempted);
    expect(fixable(JSON.parse(before.stdout) as InspectionReport).length).toBeGreaterThan(10);
    expect(fixable(report)).toEqual([]);
    // The patched objects are valid for the API server.
    for (const ns of ['shop', 'monitoring', 'payments'])
      await createObject(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const workloads = parseAllDocuments(rendered.stdout)
      .map((d) => d.toJS() as Obj)
      .filter((o) => o?.kind && workloadKind(o.kind));
    const dry = kubectl(
      ['apply', '--dry-run=server', '-f', '-'],
      workloads.map((o) => JSON.stringify(o)).join('\n'),
    );
    expect(dry.status, dry.stderr).toBe(0);
  }, 60_000);
});
