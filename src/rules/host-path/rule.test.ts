import { testRule } from '../../../test/support/rule-kit.ts';
import { hostPath } from './rule.ts';

const image = 'busybox:1.36';

/** A pod with one hostPath volume "host" mounted by container "app" (read-only unless told). */
function podWith(
  path: string,
  mount: { readOnly?: boolean } | null = { readOnly: true },
): Record<string, unknown> {
  return {
    volumes: [{ name: 'host', hostPath: { path } }],
    containers: [
      {
        name: 'app',
        image,
        ...(mount ? { volumeMounts: [{ name: 'host', mountPath: '/host', ...mount }] } : {}),
      },
    ],
  };
}

const at = 'spec.volumes[0].hostPath.path';

testRule(hostPath, {
  valid: [
    { name: 'no volumes', podSpec: { containers: [{ name: 'app', image }] } },
    {
      name: 'emptyDir and configMap volumes',
      podSpec: {
        volumes: [
          { name: 'a', emptyDir: {} },
          { name: 'b', configMap: { name: 'cfg' } },
        ],
        containers: [{ name: 'app', image }],
      },
    },
    {
      name: 'hostPath null',
      podSpec: {
        volumes: [{ name: 'a', hostPath: null, emptyDir: {} }],
        containers: [{ name: 'app', image }],
      },
    },
  ],
  invalid: [
    {
      name: 'ordinary host path, writable',
      podSpec: podWith('/var/log', {}),
      findings: [
        {
          messageId: 'hostPath',
          path: at,
          container: null,
          severity: 'high',
          data: { volume: 'host', hostPath: '/var/log' },
        },
      ],
    },
    {
      name: 'hostPath without a path (upstream still forbids it)',
      podSpec: { volumes: [{ name: 'host', hostPath: {} }], containers: [{ name: 'app', image }] },
      findings: [
        { messageId: 'hostPath', path: at, container: null, severity: 'high', data: { hostPath: '' } },
      ],
    },
    {
      name: 'docker socket, even read-only',
      podSpec: podWith('/var/run/docker.sock'),
      findings: [
        {
          messageId: 'runtimeSocket',
          path: at,
          severity: 'critical',
          data: { hostPath: '/var/run/docker.sock' },
        },
      ],
    },
    {
      name: 'containerd socket directory',
      podSpec: podWith('/run/containerd/'),
      findings: [
        {
          messageId: 'runtimeSocket',
          path: at,
          severity: 'critical',
          data: { hostPath: '/run/containerd/' },
        },
      ],
    },
    {
      name: 'crio socket in an unusual place',
      podSpec: podWith('/opt/crio/crio.sock', null),
      findings: [{ messageId: 'runtimeSocket', path: at, severity: 'critical' }],
    },
    {
      name: '/var/run itself holds the sockets',
      podSpec: podWith('/var/run'),
      findings: [{ messageId: 'runtimeSocket', path: at, severity: 'critical' }],
    },
    {
      name: 'other files under /run are not runtime sockets',
      podSpec: podWith('/run/xtables.lock', {}),
      findings: [{ messageId: 'hostPath', path: at, severity: 'high' }],
    },
    {
      name: '/etc read-only stays high',
      podSpec: podWith('/etc'),
      findings: [{ messageId: 'hostPath', path: at, severity: 'high' }],
    },
    {
      name: '/etc not mounted by any container stays high',
      podSpec: podWith('/etc', null),
      findings: [{ messageId: 'hostPath', path: at, severity: 'high' }],
    },
    {
      name: '/etc writable (readOnly false)',
      podSpec: podWith('/etc', { readOnly: false }),
      findings: [
        {
          messageId: 'sensitiveWritable',
          path: at,
          severity: 'critical',
          data: { hostPath: '/etc', container: 'app' },
        },
      ],
    },
    {
      name: 'root filesystem writable',
      podSpec: podWith('/', {}),
      findings: [{ messageId: 'sensitiveWritable', path: at, severity: 'critical', data: { hostPath: '/' } }],
    },
    {
      name: 'root filesystem read-only stays high',
      podSpec: podWith('/'),
      findings: [{ messageId: 'hostPath', path: at, severity: 'high' }],
    },
    {
      name: 'subdirectory of the kubelet dir writable',
      podSpec: podWith('/var/lib/kubelet/pods', {}),
      findings: [{ messageId: 'sensitiveWritable', path: at, severity: 'critical' }],
    },
    {
      name: 'parent of /var/lib/kubelet writable',
      podSpec: podWith('/var//lib/', {}),
      findings: [
        { messageId: 'sensitiveWritable', path: at, severity: 'critical', data: { hostPath: '/var//lib/' } },
      ],
    },
    {
      name: 'dot segments are resolved',
      podSpec: podWith('/tmp/../etc/kubernetes', {}),
      findings: [{ messageId: 'sensitiveWritable', path: at, severity: 'critical' }],
    },
    {
      name: 'look-alike path is not sensitive',
      podSpec: podWith('/etcd-data', {}),
      findings: [{ messageId: 'hostPath', path: at, severity: 'high' }],
    },
    {
      name: 'writable mount by an init or ephemeral container counts',
      podSpec: {
        volumes: [
          { name: 'host', hostPath: { path: '/sys' } },
          { name: 'dev', hostPath: { path: '/dev' } },
        ],
        initContainers: [{ name: 'init', image, volumeMounts: [{ name: 'host', mountPath: '/sys' }] }],
        containers: [
          {
            name: 'app',
            image,
            volumeMounts: [
              { name: 'host', mountPath: '/sys', readOnly: true },
              { name: 'dev', mountPath: '/dev', readOnly: true },
            ],
          },
        ],
        ephemeralContainers: [{ name: 'debug', image, volumeMounts: [{ name: 'dev', mountPath: '/dev' }] }],
      },
      findings: [
        {
          messageId: 'sensitiveWritable',
          path: at,
          severity: 'critical',
          data: { hostPath: '/sys', container: 'init' },
        },
        {
          messageId: 'sensitiveWritable',
          path: 'spec.volumes[1].hostPath.path',
          severity: 'critical',
          data: { hostPath: '/dev', container: 'debug' },
        },
      ],
    },
    {
      name: 'hostPath, oldest policy version',
      version: 'v1.25',
      podSpec: podWith('/data'),
      findings: [{ messageId: 'hostPath', path: at, severity: 'high' }],
    },
  ],
});
