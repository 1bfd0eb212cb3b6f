/**
 * fast-check arbitraries for random, well-typed Pods that exercise every field the Pod Security
 * Standards look at. Well-typed means a Go `v1.Pod` decodes them (no `weird` values, unlike
 * test/unit/engine.property.test.ts), so the upstream reference (hack/testbin/psa-eval) can read them.
 * Used by test/integration/pss-differential.test.ts.
 *
 * Half the pods are "hardened": every field takes a compliant (restricted) value most of the time and a
 * random one otherwise, so that pods pass restricted often enough and differ from a passing pod by one
 * or two fields — where the edge cases are.
 */
import fc from 'fast-check';

export function clean<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clean) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, clean(v)]),
    ) as T;
  }
  return value;
}
/** A record whose keys are all optional; undefined values are dropped so the JSON stays clean. */
const partial = <T extends Record<string, unknown>>(
  model: { [K in keyof T]: fc.Arbitrary<T[K]> },
  requiredKeys: (keyof T)[] = [],
) => fc.record(model, { requiredKeys }).map(clean);

export const CAPABILITIES = [
  'ALL',
  'all',
  'All',
  'NET_BIND_SERVICE',
  'net_bind_service',
  'CAP_NET_BIND_SERVICE',
  'CHOWN',
  'KILL',
  'AUDIT_WRITE',
  'SETFCAP',
  'SYS_CHROOT',
  'MKNOD',
  'NET_RAW',
  'NET_ADMIN',
  'SYS_ADMIN',
  'sys_admin',
  'CAP_SYS_ADMIN',
  'SYS_PTRACE',
  'BPF',
  '',
];
export const SYSCTLS = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_slow_start_after_idle',
  'net.ipv4.tcp_notsent_lowat',
  'kernel.msgmax',
  'net.core.somaxconn',
  'kernel/shm_rmid_forced',
  'net.ipv4.ip_forward',
  '',
];
const PROFILE_TYPES = ['RuntimeDefault', 'Localhost', 'Unconfined', '', 'Bogus', 'runtimedefault'];
const SELINUX_TYPES = [
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
  'spc_t',
  '',
  'CONTAINER_T',
  'unconfined_t',
];
const CONTAINER_NAMES = ['c0', 'c1', 'i0', 'e0', 'zz'];
const VOLUME_SOURCES: Record<string, unknown> = {
  configMap: { name: 'cm' },
  csi: { driver: 'x' },
  downwardAPI: {},
  emptyDir: {},
  ephemeral: { volumeClaimTemplate: { spec: {} } },
  image: { reference: 'img:1' },
  persistentVolumeClaim: { claimName: 'c' },
  projected: { sources: [] },
  secret: { secretName: 's' },
  hostPath: { path: '/var/run/docker.sock' },
  nfs: { server: 'x', path: '/' },
  gitRepo: { repository: 'r' },
  iscsi: { targetPortal: 'x', iqn: 'x', lun: 0 },
  rbd: { monitors: ['x'], image: 'x' },
  cephfs: { monitors: ['x'] },
  flexVolume: { driver: 'x' },
  cinder: { volumeID: 'x' },
  fc: {},
  azureFile: { secretName: 'x', shareName: 'y' },
  gcePersistentDisk: { pdName: 'x' },
  awsElasticBlockStore: { volumeID: 'x' },
  glusterfs: { endpoints: 'x', path: 'y' },
  portworxVolume: { volumeID: 'x' },
  scaleIO: { gateway: 'x', system: 'y', secretRef: {} },
  storageos: {},
  quobyte: { registry: 'x', volume: 'y' },
  azureDisk: { diskName: 'x', diskURI: 'y' },
  vsphereVolume: { volumePath: 'x' },
  photonPersistentDisk: { pdID: 'x' },
  flocker: {},
};
const RESTRICTED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

