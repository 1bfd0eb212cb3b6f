/**
 * Cluster benchmark: a real kube-apiserver + etcd (test/harness/controlplane.ts) seeded with `pods` Pods
 * and `pods / 5` controllers of every workload kind, then, in the same run: a full `kube-patrol scan -o
 * json` (CLI process), an operator scan (`operator --once`), and `kubectl get <every kind> -A -o json` for
 * the time it takes to merely list the same objects. API requests are counted by the API server itself
 * (`apiserver_request_total`, workload kinds and the report's ConfigMaps/Events).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync, statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { load as loadYaml } from 'js-yaml';
import { connect, isApiStatus, type KubeClient } from '../src/kube/client.ts';
import { startControlPlane } from '../test/harness/controlplane.ts';
import { cliNodeFlags } from './files.ts';
import { generateWorkload, seededRandom } from './generate.ts';

type Obj = Record<string, unknown>;

export interface ProcessRun {
  wallMs: number;
  peakRssMiB: number;
  /** Requests the API server counted for this run (workload kinds, ConfigMaps, Events). */
  requests: number;
}

export interface ClusterBenchResult {
  pods: number;
  controllers: number;
  /** Every object created (controllers, the ReplicaSets/Jobs they own, pods, namespaces). */
  objects: number;
  seedMs: number;
  kubectl: ProcessRun & { bytes: number };
  scan: ProcessRun & { bytes: number; gzipBytes: number; workloads: number; findings: number };
  operator: ProcessRun & {
    storage: string;
    configMapBytes: number;
    scanMs: number;
    parts: number;
    stored: Record<string, number>;
  };
}

const NAMESPACES = 50;
const REPORT_NAMESPACE = 'kube-patrol-bench';
const CONTROLLER_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'] as const;
type ControllerKind = (typeof CONTROLLER_KINDS)[number];
const COUNTED = new Set([
  'pods',
  'deployments',
  'statefulsets',
  'daemonsets',
  'replicasets',
  'jobs',
  'cronjobs',
  'replicationcontrollers',
  'podtemplates',
  'namespaces',
  'configmaps',
  'events',
  'leases',
]);

const apiVersionOf = (kind: string) =>
  kind === 'Job' || kind === 'CronJob' ? 'batch/v1' : kind === 'Pod' ? 'v1' : 'apps/v1';
const plural = (kind: string) => `${kind.toLowerCase()}s`;
const collection = (kind: string, namespace: string) => {
  const version = apiVersionOf(kind);
  return `${version === 'v1' ? '/api/v1' : `/apis/${version}`}/namespaces/${namespace}/${plural(kind)}`;
};

/** The pod template of a generated workload (any kind), made valid for the API server. */
function templateOf(object: Obj): { metadata: Obj; spec: Obj } {
  const spec = object['spec'] as Obj;
  const template =
    object['kind'] === 'Pod'
      ? {
          metadata: {
            labels: (object['metadata'] as Obj)['labels'],
            ...((object['metadata'] as Obj)['annotations']
              ? { annotations: (object['metadata'] as Obj)['annotations'] }
              : {}),
          },
          spec,
        }
      : object['kind'] === 'CronJob'
        ? (((spec['jobTemplate'] as Obj)['spec'] as Obj)['template'] as { metadata: Obj; spec: Obj })
        : (spec['template'] as { metadata: Obj; spec: Obj });
  const podSpec = { ...template.spec };
  delete podSpec['restartPolicy'];
  // The generator combines settings freely; the API server rejects a few combinations: adjust those.
  const containers = (podSpec['containers'] as Obj[]).map((container, i) => {
    // Host ports must differ between containers, as must container ports.
    const ports = (container['ports'] as Obj[] | undefined)?.map((port) => ({
      ...port,
      containerPort: 8080 + i,
      ...(port['hostPort'] ? { hostPort: 8080 + i } : {}),
    }));
    return {
      ...container,
      ...(ports ? { ports } : {}),
      securityContext: structuredClone(container['securityContext']) as Obj,
    };
  });
  podSpec['containers'] = containers;
  for (const container of containers) {
    const profile = (container['securityContext'] as Obj | undefined)?.['seccompProfile'] as Obj | undefined;
    if (profile?.['type'] === 'Localhost' && !profile['localhostProfile'])
      profile['localhostProfile'] = 'profiles/app.json';
    if (profile && profile['type'] !== 'Localhost') delete profile['localhostProfile'];
    const sc = container['securityContext'] as Obj | undefined;
    if (sc?.['privileged'] === true && sc['allowPrivilegeEscalation'] === false)
      sc['allowPrivilegeEscalation'] = true;
  }
  return { metadata: template.metadata, spec: podSpec };
}

