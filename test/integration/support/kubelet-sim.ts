// What the kubelet gives a Pod of manifests/' Deployment, for the tests that run the image without a node:
// the service account token volume (a real token from the TokenRequest API), the configMap and emptyDir
// volumes, the in-cluster environment (KUBERNETES_SERVICE_*, the Deployment's env with its fieldRefs).
// The host's network is shared, so a busy metrics port is moved in the config (and said so).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parseDocument } from 'yaml';
import type { KubeClient } from '../../../src/kube/client.ts';
import type { Obj } from './cluster.ts';
import type { Volume } from './container.ts';
import { applyServerSide, kustomize } from './kustomize.ts';

export interface Probe {
  httpGet: { path: string; port: string | number };
}
export interface ContainerSpecYaml {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: Probe;
  readinessProbe: Probe;
  startupProbe?: Probe;
  resources?: { limits?: { memory?: string; cpu?: string } };
  securityContext: {
    runAsUser?: number;
    runAsGroup?: number;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type: string };
  };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface PodSpecYaml {
  serviceAccountName: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds: number;
  securityContext: { runAsUser?: number; runAsGroup?: number; seccompProfile?: { type: string } };
  containers: ContainerSpecYaml[];
  volumes: { name: string; configMap?: { name: string }; emptyDir?: { sizeLimit?: string } }[];
}

export const SERVICE_ACCOUNT_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

export const quantityBytes = (quantity: string) => {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!match) throw new Error(`unsupported quantity ${quantity}`);
  return Number(match[1]) * { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[match[2] ?? '']!;
};

export const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });

/** A name like a ReplicaSet's Pod: kube-patrol-<hash>-<suffix>. */
export const podNameFor = (deployment: string) =>
  `${deployment}-${randomBytes(4).toString('hex')}-${randomBytes(3).toString('hex').slice(0, 5)}`;

/** The projected token volume's three files, the token minted by the TokenRequest API. */
export async function writeServiceAccountVolume(
  admin: KubeClient,
  kubeconfig: string,
  namespace: string,
  serviceAccount: string,
  dir: string,
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const token = await admin.request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`,
    {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: [], expirationSeconds: 3600, boundObjectRef: null },
      },
    },
  );
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'token'), token.status.token);
  writeFileSync(join(dir, 'ca.crt'), Buffer.from(kc.getCurrentCluster()!.caData!, 'base64'));
  writeFileSync(join(dir, 'namespace'), namespace);
}

/**
 * The container's volumes, the token first: configMap volumes as files under `dir`, emptyDirs as tmpfs.
 * Returns the port the operator will listen on (the Deployment's, unless another program holds it).
 */
export async function podVolumes(
  manifests: readonly Obj[],
  pod: PodSpecYaml,
  spec: ContainerSpecYaml,
  tokenDir: string,
  dir: string,
): Promise<{ volumes: Volume[]; metricsPort: number }> {
  let metricsPort = spec.ports.find((p) => p.name === 'metrics')!.containerPort;
  const volumes: Volume[] = [
    { kind: 'bind', target: SERVICE_ACCOUNT_MOUNT, source: tokenDir, readOnly: true },
  ];
  for (const mount of spec.volumeMounts) {
    const volume = pod.volumes.find((v) => v.name === mount.name)!;
    if (volume.configMap) {
      const configMap = manifests.find(
        (o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap!.name,
      ) as Obj & { data: Record<string, string> };
      const files = join(dir, mount.name);
      mkdirSync(files, { recursive: true });
      for (const [key, value] of Object.entries(configMap.data)) {
        let text = value;
        if (key === 'config.yaml' && !(await portFree(metricsPort))) {
          const config = parseDocument(value);
          metricsPort = 20000 + Math.floor(Math.random() * 20000);
          config.setIn(['server', 'port'], metricsPort);
          text = config.toString();
          console.warn(
            `port ${spec.ports[0]!.containerPort} is busy on this host: the operator listens on ${metricsPort} instead`,
          );
        }
        writeFileSync(join(files, key), text);
      }
      volumes.push({
        kind: 'bind',
        target: mount.mountPath,
        source: files,
        readOnly: mount.readOnly ?? false,
      });
    } else if (volume.emptyDir) {
      volumes.push({
        kind: 'tmpfs',
        target: mount.mountPath,
        sizeBytes: quantityBytes(volume.emptyDir.sizeLimit ?? '64Mi'),
      });
    } else {
      throw new Error(`volume ${volume.name}: only configMap and emptyDir are simulated`);
    }
  }
  return { volumes, metricsPort };
}

/** KUBERNETES_SERVICE_* for the API server of `kubeconfig`, HOSTNAME, and the Deployment's env. */
export function inClusterEnv(
  kubeconfig: string,
  spec: ContainerSpecYaml,
  podName: string,
  namespace: string,
): Record<string, string> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const server = new URL(kc.getCurrentCluster()!.server);
  const env: Record<string, string> = {
    HOSTNAME: podName,
    KUBERNETES_SERVICE_HOST: server.hostname,
    KUBERNETES_SERVICE_PORT: server.port,
    KUBERNETES_SERVICE_PORT_HTTPS: server.port,
    KUBERNETES_PORT: `tcp://${server.hostname}:${server.port}`,
  };
  for (const variable of spec.env ?? []) {
    const field = variable.valueFrom?.fieldRef?.fieldPath;
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (field === 'metadata.name') env[variable.name] = podName;
    else if (field === 'metadata.namespace') env[variable.name] = namespace;
    else
      throw new Error(`env ${variable.name}: only value and fieldRef metadata.name/namespace are simulated`);
  }
  return env;
}