/** Arbitraries of one pod, where `w` is how much more often a compliant value comes than a random one. */
function podArbitrary(w: number) {
  const none = fc.constant(undefined);
  /** `safe` w times as often as `other`. */
  const pick = <T, U>(safe: fc.Arbitrary<T>, other: fc.Arbitrary<U>) =>
    fc.oneof({ arbitrary: safe, weight: w }, { arbitrary: other, weight: 1 }) as fc.Arbitrary<T | U>;
  /** Absent (compliant for most fields) or any of the values. */
  const opt = <T>(values: fc.Arbitrary<T>) => pick(none, values);
  const any = <T>(...values: T[]) => fc.constantFrom(...values);

  const profile = partial({
    type: any(...PROFILE_TYPES),
    localhostProfile: fc.option(any('p.json', ''), { nil: undefined }),
  });
  const goodProfile = fc
    .record({ type: any('RuntimeDefault', 'Localhost') })
    .map((p) => (p.type === 'Localhost' ? { ...p, localhostProfile: 'p.json' } : p));
  const seLinuxOptions = partial({
    type: fc.option(any(...SELINUX_TYPES), { nil: undefined }),
    user: opt(any('', 'system_u')),
    role: opt(any('', 'system_r')),
    level: fc.option(any('', 's0:c1,c2'), { nil: undefined }),
  });
  const windowsOptions = partial({
    hostProcess: opt(fc.boolean()),
    runAsUserName: fc.option(any('ContainerUser'), { nil: undefined }),
  });
  const capabilities = partial(
    {
      add: opt(fc.array(any(...CAPABILITIES), { maxLength: 3 })),
      drop: pick(
        fc.constant(['ALL']),
        fc.option(fc.array(any(...CAPABILITIES), { maxLength: 2 }), { nil: undefined }),
      ),
    },
    ['drop'],
  );
  const containerSecurityContext = partial(
    {
      privileged: opt(fc.boolean()),
      allowPrivilegeEscalation: pick(fc.constant(false), fc.option(fc.boolean(), { nil: undefined })),
      runAsNonRoot: opt(fc.boolean()),
      runAsUser: opt(any(0, 1, 1000)),
      procMount: opt(any('Default', 'Unmasked', '')),
      capabilities: pick(capabilities, none),
      seccompProfile: opt(profile),
      appArmorProfile: opt(profile),
      seLinuxOptions: opt(seLinuxOptions),
      windowsOptions: opt(windowsOptions),
    },
    ['allowPrivilegeEscalation', 'capabilities'],
  );
  const host = any('', 'localhost', '127.0.0.1', '10.0.0.1', 'example.com');
  const hostOpt = opt(host);
  const handler = fc.oneof(
    fc.record({
      httpGet: partial({
        host: hostOpt,
        port: any<number | string>(80, 'http'),
        path: fc.option(fc.constant('/healthz'), { nil: undefined }),
      }),
    }),
    fc.record({ tcpSocket: partial({ host: hostOpt, port: fc.constant(80) }) }),
    fc.record({ exec: fc.constant({ command: ['true'] }) }),
  );
  const lifecycleHandler = fc.oneof(handler, fc.record({ sleep: fc.constant({ seconds: 1 }) }));
  const container = partial({
    image: fc.constant('nginx:1.27'),
    securityContext: pick(containerSecurityContext, none),
    ports: fc.option(
      fc.array(
        partial({
          containerPort: fc.constant(80),
          hostPort: opt(any(0, 80, 8080)),
          protocol: fc.option(any('TCP', 'UDP'), { nil: undefined }),
        }),
        { maxLength: 2 },
      ),
      { nil: undefined },
    ),
    livenessProbe: fc.option(handler, { nil: undefined }),
    readinessProbe: fc.option(handler, { nil: undefined }),
    startupProbe: fc.option(handler, { nil: undefined, freq: 4 }),
    lifecycle: fc.option(
      partial({
        postStart: fc.option(lifecycleHandler, { nil: undefined }),
        preStop: fc.option(lifecycleHandler, { nil: undefined }),
      }),
      { nil: undefined },
    ),
  });
  const volumeType = pick(any(...RESTRICTED_VOLUMES), any(...Object.keys(VOLUME_SOURCES)));
  const podSecurityContext = partial(
    {
      runAsNonRoot: pick(fc.constant(true), fc.option(fc.boolean(), { nil: undefined })),
      runAsUser: opt(any(0, 1, 1000)),
      seccompProfile: pick(goodProfile, fc.option(profile, { nil: undefined })),
      appArmorProfile: opt(profile),
      seLinuxOptions: opt(seLinuxOptions),
      windowsOptions: opt(windowsOptions),
      sysctls: opt(fc.array(fc.record({ name: any(...SYSCTLS), value: fc.constant('1') }), { maxLength: 2 })),
    },
    ['runAsNonRoot', 'seccompProfile'],
  );
  const annotations = fc.dictionary(
    fc.oneof(
      fc.constant('seccomp.security.alpha.kubernetes.io/pod'),
      any(...CONTAINER_NAMES).map((n) => `container.seccomp.security.alpha.kubernetes.io/${n}`),
      any(...CONTAINER_NAMES).map((n) => `container.apparmor.security.beta.kubernetes.io/${n}`),
      fc.constant('example.com/other'),
    ),
    any('', 'runtime/default', 'docker/default', 'localhost/p', 'localhost/', 'unconfined', 'bogus'),
    { maxKeys: 3 },
  );
  return fc.record({
    annotations: opt(annotations),
    hostNetwork: opt(fc.boolean()),
    hostPID: opt(fc.boolean()),
    hostIPC: opt(fc.boolean()),
    hostUsers: fc.option(fc.boolean(), { nil: undefined }),
    os: opt(fc.record({ name: any('linux', 'windows', 'Windows') })),
    securityContext: pick(podSecurityContext, none),
    volumes: fc.option(fc.array(volumeType, { maxLength: 3 }), { nil: undefined }),
    initContainers: fc.option(fc.array(container, { maxLength: 1 }), { nil: undefined }),
    containers: fc.array(container, { minLength: 1, maxLength: 2 }),
    ephemeralContainers: fc.option(fc.array(container, { maxLength: 1 }), { nil: undefined, freq: 3 }),
  });
}

/** A random Pod (apiVersion v1, kind Pod). Container names: c0.., i0.. (init), e0.. (ephemeral). */
export const pssPod = fc
  .oneof(podArbitrary(1), podArbitrary(12))
  .map(({ annotations, volumes, initContainers, containers, ephemeralContainers, ...rest }) => {
    const name = (prefix: string) => (c: Record<string, unknown>, i: number) => ({
      name: `${prefix}${i}`,
      ...c,
    });
    const spec = clean({
      ...rest,
      ...(volumes
        ? { volumes: volumes.map((type, i) => ({ name: `v${i}`, [type]: VOLUME_SOURCES[type] })) }
        : {}),
      ...(initContainers ? { initContainers: initContainers.map(name('i')) } : {}),
      containers: containers.map(name('c')),
      ...(ephemeralContainers ? { ephemeralContainers: ephemeralContainers.map(name('e')) } : {}),
    });
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'demo', namespace: 'test', ...(annotations ? { annotations } : {}) },
      spec,
    };
  });
