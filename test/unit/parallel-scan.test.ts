/**
 * Scans in worker threads give the report of a single-threaded scan, byte for byte in every output
 * format: real files (generated workloads, RBAC objects spread over files, broken files of every kind),
 * real worker threads started from the sources' worker entry.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generateWorkloads, toYamlFiles } from '../../bench/generate.ts';
import type { ConfigFile } from '../../src/config/schema.ts';
import { createRegistry } from '../../src/engine/registry.ts';
import { AUTO_WORKERS_MIN_BYTES, partitionByBytes, planWorkers } from '../../src/pipeline/parallel-scan.ts';
import { scanManifests, type ManifestScan } from '../../src/pipeline/scan-manifests.ts';
import { resolveSettings, type SettingsFlags } from '../../src/pipeline/settings.ts';
import { objectKindsToRead } from '../../src/pipeline/subjects.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import { OUTPUT_FORMATS, renderReport, type OutputFormat } from '../../src/report/render/index.ts';
import { ALL_RULES } from '../../src/rules/index.ts';
import { scanWorkerEntry } from '../../src/cli/workers.ts';

const REGISTRY = createRegistry(ALL_RULES);
const NOW = new Date('2026-06-01T00:00:00Z');
const ENTRY = scanWorkerEntry();
const MAX_FILE_BYTES = 256 * 1024;

const rbacApi = 'rbac.authorization.k8s.io/v1';
const docs = (...objects: unknown[]) => objects.map((o) => stringify(o)).join('---\n');

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kp-parallel-'));
  const dir = join(root, 'input');
  await mkdir(join(dir, 'nested', 'deeper'), { recursive: true });
  // 1,200 generated workloads in files of uneven size, so shares of bytes differ from shares of files.
  const workloads = generateWorkloads(600, 7);
  let at = 0;
  let file = 0;
  for (const size of [1, 3, 120, 20, 7, 200, 2, 45, 75, 30, 97]) {
    const [text] = toYamlFiles(workloads.slice(at, at + size), size);
    at += size;
    const where = file % 3 === 0 ? join(dir, 'nested') : file % 5 === 0 ? join(dir, 'nested', 'deeper') : dir;
    await writeFile(join(where, `gen-${String(file++).padStart(2, '0')}.yaml`), text as string);
  }
  // Namespaces at both ends of the file order (so one is read by a worker): their rule runs after every
  // workload, on the thread that assembles the report, and its findings keep the line they point at.
  const namespace = (name: string, labels?: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, ...(labels ? { labels } : {}) },
  });
  await writeFile(
    join(dir, 'a-namespaces.yaml'),
    docs(namespace('team-1'), namespace('team-2', { owner: 'a' })),
  );
  await writeFile(
    join(dir, 'nested', 'deeper', 'zz-namespaces.yaml'),
    docs(namespace('team-3', { owner: 'b' }), namespace('team-4')),
  );
  // RBAC: the binding, the role and the account in different files, the workloads using it in another,
  // so facts cross from one worker's files to another's.
  await writeFile(
    join(dir, 'a-role.yaml'),
    docs({
      apiVersion: rbacApi,
      kind: 'Role',
      metadata: { name: 'secret-reader', namespace: 'team' },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
    }),
  );
  await writeFile(
    join(dir, 'nested', 'deeper', 'z-bindings.yaml'),
    docs(
      {
        apiVersion: rbacApi,
        kind: 'RoleBinding',
        metadata: { name: 'read-secrets', namespace: 'team' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'builder', namespace: 'team' }],
      },
      {
        apiVersion: rbacApi,
        kind: 'ClusterRoleBinding',
        metadata: { name: 'builder-admin' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'team' }],
      },
      {
        apiVersion: rbacApi,
        kind: 'ClusterRole',
        metadata: { name: 'cluster-admin' },
        rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
      },
    ),
  );
  await writeFile(
    join(dir, 'm-accounts.yaml'),
    docs(
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: 'team' } },
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'deployer', namespace: 'team' },
        automountServiceAccountToken: false,
      },
    ),
  );
  const pod = (name: string, serviceAccountName: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'team' },
    spec: { serviceAccountName, containers: [{ name: 'c', image: 'busybox:1.36' }] },
  });
  await writeFile(
    join(dir, 'nested', 'b-uses.yaml'),
    docs(pod('build', 'builder'), pod('deploy', 'deployer')),
  );
  await writeFile(
    join(dir, 'seccomp.yaml'),
    docs({
      apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1',
      kind: 'SeccompProfile',
      metadata: { name: 'strict', namespace: 'team' },
      spec: { defaultAction: 'SCMP_ACT_ALLOW' },
    }),
  );
  // Broken input of every kind, each named in the errors in file order.
  await writeFile(join(dir, 'bad-yaml.yaml'), 'kind: Pod\nmetadata: {name: [oops\n');
  await writeFile(join(dir, 'bad-second-doc.yaml'), `${docs(pod('fine', 'default'))}---\n: : [\n`);
  await writeFile(join(dir, 'binary.yaml'), Buffer.from([0x6b, 0x00, 0x01, 0x02]));
  await writeFile(join(dir, 'latin1.yaml'), Buffer.from([0x6b, 0x3a, 0x20, 0xe9, 0x0a]));
  await writeFile(join(dir, 'scalar.yaml'), '42\n');
  await writeFile(join(dir, 'empty.yaml'), '');
  await writeFile(join(dir, 'too-large.yaml'), `# ${'x'.repeat(MAX_FILE_BYTES)}\n`);
  await writeFile(
    join(dir, 'wrong-types.json'),
    '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"w"},"spec":{"containers":"x"}}',
  );
  await writeFile(
    join(dir, 'list.yaml'),
    stringify({ apiVersion: 'v1', kind: 'List', items: [pod('in-list', 'default'), { kind: 'ConfigMap' }] }),
  );
  // One object over the per-object cap of findings (a cap error, in its file's place).
  const containers = Array.from({ length: 700 }, (_, i) => ({
    name: `c${i}`,
    image: 'nginx',
    securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN', 'NET_ADMIN'] } },
  }));
  await writeFile(
    join(dir, 'huge-pod.yaml'),
    stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'huge' },
      spec: { containers, hostPID: true },
    }),
  );
});

afterAll(() => rm(root, { recursive: true, force: true }));

/** Exemptions that expire on either side of the scan's clock: the workers must use the same reading. */
const CONFIG: ConfigFile = {
  exemptions: [
    { rules: ['privileged'], namespaces: ['team'], reason: 'expired', expires: new Date('2026-01-01') },
    { rules: ['run-as-non-root'], reason: 'until later', expires: new Date('2027-01-01') },
  ],
} as ConfigFile;

