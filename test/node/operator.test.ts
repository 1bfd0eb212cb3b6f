// The operator as Pods of its own image on the real node (#14): `make node-deploy` (hack/node-deploy.sh)
// builds the image from the Dockerfile without a registry, imports it into the node's containerd and applies
// hack/kind's image-only overlay of manifests/. Then: the Pods run in the restricted namespace with a token
// the kubelet projected, a read-only root filesystem and RuntimeDefault seccomp (the kernel's Seccomp: line
// for the container's pid, found through crictl); the probes pass; one replica holds the Lease; the report
// ConfigMap appears and `kube-patrol report get` reads it; deleting the leader hands over to the other
// replica, whose scan writes; ReplicaSets and Pods the controllers made are folded into their Deployment.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import { RUNTIME_DEFAULTS } from '../../src/seccomp/data.ts';
import { materializeRuntimeDefault } from '../../src/seccomp/runtime-default.ts';
import { readStoredReport } from '../../src/sinks/configmap.ts';
import { repoRoot } from '../harness/controlplane.ts';
import { nodeAlive, readNodeState, up, type NodeState } from '../harness/node.ts';
import {
  adminClient,
  createNamespace,
  createObject,
  deployment,
  httpGet,
  metricValue,
  runCli,
  type Obj,
} from '../integration/support/cluster.ts';

const NAMESPACE = 'kube-patrol';
const SELECTOR = 'app.kubernetes.io/component=operator';
const runDir = '/run/kube-patrol-node';

interface PodObj {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    deletionTimestamp?: string;
    ownerReferences?: Owner[];
  };
  spec: {
    volumes: { name: string; projected?: { sources: { serviceAccountToken?: { path: string } }[] } }[];
    containers: { volumeMounts: { name: string; mountPath: string }[] }[];
  };
  status: {
    phase: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { image: string; imageID: string; containerID?: string; ready: boolean }[];
  };
}
interface Owner {
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

let state: NodeState;
let admin: KubeClient;
let kubeconfig: string;
let deploySeconds = 0;
let demoNamespace: string | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await sleep(1000);
  }
}

const crictl = (args: readonly string[]) =>
  spawnSync(
    join(state.binDir, 'bin', 'crictl'),
    ['--runtime-endpoint', `unix://${runDir}/containerd.sock`, ...args],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );

async function operatorPods(): Promise<PodObj[]> {
  const list = await admin.request<{ items: PodObj[] }>(
    'GET',
    `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=${encodeURIComponent(SELECTOR)}`,
  );
  return list.items.filter((p) => !p.metadata.deletionTimestamp);
}
const isReady = (pod: PodObj) =>
  pod.status.phase === 'Running' &&
  pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

async function leaseHolder(): Promise<string> {
  const lease = await admin.request<{ spec: { holderIdentity?: string } }>(
    'GET',
    `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/kube-patrol-leader`,
  );
  return lease.spec.holderIdentity ?? '';
}

/** The host pid of the pod's container and the OCI spec it runs with, as the runtime reports them. */
function inspectContainer(pod: PodObj): { id: string; pid: number; seccomp: unknown } {
  const id = pod.status.containerStatuses![0]!.containerID!.replace(/^containerd:\/\//, '');
  const inspected = crictl(['inspect', id]);
  expect(inspected.status, inspected.stderr).toBe(0);
  const info = (
    JSON.parse(inspected.stdout) as { info: { pid: number; runtimeSpec: { linux: { seccomp?: unknown } } } }
  ).info;
  return { id, pid: info.pid, seccomp: info.runtimeSpec.linux.seccomp };
}

function reportFromCli(): InspectionReport {
  const result = runCli(['report', 'get', '-o', 'json', '--kubeconfig', kubeconfig, '-n', NAMESPACE]);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as InspectionReport;
}

/** ReplicaSets and Pods that a controller made for the Deployments of `namespace`, read from the API. */
async function controllerMade(namespace: string) {
  const replicaSets = (
    await admin.request<{ items: { metadata: { name: string; uid: string; ownerReferences?: Owner[] } }[] }>(
      'GET',
      `/apis/apps/v1/namespaces/${namespace}/replicasets`,
    )
  ).items.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && o.controller));
  const rsUids = new Set(replicaSets.map((rs) => rs.metadata.uid));
  const pods = (
    await admin.request<{ items: PodObj[] }>('GET', `/api/v1/namespaces/${namespace}/pods`)
  ).items.filter((p) =>
    p.metadata.ownerReferences?.some((o) => o.kind === 'ReplicaSet' && o.controller && rsUids.has(o.uid)),
  );
  return { replicaSets, pods };
}

