// Helpers for the operator's integration tests: namespaces, the manifests/ RBAC applied per test, the
// operator run as a child process, bulk object creation, and kube-apiserver stop/start.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import https from 'node:https';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { mintServiceAccountKubeconfig, repoRoot, type ControlPlane } from '../../harness/controlplane.ts';
import { connect, isApiStatus, KubeClient, type KubeApi } from '../../../src/kube/client.ts';
import { resourcePath } from '../../../src/sources/cluster.ts';

export type Obj = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
};

export const cli = join(repoRoot, 'src', 'cli', 'main.ts');

export function adminClient(kubeconfig: string): KubeClient {
  return connect({ kubeconfig, qps: 200, burst: 400 });
}

export async function createNamespace(api: KubeApi, prefix = 'it'): Promise<string> {
  // No namespace controller runs, so namespaces are never deleted: each test takes a fresh one.
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await api.request('POST', '/api/v1/namespaces', {
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
  });
  return name;
}

const RESOURCES: Record<string, { apiVersion: string; resource: string; namespaced: boolean }> = {
  Namespace: { apiVersion: 'v1', resource: 'namespaces', namespaced: false },
  Node: { apiVersion: 'v1', resource: 'nodes', namespaced: false },
  ServiceAccount: { apiVersion: 'v1', resource: 'serviceaccounts', namespaced: true },
  ConfigMap: { apiVersion: 'v1', resource: 'configmaps', namespaced: true },
  Service: { apiVersion: 'v1', resource: 'services', namespaced: true },
  Pod: { apiVersion: 'v1', resource: 'pods', namespaced: true },
  Deployment: { apiVersion: 'apps/v1', resource: 'deployments', namespaced: true },
  StatefulSet: { apiVersion: 'apps/v1', resource: 'statefulsets', namespaced: true },
  DaemonSet: { apiVersion: 'apps/v1', resource: 'daemonsets', namespaced: true },
  ReplicaSet: { apiVersion: 'apps/v1', resource: 'replicasets', namespaced: true },
  Job: { apiVersion: 'batch/v1', resource: 'jobs', namespaced: true },
  CronJob: { apiVersion: 'batch/v1', resource: 'cronjobs', namespaced: true },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'roles', namespaced: true },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'rolebindings', namespaced: true },
  ClusterRole: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'clusterroles', namespaced: false },
  ClusterRoleBinding: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    resource: 'clusterrolebindings',
    namespaced: false,
  },
};

/** Creates one object (POST to its collection); an existing one is left as it is. */
export async function createObject(api: KubeApi, object: Obj): Promise<void> {
  const resource = RESOURCES[object.kind];
  if (!resource) throw new Error(`createObject: no resource known for kind ${object.kind}`);
  const path = resourcePath(resource, resource.namespaced ? (object.metadata.namespace ?? 'default') : null);
  try {
    await api.request('POST', path, { body: object });
  } catch (error) {
    if (!isApiStatus(error, 409))
      throw new Error(
        `creating ${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}: ${(error as Error).message}`,
        { cause: error },
      );
  }
}

/** A Deployment of one nginx container with the given security context. */
export function deployment(
  namespace: string,
  name: string,
  securityContext: Record<string, unknown> = {},
): Obj {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27', securityContext }] },
      },
    },
  };
}