async function scan(
  paths: readonly string[],
  config: ConfigFile,
  flags: SettingsFlags,
  workers: number,
): Promise<ManifestScan> {
  const settings = resolveSettings(REGISTRY, config, flags, NOW);
  return scanManifests(
    paths,
    settings,
    {
      maxFileBytes: MAX_FILE_BYTES,
      toolVersion: 'test',
      ...(workers > 0
        ? { workers: { count: workers, entry: ENTRY, recipe: { config, flags, now: NOW } } }
        : {}),
    },
    () => NOW,
  );
}

/** The scan's own duration is the one field that differs from run to run. */
function timeless(report: InspectionReport): InspectionReport {
  return { ...report, metadata: { ...report.metadata, durationMs: 0 } };
}

/** YAML and the policy reports take seconds to render: compared for two workers only. */
const SLOW_FORMATS: ReadonlySet<string> = new Set(['yaml', 'openreports', 'policyreports']);

function renderings(report: InspectionReport, formats: readonly OutputFormat[] = OUTPUT_FORMATS): string[] {
  return formats.map((format) =>
    renderReport(timeless(report), format, { rules: REGISTRY.meta, baseDir: root }),
  );
}

describe('scan in worker threads', () => {
  const cases: { name: string; config: () => ConfigFile; flags: SettingsFlags; counts: number[] }[] = [
    { name: 'two passes (facts and object subjects)', config: () => CONFIG, flags: {}, counts: [1, 2, 3, 7] },
    {
      name: 'in zh-CN, PSS v1.30',
      config: () => CONFIG,
      flags: { lang: 'zh-CN', pssVersion: 'v1.30' },
      counts: [2],
    },
    {
      name: 'one pass (no rule reads facts or objects)',
      config: () =>
        ({
          ...CONFIG,
          rules: Object.fromEntries(
            ALL_RULES.filter((r) => r.meta.facts || r.meta.subject !== 'pod-spec').map((r) => [
              r.meta.id,
              'off',
            ]),
          ),
        }) as ConfigFile,
      flags: {},
      counts: [1, 2],
    },
  ];
  for (const { name, config, flags, counts } of cases) {
    it(`gives the single-threaded report byte for byte in every format: ${name}`, async () => {
      const paths = [join(root, 'input'), 'examples', join(root, 'missing.yaml')];
      const single = await scan(paths, config(), flags, 0);
      expect(single.workers).toBe(0);
      // The case is the one it says it is.
      const twoPass = objectKindsToRead(resolveSettings(REGISTRY, config(), flags, NOW)).size > 0;
      expect(twoPass).toBe(!name.startsWith('one pass'));
      // The input is what the test claims: broken files reported, RBAC and capped objects present.
      const errors = single.report.errors.map((e) => `${e.source} ${e.message}`).join('\n');
      for (const expected of [
        'bad-yaml.yaml',
        'binary',
        'UTF-8',
        'too large',
        'missing.yaml',
        'only the first',
      ])
        expect(errors).toContain(expected);
      if (twoPass) expect(single.report.objects?.length).toBeGreaterThan(0);
      if (twoPass) {
        const unenforced = single.report.findings.filter((f) => f.ruleId === 'namespace-pss-unenforced');
        const files = unenforced.map((f) => f.source?.file.split('/').pop());
        expect(files.filter((f) => f?.endsWith('-namespaces.yaml') && !f.startsWith('00'))).toEqual([
          'a-namespaces.yaml',
          'a-namespaces.yaml',
          'zz-namespaces.yaml',
          'zz-namespaces.yaml',
        ]);
        expect(single.report.podSecurity?.namespaces.length).toBeGreaterThan(0);
      }
      const expected = renderings(single.report);
      for (const workers of counts) {
        const parallel = await scan(paths, config(), flags, workers);
        expect(parallel.workers).toBe(workers);
        expect(parallel.inputErrors).toBe(single.inputErrors);
        const formats = OUTPUT_FORMATS.filter((f) => workers === 2 || !SLOW_FORMATS.has(f));
        const got = renderings(parallel.report, formats);
        got.forEach((text, i) =>
          expect(text, `${formats[i]} with ${workers} workers`).toBe(
            expected[OUTPUT_FORMATS.indexOf(formats[i]!)],
          ),
        );
      }
    }, 300_000);
  }

  it('gives the same report for inputs of one file and of fewer files than workers', async () => {
    for (const paths of [['examples/insecure-deployment.yaml'], ['examples']]) {
      const single = renderings((await scan(paths, CONFIG, {}, 0)).report);
      const parallel = await scan(paths, CONFIG, {}, 8);
      // One file stays on this thread; five files make this thread's share and four workers'.
      expect(parallel.workers).toBe(paths[0] === 'examples' ? 4 : 0);
      expect(renderings(parallel.report)).toEqual(single);
    }
  }, 60_000);

  it('keeps standard input on this thread', async () => {
    const settings = resolveSettings(REGISTRY, {}, {}, NOW);
    const result = await scanManifests(['-', 'examples'], settings, {
      readStdin: () =>
        Promise.resolve(
          'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n',
        ),
      workers: { count: 2, entry: ENTRY, recipe: { config: {}, flags: {}, now: NOW } },
    });
    expect(result.workers).toBe(0);
    expect(result.report.workloads.some((w) => w.name === 'p')).toBe(true);
  });

  it('refuses to scan when a worker resolves other rules than the scan, naming the difference', async () => {
    const settings = resolveSettings(REGISTRY, {}, {}, NOW);
    const recipe = { config: { rules: { privileged: 'off' } } as ConfigFile, flags: {}, now: NOW };
    await expect(
      scanManifests(['examples'], settings, { workers: { count: 2, entry: ENTRY, recipe } }),
    ).rejects.toThrow(
      /scan worker \d of 2 failed: the worker's rules differ from the scan's \(\d+ against \d+\)/,
    );
  });

  it('fails with the worker named when the worker module cannot start', async () => {
    const broken = join(root, 'broken-worker.mjs');
    await writeFile(broken, 'throw new Error("cannot load the rules");\n');
    const settings = resolveSettings(REGISTRY, {}, {}, NOW);
    await expect(
      scanManifests(['examples'], settings, {
        workers: { count: 2, entry: pathToFileURL(broken), recipe: { config: {}, flags: {}, now: NOW } },
      }),
    ).rejects.toThrow(/scan worker \d of 2 failed: cannot load the rules/);
  });
});