function controllerObject(
  kind: ControllerKind,
  namespace: string,
  name: string,
  template: { metadata: Obj; spec: Obj },
): Obj {
  const labels = { app: name };
  const podTemplate = { metadata: { ...template.metadata, labels }, spec: template.spec };
  const metadata = { name, namespace, labels };
  const base = { apiVersion: apiVersionOf(kind), kind, metadata };
  switch (kind) {
    case 'Job':
      return {
        ...base,
        spec: { template: { ...podTemplate, spec: { ...template.spec, restartPolicy: 'Never' } } },
      };
    case 'CronJob':
      return {
        ...base,
        spec: {
          schedule: '*/30 * * * *',
          jobTemplate: {
            spec: { template: { ...podTemplate, spec: { ...template.spec, restartPolicy: 'OnFailure' } } },
          },
        },
      };
    case 'DaemonSet':
      return { ...base, spec: { selector: { matchLabels: labels }, template: podTemplate } };
    case 'StatefulSet':
      return {
        ...base,
        spec: { replicas: 3, serviceName: name, selector: { matchLabels: labels }, template: podTemplate },
      };
    default:
      return { ...base, spec: { replicas: 3, selector: { matchLabels: labels }, template: podTemplate } };
  }
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

interface PodOwner {
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly namespace: string;
  readonly template: { metadata: Obj; spec: Obj };
  readonly restartPolicy?: string;
}

/**
 * Seeds the cluster: `controllers` top-level controllers, evenly over the six kinds; every Deployment owns
 * one ReplicaSet and every CronJob one Job (as their controllers would create); 90% of the pods are owned
 * by the pod-owning controllers, round robin, the rest are bare pods.
 */
export async function seed(api: KubeClient, pods: number, controllers: number): Promise<number> {
  const random = seededRandom(7);
  let objects = 0;
  const create = async (kind: string, namespace: string, body: Obj): Promise<Obj> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const created = await api.request<Obj>('POST', collection(kind, namespace), { body });
        objects++;
        return created;
      } catch (error) {
        if (attempt < 3 && isApiStatus(error, 429, 500, 503, 504)) continue;
        throw new Error(
          `seeding ${kind} ${namespace}/${String((body['metadata'] as Obj)['name'])}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
  };
  const namespaces = [...Array.from({ length: NAMESPACES }, (_, i) => `team-${i}`), REPORT_NAMESPACE];
  await pool(namespaces, 16, async (name) => {
    await api.request('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    });
    objects++;
  });

  const owners: PodOwner[] = [];
  const uidOf = (created: Obj) => String((created['metadata'] as Obj)['uid']);
  await pool(
    Array.from({ length: controllers }, (_, i) => i),
    32,
    async (i) => {
      const kind = CONTROLLER_KINDS[i % CONTROLLER_KINDS.length] as ControllerKind;
      const namespace = `team-${i % NAMESPACES}`;
      const name = `${kind.toLowerCase()}-${i}`;
      const template = templateOf(generateWorkload(i, random));
      const created = await create(kind, namespace, controllerObject(kind, namespace, name, template));
      const owner = { apiVersion: apiVersionOf(kind), kind, name, uid: uidOf(created), controller: true };
      if (kind === 'Deployment' || kind === 'CronJob') {
        const childKind = kind === 'Deployment' ? 'ReplicaSet' : 'Job';
        const child = controllerObject(childKind, namespace, `${name}-5d8f7b`, template);
        (child['metadata'] as Obj)['ownerReferences'] = [owner];
        const createdChild = await create(childKind, namespace, child);
        owners.push({
          kind: childKind,
          name: `${name}-5d8f7b`,
          uid: uidOf(createdChild),
          namespace,
          template,
          ...(childKind === 'Job' ? { restartPolicy: 'OnFailure' } : {}),
        });
      } else {
        owners.push({
          kind,
          name,
          uid: owner.uid,
          namespace,
          template,
          ...(kind === 'Job' ? { restartPolicy: 'Never' } : {}),
        });
      }
    },
  );
  owners.sort((a, b) => a.name.localeCompare(b.name));

  const owned = Math.round(pods * 0.9);
  await pool(
    Array.from({ length: pods }, (_, i) => i),
    32,
    async (i) => {
      if (i < owned) {
        const owner = owners[i % owners.length] as PodOwner;
        const body = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${owner.name}-${i.toString(36)}`,
            namespace: owner.namespace,
            labels: owner.template.metadata['labels'] ?? {},
            ...(owner.template.metadata['annotations']
              ? { annotations: owner.template.metadata['annotations'] }
              : {}),
            ownerReferences: [
              {
                apiVersion: apiVersionOf(owner.kind),
                kind: owner.kind,
                name: owner.name,
                uid: owner.uid,
                controller: true,
              },
            ],
          },
          spec: {
            ...owner.template.spec,
            ...(owner.restartPolicy ? { restartPolicy: owner.restartPolicy } : {}),
          },
        };
        await create('Pod', owner.namespace, body);
      } else {
        const template = templateOf(generateWorkload(controllers + i, random));
        const namespace = `team-${i % NAMESPACES}`;
        await create('Pod', namespace, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `bare-${i}`,
            namespace,
            labels: { app: `bare-${i}` },
            ...(template.metadata['annotations'] ? { annotations: template.metadata['annotations'] } : {}),
          },
          spec: template.spec,
        });
      }
    },
  );
  return objects;
}