/** The port a probe targets, by number or by the container port's name. */
export const probePort = (spec: ContainerSpecYaml, probe: Probe) =>
  typeof probe.httpGet.port === 'number'
    ? probe.httpGet.port
    : spec.ports.find((p) => p.name === probe.httpGet.port)!.containerPort;

export interface SimulatedPod {
  readonly manifests: readonly Obj[];
  readonly namespace: string;
  readonly pod: PodSpecYaml;
  readonly spec: ContainerSpecYaml;
  readonly podName: string;
  readonly volumes: Volume[];
  readonly metricsPort: number;
  /** KUBERNETES_SERVICE_*, HOSTNAME and the Deployment's env (the image's own env comes first). */
  readonly env: Record<string, string>;
}

/**
 * The install, `kubectl apply --server-side -k manifests/` verbatim, then what the kubelet would give one Pod
 * of its Deployment: the token, the volumes under `work`/volumes, the in-cluster env.
 */
export async function installAndSimulatePod(
  admin: KubeClient,
  kubeconfig: string,
  work: string,
): Promise<SimulatedPod> {
  const rendered = kustomize('manifests');
  const applied = applyServerSide(kubeconfig, rendered.yaml);
  if (applied.status !== 0) throw new Error(`kubectl apply -k manifests failed: ${applied.stderr}`);
  const deployment = rendered.objects.find((o) => o.kind === 'Deployment') as Obj & {
    spec: { template: { spec: PodSpecYaml } };
  };
  const namespace = deployment.metadata.namespace!;
  const pod = deployment.spec.template.spec;
  const spec = pod.containers[0]!;
  const podName = podNameFor(deployment.metadata.name);
  const tokenDir = join(work, 'volumes', 'kube-api-access');
  await writeServiceAccountVolume(admin, kubeconfig, namespace, pod.serviceAccountName, tokenDir);
  const { volumes, metricsPort } = await podVolumes(
    rendered.objects,
    pod,
    spec,
    tokenDir,
    join(work, 'volumes'),
  );
  const env = inClusterEnv(kubeconfig, spec, podName, namespace);
  return { manifests: rendered.objects, namespace, pod, spec, podName, volumes, metricsPort, env };
}