describe('planWorkers auto', () => {
  it('keeps inputs under the measured threshold on this thread and shares larger ones, one worker per further core', async () => {
    const options = { count: 'auto' as const, entry: ENTRY, recipe: { config: {}, flags: {}, now: NOW } };
    const small = [join(root, 'input', 'a-role.yaml'), join(root, 'input', 'seccomp.yaml')];
    expect(await planWorkers(small, options)).toBeUndefined();
    const big = [join(root, 'big-1.yaml'), join(root, 'big-2.yaml'), join(root, 'big-3.yaml')];
    for (const file of big) await writeFile(file, `# ${'x'.repeat(Math.ceil(AUTO_WORKERS_MIN_BYTES / 3))}\n`);
    const plan = await planWorkers(big, options);
    if (availableParallelism() < 2) expect(plan).toBeUndefined();
    else expect(plan?.shares.length).toBe(Math.min(availableParallelism(), big.length));
    // Standard input among the files keeps the scan on this thread, and so does 0.
    expect(await planWorkers([...big, '-'], options)).toBeUndefined();
    expect(await planWorkers(big, { ...options, count: 0 })).toBeUndefined();
  });
});

describe('partitionByBytes', () => {
  it('splits files into n non-empty runs of consecutive files, in order, of about equal bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 16 }),
        (sizes, wanted) => {
          const n = Math.min(wanted, sizes.length);
          const files = sizes.map((_, i) => `f${i}`);
          const shares = partitionByBytes(files, sizes, n);
          expect(shares).toHaveLength(n);
          expect(shares.flat()).toEqual(files);
          for (const share of shares) expect(share.length).toBeGreaterThan(0);
          // No share exceeds its fair part by more than its largest file.
          const total = sizes.reduce((a, b) => a + b, 0);
          const largest = Math.max(...sizes);
          let at = 0;
          for (const share of shares) {
            const bytes = sizes.slice(at, at + share.length).reduce((a, b) => a + b, 0);
            at += share.length;
            expect(bytes).toBeLessThanOrEqual(total / n + 2 * largest);
          }
        },
      ),
    );
  });
});