/** The API server's own metrics (kubectl get --raw, so the count includes no request of ours but these). */
async function metricsText(kubeconfig: string): Promise<string> {
  const { stdout } = await runProcess('kubectl', ['get', '--raw', '/metrics', '--kubeconfig', kubeconfig]);
  return stdout;
}

/** Requests the API server has served so far for the resources a scan or a report write touches. */
function countRequests(metrics: string): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const resource = /resource="([^"]*)"/.exec(line)?.[1] ?? '';
    if (!COUNTED.has(resource)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

interface Finished {
  wallMs: number;
  status: number | null;
  stdout: string;
  stderr: string;
  peakRssKiB: number;
}

function runProcess(
  command: string,
  args: readonly string[],
  stdoutFile?: string,
  env?: NodeJS.ProcessEnv,
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    let stdout = '';
    let stderr = '';
    if (stdoutFile) child.stdout.pipe(createWriteStream(stdoutFile));
    else child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (status) => {
      const match = /PEAK_RSS_KB (\d+)/.exec(stderr);
      resolve({
        wallMs: performance.now() - start,
        status,
        stdout,
        stderr,
        peakRssKiB: match ? Number(match[1]) : 0,
      });
    });
  });
}

/** The NODE_OPTIONS that manifests/deployment.yaml gives the operator's container. */
export function deploymentNodeOptions(root: string): string {
  const deployment = loadYaml(readFileSync(join(root, 'manifests', 'deployment.yaml'), 'utf8')) as {
    spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } };
  };
  const value = deployment.spec.template.spec.containers[0]?.env?.find(
    (e) => e.name === 'NODE_OPTIONS',
  )?.value;
  if (!value) throw new Error('manifests/deployment.yaml sets no NODE_OPTIONS');
  return value;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function measured(
  kubeconfig: string,
  runs: number,
  command: string,
  args: readonly string[],
  stdoutFile?: string,
  env?: NodeJS.ProcessEnv,
): Promise<{ run: ProcessRun; last: Finished }> {
  const walls: number[] = [];
  const requests: number[] = [];
  let peak = 0;
  let last: Finished | undefined;
  for (let i = 0; i < runs; i++) {
    const before = countRequests(await metricsText(kubeconfig));
    last = await runProcess(command, args, stdoutFile, env);
    const after = countRequests(await metricsText(kubeconfig));
    if (last.status !== 0)
      throw new Error(
        `${command} ${args.slice(0, 6).join(' ')} failed (${last.status}): ${last.stderr.slice(-1500)}`,
      );
    walls.push(last.wallMs);
    // The /metrics reads are not a counted resource: only the run's own requests remain.
    requests.push(after - before);
    peak = Math.max(peak, last.peakRssKiB);
  }
  return {
    run: { wallMs: median(walls), peakRssMiB: peak / 1024, requests: median(requests) },
    last: last as Finished,
  };
}

