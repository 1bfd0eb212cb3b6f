import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { mintServiceAccountKubeconfig, startControlPlane } from '../harness/controlplane.ts';

function kubeConfigFrom(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

async function createTestNamespace(core: CoreV1Api): Promise<string> {
  // No namespace controller runs, so namespaces are never deleted: each test takes a fresh one.
  const name = `it-${randomUUID().slice(0, 8)}`;
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

describe('test control plane', () => {
  const adminKubeconfig = inject('kubePatrolKubeconfig');
  const admin = kubeConfigFrom(adminKubeconfig);
  const core = admin.makeApiClient(CoreV1Api);
  const apps = admin.makeApiClient(AppsV1Api);

  it('stores a namespace and a Deployment and reads them back', async () => {
    const namespace = await createTestNamespace(core);
    const deployment: V1Deployment = {
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{ name: 'web', image: 'nginx:1.27', securityContext: { privileged: true } }],
          },
        },
      },
    };
    await apps.createNamespacedDeployment({ namespace, body: deployment });

    expect((await core.readNamespace({ name: namespace })).status?.phase).toBe('Active');
    const stored = await apps.readNamespacedDeployment({ namespace, name: 'web' });
    expect(stored.metadata?.uid).toBeTruthy();
    expect(stored.spec?.replicas).toBe(2);
    expect(stored.spec?.template.spec?.containers[0]).toMatchObject({
      image: 'nginx:1.27',
      securityContext: { privileged: true },
    });
    const listed = await apps.listNamespacedDeployment({ namespace });
    expect(listed.items.map((d) => d.metadata?.name)).toEqual(['web']);
  });

  it('refuses a ServiceAccount without bindings with 403 when it lists Secrets', async () => {
    const namespace = await createTestNamespace(core);
    const saKubeconfig = await mintServiceAccountKubeconfig(adminKubeconfig, namespace, 'no-bindings');
    const asServiceAccount = kubeConfigFrom(saKubeconfig).makeApiClient(CoreV1Api);

    await expect(asServiceAccount.listNamespacedSecret({ namespace })).rejects.toMatchObject({ code: 403 });
    // The token itself is valid: the refusal is authorization, not authentication (which would be 401).
    await expect(asServiceAccount.listNamespacedSecret({ namespace })).rejects.toMatchObject({
      body: expect.stringContaining('system:serviceaccount:' + namespace + ':no-bindings'),
    });
  });

  it('stop() leaves no process, no open port and no files behind', async () => {
    const controlPlane = await startControlPlane({ binDir: inject('kubePatrolTestBinaries') });
    const namespaces = await kubeConfigFrom(controlPlane.kubeconfigPath)
      .makeApiClient(CoreV1Api)
      .listNamespace();
    expect(namespaces.items.length).toBeGreaterThan(0);
    for (const { port } of controlPlane.processes) expect(await portAccepts(port)).toBe(true);

    await controlPlane.stop();

    for (const { name, pid, port } of controlPlane.processes) {
      expect({ name, running: processExists(pid) }).toEqual({ name, running: false });
      expect({ name, port, open: await portAccepts(port) }).toEqual({ name, port, open: false });
    }
    expect(existsSync(controlPlane.dir)).toBe(false);
  });
});
