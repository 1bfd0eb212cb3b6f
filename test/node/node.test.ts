// On a real node (test/harness/node.ts: kubelet, containerd, runc, kube-proxy, controllers): the node goes
// Ready, a Deployment's pods run, and the kubelet's seccompDefault is what a pod with no profile really runs
// with (the Seccomp: line of its process, found through the runtime) and what `scan --nodes` reads from the
// kubelet's configz. As root: `make e2e-node`. Reuses a node that `make node-up` started (and leaves it
// running), else starts one and stops it afterwards.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeApi } from '../../src/kube/client.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import {
  containerPid,
  down,
  NODE_NAME,
  nodeAlive,
  readNodeState,
  restartKubelet,
  up,
  type NodeState,
} from '../harness/node.ts';
import { adminClient, createNamespace, runCli } from '../integration/support/cluster.ts';

interface Pod {
  metadata: { name: string; ownerReferences?: { kind: string; name: string }[] };
  status?: { phase?: string; containerStatuses?: { containerID?: string; ready?: boolean }[] };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await sleep(500);
  }
}

describe('a real node', () => {
  let state: NodeState;
  let startedHere = false;
  let api: KubeApi;
  let busybox: string;

  beforeAll(async () => {
    const running = readNodeState();
    startedHere = !(running && nodeAlive(running));
    state = await up(true);
    api = adminClient(state.kubeconfigPath);
    busybox = readFileSync(path.join(state.binDir, 'images', 'busybox.ref'), 'utf8').trim();
  });

  afterAll(async () => {
    if (!state) return;
    if (startedHere) await down();
    else if (!state.seccompDefault) await restartKubelet(state, true);
  });

  const runningPods = async (namespace: string, selector: string): Promise<Pod[]> => {
    const list = await api.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${namespace}/pods`, {
      query: { labelSelector: selector },
    });
    return list.items.filter((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready);
  };

  /** A pod that sets no seccomp profile (nor does its image), running; the host pid of its container. */
  const podWithoutProfile = async (namespace: string, name: string): Promise<number> => {
    // A new namespace's `default` ServiceAccount comes from the controller-manager, a moment later.
    await until(`ServiceAccount ${namespace}/default`, 30_000, () =>
      api.request('GET', `/api/v1/namespaces/${namespace}/serviceaccounts/default`).catch(() => undefined),
    );
    await api.request('POST', `/api/v1/namespaces/${namespace}/pods`, {
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels: { test: name } },
        spec: { containers: [{ name: 'main', image: busybox, command: ['sleep', '3600'] }] },
      },
    });
    const [pod] = await until(`pod ${namespace}/${name} Running`, 60_000, async () => {
      const pods = await runningPods(namespace, `test=${name}`);
      return pods.length === 1 ? pods : undefined;
    });
    const containerId = pod?.status?.containerStatuses?.[0]?.containerID;
    if (!containerId) throw new Error(`pod ${name} has no containerID`);
    return containerPid(state, containerId);
  };

  const seccompMode = (pid: number): string | undefined =>
    /^Seccomp:\s*(\d)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];

  const scanNodes = (namespace: string) => {
    const result = runCli([
      'scan',
      '--kubeconfig',
      state.kubeconfigPath,
      '-n',
      namespace,
      '--nodes',
      '-o',
      'json',
    ]);
    expect(result.status, result.stderr).not.toBe(2);
    const report = JSON.parse(result.stdout) as InspectionReport;
    return report.findings
      .filter((f) => f.ruleId === 'kubelet-seccomp-default' && f.workload.name === NODE_NAME)
      .map((f) => ({ messageId: f.messageId, source: f.data['source'] }));
  };

  it("is Ready, and a Deployment's pods run (controller-made ReplicaSet, scheduled, started by the kubelet)", async () => {
    const node = await api.request<{ status: { conditions: { type: string; status: string }[] } }>(
      'GET',
      `/api/v1/nodes/${NODE_NAME}`,
    );
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');

    const namespace = await createNamespace(api, 'node');
    await api.request('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, {
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: busybox, command: ['sleep', '3600'] }] },
          },
        },
      },
    });
    const pods = await until('2 pods of Deployment web Running', 90_000, async () => {
      const running = await runningPods(namespace, 'app=web');
      return running.length === 2 ? running : undefined;
    });
    for (const pod of pods) expect(pod.metadata.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
  });

  it('seccompDefault true: a pod without a profile runs filtered (Seccomp: 2) and scan --nodes finds nothing', async () => {
    if (!state.seccompDefault) await restartKubelet(state, true);
    const namespace = await createNamespace(api, 'node-seccomp-on');
    expect(seccompMode(await podWithoutProfile(namespace, 'no-profile'))).toBe('2');
    expect(scanNodes(namespace)).toEqual([]);
  });

  it('seccompDefault false: the same pod runs unfiltered (Seccomp: 0) and scan --nodes reports it from configz', async () => {
    await restartKubelet(state, false);
    const namespace = await createNamespace(api, 'node-seccomp-off');
    expect(seccompMode(await podWithoutProfile(namespace, 'no-profile'))).toBe('0');
    expect(scanNodes(namespace)).toEqual([
      { messageId: 'disabled', source: `kubelet configz of node ${NODE_NAME} (live)` },
    ]);
  });
});