export async function benchCluster(
  cli: string,
  root: string,
  pods = 10_000,
  runs = 3,
): Promise<ClusterBenchResult> {
  const controllers = Math.max(CONTROLLER_KINDS.length, Math.round(pods / 5));
  const controlPlane = await startControlPlane();
  const work = join(tmpdir(), `kube-patrol-bench-cluster-${process.pid}`);
  try {
    const kubeconfig = controlPlane.kubeconfigPath;
    const api = connect({ kubeconfig, qps: 100_000, burst: 100_000 });
    const seedStart = performance.now();
    const objects = await seed(api, pods, controllers);
    const seedMs = performance.now() - seedStart;

    const peakRss = [...cliNodeFlags(cli), '--import', join(root, 'bench', 'peak-rss.ts')];
    const listOut = `${work}-kubectl.json`;
    const kubectl = await measured(
      kubeconfig,
      runs,
      'kubectl',
      [
        'get',
        'pods,deployments,statefulsets,daemonsets,replicasets,jobs,cronjobs',
        '-A',
        '-o',
        'json',
        '--kubeconfig',
        kubeconfig,
      ],
      listOut,
    );
    const kubectlBytes = statSync(listOut).size;

    const reportOut = `${work}-report.json`;
    // Exit 1 is "findings at or above --fail-on" (not given here), 2 an input error: both still a report.
    const scan = await measured(
      kubeconfig,
      runs,
      process.execPath,
      [...peakRss, cli, 'scan', '--kubeconfig', kubeconfig, '-o', 'json'],
      reportOut,
    );
    const reportText = await readFile(reportOut);
    const report = JSON.parse(reportText.toString('utf8')) as {
      summary: { workloads: number; findings: number; exempted: number };
    };

    // The operator runs as manifests/deployment.yaml runs it: with its NODE_OPTIONS.
    const operatorEnv = {
      ...process.env,
      NODE_OPTIONS: [process.env['NODE_OPTIONS'], deploymentNodeOptions(root)].filter(Boolean).join(' '),
    };
    const operator = await measured(
      kubeconfig,
      runs,
      process.execPath,
      [
        ...peakRss,
        cli,
        'operator',
        '--once',
        '--namespace',
        REPORT_NAMESPACE,
        '--kubeconfig',
        kubeconfig,
        '--no-leader-elect',
        '--port',
        '0',
        '--log-level',
        'info',
      ],
      undefined,
      operatorEnv,
    );
    const written = operator.last.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; storage?: string; durationMs?: number })
      .find((entry) => entry.msg === 'scan written');
    const cm = await api.request<{ data?: Record<string, string>; binaryData?: Record<string, string> }>(
      'GET',
      `/api/v1/namespaces/${REPORT_NAMESPACE}/configmaps/kube-patrol-report`,
    );
    const b64 = (key: string) => Math.floor(((cm.binaryData?.[key] ?? '').length * 3) / 4);
    let configMapBytes = 0;
    for (const [key, value] of Object.entries(cm.data ?? {}))
      configMapBytes += key.length + Buffer.byteLength(value);
    for (const key of Object.keys(cm.binaryData ?? {})) configMapBytes += key.length + b64(key);
    const parts = await api.request<{ items: unknown[] }>(
      'GET',
      `/api/v1/namespaces/${REPORT_NAMESPACE}/configmaps`,
      { query: { labelSelector: 'kube-patrol.io/role=part' } },
    );
    api.close();
    return {
      pods,
      controllers,
      objects,
      seedMs,
      kubectl: { ...kubectl.run, bytes: kubectlBytes },
      scan: {
        ...scan.run,
        bytes: reportText.length,
        gzipBytes: gzipSync(reportText).length,
        workloads: report.summary.workloads,
        findings: report.summary.findings + report.summary.exempted,
      },
      operator: {
        ...operator.run,
        storage: written?.storage ?? '?',
        scanMs: written?.durationMs ?? 0,
        // The compressed files in the main ConfigMap (gzip or brotli), by key; empty when split.
        stored: Object.fromEntries(Object.keys(cm.binaryData ?? {}).map((key) => [key, b64(key)])),
        parts: parts.items.length,
        configMapBytes,
      },
    };
  } finally {
    await controlPlane.stop();
    await rm(`${work}-kubectl.json`, { force: true });
    await rm(`${work}-report.json`, { force: true });
  }
}
