/**
 * Deterministic generator of realistic workloads for benchmarks and scale tests: mixed kinds, 1 to 3
 * containers, a spread of secure and insecure settings.
 */
import { stringify } from 'yaml';

/** Small seeded PRNG (mulberry32) so every run generates the same cluster. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS = [
  ['Deployment', 40],
  ['StatefulSet', 10],
  ['DaemonSet', 5],
  ['ReplicaSet', 5],
  ['Job', 10],
  ['CronJob', 10],
  ['Pod', 20],
] as const;

type Obj = Record<string, unknown>;

export function generateWorkload(i: number, random: () => number): Obj {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number) => random() < p;
  let roll = random() * 100;
  let kind: string = 'Deployment';
  for (const [k, weight] of KINDS) {
    if (roll < weight) {
      kind = k;
      break;
    }
    roll -= weight;
  }
  const namespace = `team-${i % 50}`;
  const name = `app-${i}`;
  const hardened = chance(0.3);
  const containers = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, c) => {
    const sc: Obj = hardened
      ? {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
          runAsNonRoot: true,
        }
      : {
          ...(chance(0.1) ? { privileged: true } : {}),
          ...(chance(0.3) ? { allowPrivilegeEscalation: chance(0.5) } : {}),
          ...(chance(0.3) ? { runAsUser: pick([0, 1000, 65534]) } : {}),
          ...(chance(0.3)
            ? {
                capabilities: {
                  add: chance(0.5) ? [pick(['NET_ADMIN', 'SYS_TIME', 'CHOWN', 'NET_BIND_SERVICE'])] : [],
                  drop: [pick(['ALL', 'all', 'NET_RAW'])],
                },
              }
            : {}),
          ...(chance(0.2)
            ? {
                seccompProfile: {
                  type: pick(['RuntimeDefault', 'Unconfined', 'Localhost']),
                  ...(chance(0.5) ? { localhostProfile: 'profiles/app.json' } : {}),
                },
              }
            : {}),
        };
    return {
      name: c === 0 ? 'app' : `sidecar-${c}`,
      image: pick([
        'nginx',
        'nginx:latest',
        'registry.example.com/app:1.2.3',
        'busybox:1.36',
        `ghcr.io/acme/svc@sha256:${'ab'.repeat(32)}`,
      ]),
      ports: [{ containerPort: 8080, ...(chance(0.05) ? { hostPort: 8080 } : {}) }],
      env: [
        { name: 'LOG_LEVEL', value: 'info' },
        ...(chance(0.1) ? [{ name: 'DB_PASSWORD', value: 'changeme' }] : []),
      ],
      ...(chance(0.6)
        ? {
            resources: {
              requests: { cpu: '100m', memory: '128Mi' },
              ...(chance(0.5) ? { limits: { cpu: '1', memory: '256Mi' } } : {}),
            },
          }
        : {}),
      ...(chance(0.5)
        ? {
            livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
            readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
          }
        : {}),
      securityContext: sc,
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
    };
  });
  const podSpec: Obj = {
    ...(chance(0.05) ? { hostNetwork: true } : {}),
    ...(chance(0.02) ? { hostPID: true } : {}),
    ...(hardened
      ? {
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          automountServiceAccountToken: false,
        }
      : {}),
    ...(chance(0.1)
      ? { initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['sh', '-c', 'true'] }] }
      : {}),
    containers,
    volumes: [
      chance(0.1)
        ? { name: 'data', hostPath: { path: pick(['/var/lib/app', '/var/run/docker.sock', '/etc']) } }
        : { name: 'data', emptyDir: {} },
    ],
  };
  const labels = { app: name };
  const podMetadata: Obj = {
    labels,
    ...(chance(0.05)
      ? { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' } }
      : {}),
  };
  const template = { metadata: podMetadata, spec: podSpec };
  const metadata = { name, namespace, labels };
  switch (kind) {
    case 'Pod':
      return {
        apiVersion: 'v1',
        kind,
        metadata: {
          ...metadata,
          ...(podMetadata['annotations'] ? { annotations: podMetadata['annotations'] } : {}),
        },
        spec: podSpec,
      };
    case 'Job':
      return {
        apiVersion: 'batch/v1',
        kind,
        metadata,
        spec: { template: { ...template, spec: { ...podSpec, restartPolicy: 'Never' } } },
      };
    case 'CronJob':
      return {
        apiVersion: 'batch/v1',
        kind,
        metadata,
        spec: {
          schedule: '*/30 * * * *',
          jobTemplate: {
            spec: { template: { ...template, spec: { ...podSpec, restartPolicy: 'OnFailure' } } },
          },
        },
      };
    case 'DaemonSet':
      return { apiVersion: 'apps/v1', kind, metadata, spec: { selector: { matchLabels: labels }, template } };
    default:
      return {
        apiVersion: 'apps/v1',
        kind,
        metadata,
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
          template,
        },
      };
  }
}

export function generateWorkloads(count: number, seed = 42): Obj[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => generateWorkload(i, random));
}

/** Multi-document YAML files of `perFile` workloads each. */
export function toYamlFiles(workloads: readonly Obj[], perFile: number): string[] {
  const files: string[] = [];
  for (let i = 0; i < workloads.length; i += perFile) {
    files.push(
      workloads
        .slice(i, i + perFile)
        .map((w) => stringify(w, { lineWidth: 0 }))
        .join('---\n'),
    );
  }
  return files;
}