/** Creates objects with at most `concurrency` requests in flight. */
export async function createMany(api: KubeApi, objects: readonly Obj[], concurrency = 16): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < objects.length) await createObject(api, objects[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * The objects of manifests/ as `kubectl kustomize` renders them. Without kubectl, the base's resource
 * files are read directly (the base uses no transformer that changes what the tests look at).
 */
export function renderManifests(): Obj[] {
  const dir = join(repoRoot, 'manifests');
  const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
  let text: string;
  if (hasKubectl) {
    text = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  } else {
    const kustomization = parseAllDocuments(
      readFileSync(join(dir, 'kustomization.yaml'), 'utf8'),
    )[0]!.toJS() as { resources: string[] };
    text = kustomization.resources.map((file) => readFileSync(join(dir, file), 'utf8')).join('\n---\n');
  }
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Obj)
    .filter((o) => o && o.kind);
}

/**
 * The manifests/ objects moved into `namespace` (instead of kube-patrol) with cluster-scoped names
 * suffixed, so that every test gets its own operator install on the shared control plane.
 */
export function manifestsFor(namespace: string, edit: (objects: Obj[]) => Obj[] = (o) => o): Obj[] {
  const suffix = (name: string) => `${name}-${namespace}`;
  return edit(
    renderManifests().map((object) => {
      const copy = structuredClone(object);
      if (copy.kind === 'Namespace') copy.metadata.name = namespace;
      if (copy.metadata.namespace === 'kube-patrol') copy.metadata.namespace = namespace;
      if (copy.kind === 'ClusterRole' || copy.kind === 'ClusterRoleBinding')
        copy.metadata.name = suffix(copy.metadata.name);
      if (copy.kind === 'ClusterRoleBinding')
        (copy['roleRef'] as { name: string }).name = suffix((copy['roleRef'] as { name: string }).name);
      for (const subject of (copy['subjects'] as { namespace?: string }[] | undefined) ?? [])
        if (subject.namespace === 'kube-patrol') subject.namespace = namespace;
      return copy;
    }),
  );
}

export interface OperatorInstall {
  readonly namespace: string;
  /** Kubeconfig authenticating as the manifests' ServiceAccount (kube-patrol) in `namespace`. */
  readonly kubeconfig: string;
}

/** Applies manifests/ (as admin) into a fresh namespace and mints a token kubeconfig for its ServiceAccount. */
/** An `installOperator` edit: the ClusterRole of manifests/ without one resource (to provoke a 403). */
export function withoutClusterRoleResource(resource: string): (objects: Obj[]) => Obj[] {
  return (objects) =>
    objects.map((o) => {
      if (o.kind !== 'ClusterRole') return o;
      const rules = (o['rules'] as { resources: string[] }[]).map((r) => ({
        ...r,
        resources: r.resources.filter((x) => x !== resource),
      }));
      return { ...o, rules };
    });
}

export async function installOperator(
  admin: KubeApi,
  adminKubeconfig: string,
  edit?: (objects: Obj[]) => Obj[],
): Promise<OperatorInstall> {
  const namespace = `kp-${randomUUID().slice(0, 8)}`;
  const objects = manifestsFor(namespace, edit);
  for (const object of objects.filter((o) => o.kind === 'Namespace')) await createObject(admin, object);
  for (const object of objects.filter((o) => o.kind !== 'Namespace')) await createObject(admin, object);
  const kubeconfig = await mintServiceAccountKubeconfig(adminKubeconfig, namespace, 'kube-patrol');
  return { namespace, kubeconfig };
}

export async function writeConfig(dir: string, config: unknown): Promise<string> {
  const file = join(dir, `config-${randomUUID().slice(0, 8)}.yaml`);
  await writeFile(file, stringify(config));
  return file;
}

/** A running `kube-patrol operator` child process whose JSON log lines are collected. */
export class OperatorProcess {
  readonly child: ChildProcess;
  readonly logs: Record<string, unknown>[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: {
    match: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }[] = [];

  constructor(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [cli, 'operator', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let newline;
      while ((newline = pending.indexOf('\n')) !== -1) {
        const text = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text) as Record<string, unknown>;
        } catch {
          line = { msg: text };
        }
        this.logs.push(line);
        this.waiters = this.waiters.filter((w) => (w.match(line) ? (w.resolve(line), false) : true));
      }
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** Resolves with the first log line (already seen or coming) that matches. */
  waitFor(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs = 60_000,
    what = 'log line',
  ): Promise<Record<string, unknown>> {
    const seen = this.logs.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out waiting for ${what}; logs:\n${this.logs.map((l) => JSON.stringify(l)).join('\n')}\n${this.stderr}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({ match, resolve: (line) => (clearTimeout(timer), resolve(line)) });
    });
  }

  waitForMsg(msg: string, timeoutMs?: number, after = 0): Promise<Record<string, unknown>> {
    return this.waitFor((l) => l['msg'] === msg && (l['time'] as number) >= after, timeoutMs, `"${msg}"`);
  }

  count(msg: string): number {
    return this.logs.filter((l) => l['msg'] === msg).length;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    maxBuffer: 512 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

export function metricValue(metrics: string, name: string, labels = ''): number | undefined {
  const line = metrics
    .split('\n')
    .find(
      (l) =>
        l.startsWith(`${name}${labels ? `{${labels}}` : ''} `) ||
        (labels === '' && l.startsWith(`${name}{`) === false && l.startsWith(`${name} `)),
    );
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

// kube-apiserver stop/start on a control plane of the test's own (the harness starts and stops the whole
// plane; these restart only the API server, on the same port with the same flags, keeping etcd's data).

export interface ApiServerControl {
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Kills a restarted API server (the harness's stop() only knows the first pid). */
  cleanup(): void;
}

export function apiServerControl(controlPlane: ControlPlane): ApiServerControl {
  const recorded = controlPlane.processes.find((p) => p.name === 'kube-apiserver')!;
  const args = readFileSync(`/proc/${recorded.pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1);
  let pid = recorded.pid;
  const alive = () => {
    try {
      process.kill(pid, 0);
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
      return stat !== 'Z' && stat !== 'X';
    } catch {
      return false;
    }
  };
  const kc = new KubeConfig();
  kc.loadFromFile(controlPlane.kubeconfigPath);
  return {
    async stop() {
      process.kill(-pid, 'SIGKILL');
      for (let i = 0; i < 200 && alive(); i++) await new Promise((r) => setTimeout(r, 25));
    },
    async start() {
      const log = openSync(join(controlPlane.dir, 'kube-apiserver.log'), 'a');
      const child = spawn(recorded.binary, args, { detached: true, stdio: ['ignore', log, log] });
      closeSync(log);
      pid = child.pid!;
      const options: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(options);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const ok = await new Promise<boolean>((resolve) => {
          const request = https.get(
            `${controlPlane.server}/readyz`,
            { ca: options.ca, cert: options.cert, key: options.key, timeout: 2000 },
            (response) => {
              response.resume();
              resolve(response.statusCode === 200);
            },
          );
          request.once('error', () => resolve(false));
          request.once('timeout', () => request.destroy());
        });
        if (ok) return;
        if (Date.now() > deadline) throw new Error('restarted kube-apiserver not ready within 60 s');
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    cleanup() {
      if (pid !== recorded.pid && alive()) process.kill(-pid, 'SIGKILL');
    },
  };
}

/** Compacts etcd at its current revision (what kube-apiserver does every 5 minutes), after one write. */
export async function compactEtcd(controlPlane: ControlPlane): Promise<number> {
  const etcd = controlPlane.processes.find((p) => p.name === 'etcd')!;
  const base = `http://127.0.0.1:${etcd.port}`;
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`etcd ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { header?: { revision?: string } };
  };
  const key = Buffer.from(`/kube-patrol-test/compaction-${randomUUID()}`).toString('base64');
  const put = await post('/v3/kv/put', { key, value: Buffer.from('x').toString('base64') });
  const revision = Number(put.header?.revision);
  await post('/v3/kv/compaction', { revision, physical: true });
  return revision;
}

/** The generator writes manifests for files; the API server also validates some field pairs. */
export function sanitizeGenerated(object: Obj): Obj {
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    const seccomp = record['seccompProfile'] as { type?: string; localhostProfile?: string } | undefined;
    if (seccomp) {
      if (seccomp.type === 'Localhost') seccomp.localhostProfile ??= 'profiles/app.json';
      else delete seccomp.localhostProfile;
    }
    if (Array.isArray(record['containers'])) {
      // Distinct ports per container: the API server refuses duplicate hostPorts within a pod.
      (record['containers'] as { ports?: { containerPort: number; hostPort?: number }[] }[]).forEach(
        (container, i) => {
          for (const port of container.ports ?? []) {
            port.containerPort += i;
            if (port.hostPort !== undefined) port.hostPort = port.containerPort;
          }
        },
      );
    }
    if (record['privileged'] === true && record['allowPrivilegeEscalation'] === false)
      record['allowPrivilegeEscalation'] = true;
    for (const child of Object.values(record)) visit(child);
  };
  visit(object);
  return object;
}

/** What the API server's authorizer answers for `user` (in `groups`) doing `attributes` (SubjectAccessReview). */
export async function subjectCan(
  admin: KubeApi,
  subject: { readonly user: string; readonly groups: readonly string[] },
  attributes: {
    readonly verb: string;
    readonly resource: string;
    readonly group?: string;
    readonly namespace?: string;
    readonly name?: string;
    readonly subresource?: string;
  },
): Promise<boolean> {
  const review = await admin.request<{ status: { allowed: boolean } }>(
    'POST',
    '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { ...subject, resourceAttributes: { group: '', ...attributes } },
      },
    },
  );
  return review.status.allowed;
}
