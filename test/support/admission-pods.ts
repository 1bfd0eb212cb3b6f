/**
 * fast-check arbitraries for random Pods that the API server accepts (its validation passes), varying
 * every field the exported admission policies (src/admission) and the Pod Security Standards look at:
 * read-only root filesystems, image references, resources, legacy seccomp/AppArmor annotations, the
 * exemption annotations, privileged settings, host namespaces and volumes. Unlike test/support/pss-pods.ts
 * (well-typed, not valid), every pod here can be created, so its admission verdict is the policies'.
 *
 * Half the pods are "hardened": each field takes a compliant value most of the time, so pods pass often
 * and differ from a passing pod by one or two fields.
 */
import fc from 'fast-check';
import { clean } from './pss-pods.ts';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
export const IMAGES = [
  'nginx',
  'nginx:latest',
  'nginx:1.27',
  'docker.io/library/nginx:1.27.3',
  'registry.local:5000/app',
  'registry.local:5000/app:v2',
  'registry.local:5000/team/app:latest',
  `app@${DIGEST}`,
  `nginx:latest@${DIGEST}`,
  'ghcr.io/org/tool:LATEST',
  'localhost/app:latest-1',
];
const GOOD_IMAGES = ['nginx:1.27', `app@${DIGEST}`, 'registry.local:5000/app:v2'];
/** Container names: the exemption annotations and config exemptions name some of them. */
const CONTAINER_NAMES = ['c0', 'c1', 'c2', 'web', 'side'];

function pick<T, U>(w: number, safe: fc.Arbitrary<T>, other: fc.Arbitrary<U>): fc.Arbitrary<T | U> {
  return fc.oneof({ arbitrary: safe, weight: w }, { arbitrary: other, weight: 1 }) as fc.Arbitrary<T | U>;
}
const none = fc.constant(undefined);
const any = <T>(...values: T[]) => fc.constantFrom(...values);