beforeAll(async () => {
  const existing = readNodeState();
  state = existing && nodeAlive(existing) ? existing : await up(true);
  const started = Date.now();
  const deployed = spawnSync('bash', [join(repoRoot, 'hack/node-deploy.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 1_500_000,
  });
  deploySeconds = (Date.now() - started) / 1000;
  expect(deployed.status, 'hack/node-deploy.sh failed (its messages are above)').toBe(0);
  kubeconfig = deployed.stdout.trim().split('\n').at(-1)!;
  console.log(`make node-deploy: ${deploySeconds.toFixed(0)} s (image build, import, apply, rollout)`);
  admin = adminClient(kubeconfig);
}, 1_800_000);

afterAll(async () => {
  if (admin) {
    if (demoNamespace)
      await admin.request('DELETE', `/api/v1/namespaces/${demoNamespace}`).catch(() => undefined);
    admin.close();
  }
});

describe('the operator on the node, from its own image', () => {
  it('runs in the restricted namespace: Ready, projected token, read-only root filesystem, RuntimeDefault seccomp, no shell', async () => {
    const ns = await admin.request<{ metadata: { labels: Record<string, string> } }>(
      'GET',
      `/api/v1/namespaces/${NAMESPACE}`,
    );
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    // The label is enforced: a privileged Pod is refused there (server-side dry run).
    const refused = await admin
      .request('POST', `/api/v1/namespaces/${NAMESPACE}/pods?dryRun=All`, {
        body: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'privileged-probe' },
          spec: {
            containers: [{ name: 'c', image: 'kube-patrol:dev', securityContext: { privileged: true } }],
          },
        },
      })
      .then(
        () => 'admitted',
        (error: unknown) => String(error),
      );
    expect(refused).toMatch(/restricted|forbidden|violates PodSecurity/i);

    const pods = await until('two Ready operator Pods', 180_000, async () => {
      const found = await operatorPods();
      return found.length === 2 && found.every(isReady) ? found : undefined;
    });
    for (const pod of pods) {
      const status = pod.status.containerStatuses![0]!;
      expect(status.image).toMatch(/(^|\/)kube-patrol:dev$/);
      expect(status.ready).toBe(true);
      // The kubelet's projected token volume (admission adds it for automountServiceAccountToken).
      const tokenVolume = pod.spec.volumes.find((v) =>
        v.projected?.sources.some((s) => s.serviceAccountToken),
      );
      expect(tokenVolume, 'a projected serviceAccountToken volume').toBeDefined();
      expect(pod.spec.containers[0]!.volumeMounts).toContainEqual(
        expect.objectContaining({
          name: tokenVolume!.name,
          mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
        }),
      );

      const { id, pid, seccomp } = inspectContainer(pod);
      // The filter containerd installed is its RuntimeDefault, as kube-patrol's data holds it (no capabilities).
      expect(seccomp).toEqual(
        materializeRuntimeDefault(
          RUNTIME_DEFAULTS.containerd,
          [],
          process.arch === 'arm64' ? 'aarch64' : 'x86_64',
        ),
      );
      const procStatus = readFileSync(`/proc/${pid}/status`, 'utf8');
      expect(procStatus).toMatch(/^Seccomp:\s+2$/m);
      expect(procStatus).toMatch(/^NoNewPrivs:\s+1$/m);
      expect(procStatus).toMatch(/^Uid:\s+65532\s+65532\s+65532\s+65532$/m);
      expect(procStatus).toMatch(/^CapEff:\s+0+$/m);
      const root = readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
        .split('\n')
        .find((line) => line.split(' ')[4] === '/');
      expect(root?.split(' ')[5]?.split(','), `root mount: ${root}`).toContain('ro');
      // The token the container reads is bound to this very Pod (a kubelet-projected token, not a Secret).
      // Read in the container (its /var/run is a symlink to /run, which /proc/<pid>/root would resolve on the host).
      const read = crictl([
        'exec',
        id,
        '/nodejs/bin/node',
        '-e',
        "process.stdout.write(require('fs').readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/token'))",
      ]);
      expect(read.status, read.stderr).toBe(0);
      const token = read.stdout;
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as {
        'kubernetes.io': { pod: { name: string; uid: string }; serviceaccount: { name: string } };
      };
      expect(claims['kubernetes.io'].pod).toEqual({ name: pod.metadata.name, uid: pod.metadata.uid });
      expect(claims['kubernetes.io'].serviceaccount.name).toBe('kube-patrol');
      const shell = crictl(['exec', id, '/bin/sh', '-c', 'true']);
      expect(shell.status, 'the image has no shell').not.toBe(0);
    }
  });

  it('one replica holds the Lease; the report ConfigMap appears, `report get` reads it, with ReplicaSets and Pods folded', async () => {
    const pods = await operatorPods();
    const holder = await until('a Lease holder', 60_000, async () => (await leaseHolder()) || undefined);
    const leader = pods.find((p) => holder.startsWith(`${p.metadata.name}_`));
    expect(leader, `holder ${holder} is one of ${pods.map((p) => p.metadata.name).join(', ')}`).toBeDefined();
    const leaders: number[] = [];
    for (const pod of pods) {
      const metrics = (await httpGet(`http://${pod.status.podIP}:8080/metrics`)).body;
      leaders.push(metricValue(metrics, 'kube_patrol_leader') ?? -1);
    }
    expect(leaders.sort()).toEqual([0, 1]);

    // The leader may still be writing the scans of its start: compare with a report that stood still.
    const { report, stored } = await until(
      'the report ConfigMap, read by `report get`',
      120_000,
      async () => {
        const first = await readStoredReport(admin, NAMESPACE, 'kube-patrol-report');
        const cli = reportFromCli();
        const second = await readStoredReport(admin, NAMESPACE, 'kube-patrol-report');
        return first.summary.scanId === second.summary.scanId ? { report: cli, stored: second } : undefined;
      },
    );
    expect(report.metadata).toMatchObject({ source: 'cluster', cluster: 'in-cluster' });
    expect(report.metadata.generatedAt).toBe(
      ((await stored.report()) as InspectionReport).metadata.generatedAt,
    );
    expect(report.errors).toEqual([]);
    const own = report.workloads.filter((w) => w.namespace === NAMESPACE);
    expect(own).toContainEqual(
      expect.objectContaining({ kind: 'Deployment', name: 'kube-patrol', score: 100 }),
    );
    const made = await controllerMade(NAMESPACE);
    expect(made.replicaSets.length).toBeGreaterThan(0);
    expect(made.pods.length).toBeGreaterThanOrEqual(2);
    expect(own.filter((w) => w.kind === 'ReplicaSet' || w.kind === 'Pod')).toEqual([]);
  });

  it('deleting the leader Pod hands over to another replica, whose scan writes and folds a new Deployment', async () => {
    // A workload of a user's, started by the real controllers before the handover.
    const busybox = readFileSync(join(state.binDir, 'images', 'busybox.ref'), 'utf8').trim();
    const shopNamespace = await createNamespace(admin, 'node-e2e');
    demoNamespace = shopNamespace;
    const shopDeployment = deployment(shopNamespace, 'shop') as Obj & {
      spec: { template: { spec: { containers: Record<string, unknown>[] } } };
    };
    shopDeployment.spec.template.spec.containers = [
      { name: 'shop', image: busybox, imagePullPolicy: 'Never', command: ['sleep', '3600'] },
    ];
    await createObject(admin, shopDeployment);
    await until('the shop Pod running', 120_000, async () => {
      const made = await controllerMade(shopNamespace);
      return made.pods.some((p) => p.status.phase === 'Running') ? made : undefined;
    });

    const before = await readStoredReport(admin, NAMESPACE, 'kube-patrol-report');
    const holder = await leaseHolder();
    const pods = await operatorPods();
    const leader = pods.find((p) => holder.startsWith(`${p.metadata.name}_`))!;
    const standby = pods.find((p) => p !== leader)!;
    const deletedAt = Date.now();
    await admin.request('DELETE', `/api/v1/namespaces/${NAMESPACE}/pods/${leader.metadata.name}`);

    // The leader releases the Lease as it stops; the standby and the Pod the ReplicaSet starts in its place
    // both try for it, and either may win (a fresh run had the replacement first, within a second).
    const next = await until('another replica to take the Lease', 90_000, async () => {
      const now = await leaseHolder();
      return now && !now.startsWith(`${leader.metadata.name}_`) ? now : undefined;
    });
    const handoverSeconds = (Date.now() - deletedAt) / 1000;
    const taker = next.startsWith(`${standby.metadata.name}_`) ? 'the standby' : 'the replacement Pod';
    console.log(
      `handover: ${taker} (${next}) took the Lease ${handoverSeconds.toFixed(1)} s after the delete`,
    );
    expect(next).not.toBe(holder);

    const after = await until('a report written after the handover', 120_000, async () => {
      const stored = await readStoredReport(admin, NAMESPACE, 'kube-patrol-report');
      return stored.summary.scanId !== before.summary.scanId ? stored : undefined;
    });
    const report = (await after.report()) as InspectionReport;
    expect(Date.parse(report.metadata.generatedAt)).toBeGreaterThan(deletedAt);
    const shop = report.workloads.filter((w) => w.namespace === shopNamespace);
    expect(shop).toContainEqual(expect.objectContaining({ kind: 'Deployment', name: 'shop' }));
    expect(shop.filter((w) => w.kind !== 'Deployment')).toEqual([]);
    // Its findings are the Deployment's (busybox as root, no seccomp profile, ...), not its Pod's.
    const findings = report.findings.filter((f) => f.workload.namespace === shopNamespace);
    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(findings.map((f) => f.workload.kind))).toEqual(new Set(['Deployment']));
    const made = await controllerMade(shopNamespace);
    expect(made.replicaSets.length).toBe(1);
    expect(made.pods.length).toBe(1);

    // The Deployment controller replaces the deleted Pod; both replicas are Ready again.
    await until('two Ready operator Pods again', 180_000, async () => {
      const found = await operatorPods();
      return found.length === 2 && found.every(isReady) ? found : undefined;
    });
  });
  it('a leader that crashes (SIGKILL, no Lease release) is replaced once the Lease expires, and the new leader writes', async () => {
    await until('two Ready operator Pods', 180_000, async () => {
      const found = await operatorPods();
      return found.length === 2 && found.every(isReady) ? found : undefined;
    });
    const holder = await until('a Lease holder', 60_000, async () => (await leaseHolder()) || undefined);
    const pods = await operatorPods();
    const leader = pods.find((p) => holder.startsWith(`${p.metadata.name}_`))!;
    const standby = pods.find((p) => p !== leader)!;
    const before = await readStoredReport(admin, NAMESPACE, 'kube-patrol-report');
    const { pid } = inspectContainer(leader);
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    // The kubelet restarts the container; whichever replica renews first after expiry holds the Lease then.
    const next = await until('another holder of the Lease', 90_000, async () => {
      const now = await leaseHolder();
      return now && now !== holder ? now : undefined;
    });
    const takeoverSeconds = (Date.now() - killedAt) / 1000;
    console.log(
      `crash: ${next} took the Lease ${takeoverSeconds.toFixed(1)} s after SIGKILL (leaseDurationSeconds 15)`,
    );
    // Not before the dead holder's Lease ran out (minus the time the holder last renewed it, 2 s at most).
    expect(takeoverSeconds).toBeGreaterThan(15 - 2 - 1);
    expect([standby.metadata.name, leader.metadata.name]).toContain(next.split('_')[0]);
    const after = await until('a report written after the takeover', 120_000, async () => {
      const stored = await readStoredReport(admin, NAMESPACE, 'kube-patrol-report');
      return stored.summary.scanId !== before.summary.scanId ? stored : undefined;
    });
    expect(Date.parse(((await after.report()) as InspectionReport).metadata.generatedAt)).toBeGreaterThan(
      killedAt,
    );
    const restarted = await until('the killed container restarted and Ready', 180_000, async () => {
      const found = (await operatorPods()).find((p) => p.metadata.name === leader.metadata.name);
      return found && isReady(found) ? found : undefined;
    });
    expect(
      (restarted.status.containerStatuses![0] as { restartCount?: number }).restartCount,
    ).toBeGreaterThanOrEqual(1);
  });
});