function podArbitrary(w: number) {
  const resources = fc
    .record({
      requests: fc.option(fc.subarray(['cpu', 'memory']), { nil: undefined }),
      limits: fc.option(fc.subarray(['cpu', 'memory']), { nil: undefined }),
    })
    .map(({ requests, limits }) => ({
      ...(requests
        ? { requests: Object.fromEntries(requests.map((r) => [r, r === 'cpu' ? '100m' : '64Mi'])) }
        : {}),
      ...(limits
        ? { limits: Object.fromEntries(limits.map((r) => [r, r === 'cpu' ? '200m' : '128Mi'])) }
        : {}),
    }));
  const fullResources = fc.constant({
    requests: { cpu: '100m', memory: '64Mi' },
    limits: { cpu: '200m', memory: '128Mi' },
  });
  const securityContext = fc
    .record({
      readOnlyRootFilesystem: pick(w, fc.constant(true), fc.option(fc.boolean(), { nil: undefined })),
      privileged: pick(w, none, fc.option(fc.boolean(), { nil: undefined })),
      allowPrivilegeEscalation: pick(w, fc.constant(false), fc.option(fc.boolean(), { nil: undefined })),
      runAsNonRoot: pick(w, fc.constant(true), fc.option(fc.boolean(), { nil: undefined })),
      runAsUser: pick(w, none, fc.option(any(0, 1000), { nil: undefined })),
      capabilities: pick(
        w,
        fc.constant({ drop: ['ALL'] }),
        fc.option(
          fc.record({
            add: fc.option(fc.subarray(['NET_BIND_SERVICE', 'CHOWN', 'NET_ADMIN']), { nil: undefined }),
            drop: fc.option(any(['ALL'], ['all'], ['NET_RAW']), { nil: undefined }),
          }),
          { nil: undefined },
        ),
      ),
      seccompProfile: pick(
        w,
        none,
        fc.option(
          any(
            { type: 'RuntimeDefault' },
            { type: 'Unconfined' },
            { type: 'Localhost', localhostProfile: 'p.json' },
          ),
          {
            nil: undefined,
          },
        ),
      ),
    })
    .map((sc) => {
      // The API refuses allowPrivilegeEscalation: false together with privileged: true.
      if (sc.privileged === true && sc.allowPrivilegeEscalation === false)
        return { ...sc, allowPrivilegeEscalation: undefined };
      return sc;
    });
  const probe = fc.constant({ exec: { command: ['true'] } });
  const container = fc.record({
    image: pick(w, any(...GOOD_IMAGES), any(...IMAGES)),
    securityContext: fc.option(securityContext, { nil: undefined, freq: 6 }),
    resources: pick(w, fullResources, fc.option(resources, { nil: undefined })),
    livenessProbe: fc.option(probe, { nil: undefined }),
    readinessProbe: fc.option(probe, { nil: undefined }),
  });
  const initContainer = fc.record({
    image: pick(w, any(...GOOD_IMAGES), any(...IMAGES)),
    securityContext: fc.option(securityContext, { nil: undefined, freq: 6 }),
    resources: pick(w, fullResources, fc.option(resources, { nil: undefined })),
    // A sidecar (v1.29+) is long-running: resources-missing counts it.
    restartPolicy: fc.option(fc.constant('Always'), { nil: undefined }),
  });
  return fc
    .record({
      containers: fc.array(container, { minLength: 1, maxLength: 3 }),
      initContainers: fc.option(fc.array(initContainer, { minLength: 1, maxLength: 2 }), {
        nil: undefined,
        freq: 2,
      }),
      names: fc.shuffledSubarray(CONTAINER_NAMES, { minLength: 5, maxLength: 5 }),
      podSecurityContext: pick(
        w,
        fc.constant({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }),
        fc.option(
          fc.record({
            runAsNonRoot: fc.option(fc.boolean(), { nil: undefined }),
            runAsUser: fc.option(any(0, 1000), { nil: undefined }),
            seccompProfile: fc.option(any({ type: 'RuntimeDefault' }, { type: 'Unconfined' }), {
              nil: undefined,
            }),
          }),
          { nil: undefined },
        ),
      ),
      hostNetwork: pick(w, none, fc.option(fc.boolean(), { nil: undefined })),
      hostPID: pick(w, none, fc.option(fc.boolean(), { nil: undefined })),
      volumes: pick(
        w,
        fc.option(fc.subarray(['emptyDir', 'configMap']), { nil: undefined }),
        fc.option(fc.subarray(['emptyDir', 'configMap', 'hostPath', 'image', 'imageLatest']), {
          nil: undefined,
        }),
      ),
      podResources: fc.option(
        fc.constant({ requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '4', memory: '2Gi' } }),
        {
          nil: undefined,
          freq: 6,
        },
      ),
      os: fc.option(any({ name: 'linux' }), { nil: undefined, freq: 4 }),
      automount: fc.option(fc.boolean(), { nil: undefined }),
      annotations: fc.option(
        fc.subarray([
          'exempt-rofs',
          'exempt-rofs-c1',
          'exempt-image-empty',
          'exempt-image-c0',
          'exempt-resources',
          'seccomp-pod',
          'seccomp-c0',
          'seccomp-ghost',
          'apparmor-c0',
          'apparmor-c1-localhost',
          'apparmor-c2',
          'exempt-seccomp-annotation-c0',
          'exempt-apparmor-ghost',
          'unrelated',
        ]),
        { nil: undefined },
      ),
    })
    .map((p) => {
      const name = (i: number) => p.names[i] as string;
      const containers = p.containers.map((c, i) => ({ name: name(i), ...c }));
      const initContainers = p.initContainers?.map((c, i) => ({ name: name(3 + i), ...c }));
      const allNames = [...containers, ...(initContainers ?? [])].map((c) => c.name);
      // Annotations name containers c0 and c1 (present or not: the rules say which container then).
      const a: Record<string, string> = {};
      // The API refuses a seccomp annotation whose profile differs from a field's: only beside RuntimeDefault.
      const profiles = [p.podSecurityContext, ...containers, ...(initContainers ?? [])].map(
        (x) => (x && 'securityContext' in x ? x.securityContext : x)?.seccompProfile?.type,
      );
      const seccompAnnotations = profiles.every((t) => t === undefined || t === 'RuntimeDefault');
      for (const key of p.annotations ?? []) {
        if (key.startsWith('seccomp') && !seccompAnnotations) continue;
        if (key === 'exempt-rofs') a['kube-patrol.io/exempt.read-only-root-fs'] = 'writes /tmp';
        if (key === 'exempt-rofs-c1') a['kube-patrol.io/exempt.read-only-root-fs.c1'] = 'writes its cache';
        if (key === 'exempt-image-empty') a['kube-patrol.io/exempt.image-tag-mutable'] = ' ';
        if (key === 'exempt-image-c0')
          a['kube-patrol.io/exempt.image-tag-mutable.c0'] = 'pinned by the registry';
        if (key === 'exempt-resources') a['kube-patrol.io/exempt.resources-missing'] = 'batch';
        if (key === 'seccomp-pod') a['seccomp.security.alpha.kubernetes.io/pod'] = 'runtime/default';
        if (key === 'seccomp-c0' && allNames.includes('c0'))
          a['container.seccomp.security.alpha.kubernetes.io/c0'] = 'runtime/default';
        if (key === 'seccomp-ghost')
          a['container.seccomp.security.alpha.kubernetes.io/ghost'] = 'runtime/default';
        if (key === 'apparmor-c0' && allNames.includes('c0'))
          a['container.apparmor.security.beta.kubernetes.io/c0'] = 'runtime/default';
        if (key === 'apparmor-c1-localhost' && allNames.includes('c1'))
          a['container.apparmor.security.beta.kubernetes.io/c1'] = 'localhost/profile-a';
        if (key === 'apparmor-ghost')
          a['container.apparmor.security.beta.kubernetes.io/ghost'] = 'unconfined';
        if (key === 'exempt-seccomp-annotation-c0')
          a['kube-patrol.io/exempt.seccomp-annotation-deprecated.c0'] = 'migrating';
        if (key === 'exempt-apparmor-ghost')
          a['kube-patrol.io/exempt.apparmor-annotation-deprecated.ghost'] = 'not this one';
        if (key === 'unrelated') a['example.com/owner'] = 'team-a';
      }
      const volumes = (p.volumes ?? []).map((type, i) => {
        const v = `v${i}`;
        if (type === 'emptyDir') return { name: v, emptyDir: {} };
        if (type === 'configMap') return { name: v, configMap: { name: 'cm' } };
        if (type === 'hostPath') return { name: v, hostPath: { path: '/var/log' } };
        if (type === 'image') return { name: v, image: { reference: 'registry.local:5000/data:v1' } };
        return { name: v, image: { reference: 'registry.local:5000/data' } };
      });
      return clean({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'pod', ...(Object.keys(a).length > 0 ? { annotations: a } : {}) },
        spec: {
          containers,
          ...(initContainers ? { initContainers } : {}),
          ...(p.podSecurityContext ? { securityContext: p.podSecurityContext } : {}),
          ...(p.hostNetwork !== undefined ? { hostNetwork: p.hostNetwork } : {}),
          ...(p.hostPID !== undefined ? { hostPID: p.hostPID } : {}),
          ...(volumes.length > 0 ? { volumes } : {}),
          ...(p.podResources ? { resources: p.podResources } : {}),
          ...(p.os ? { os: p.os } : {}),
          ...(p.automount !== undefined ? { automountServiceAccountToken: p.automount } : {}),
        },
      });
    });
}

/** A random valid Pod (name `pod`, no namespace: the test gives both). */
export const admissionPod = fc.oneof(podArbitrary(1), podArbitrary(8));
/** Pods that are nearly always compliant: a namespace of a few of them often passes restricted. */
export const hardenedAdmissionPod = podArbitrary(40);
