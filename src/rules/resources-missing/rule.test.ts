import { testRule, type ExpectedFinding } from '../../../test/support/rule-kit.ts';
import { resourcesMissing } from './rule.ts';

const full = { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } };
const app = (resources?: unknown) => ({
  name: 'app',
  image: 'nginx:1.27',
  ...(resources === undefined ? {} : { resources }),
});

/** One finding per container, naming every missing field in a fixed order. */
const missing = (
  fields: string[],
  prefix = 'spec.containers[0]',
  container = 'app',
): ExpectedFinding<'resourcesMissing'>[] => [
  {
    messageId: 'resourcesMissing',
    path: `${prefix}.resources`,
    container,
    data: { container, missing: fields.join(', ') },
  },
];
const DEFAULT_FIELDS = ['requests.cpu', 'requests.memory', 'limits.memory'];
const ALL = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];
const cpuLimit = { requireCpuLimit: true };

testRule(
  resourcesMissing,
  {
    valid: [
      { name: 'requests and a memory limit set', podSpec: { containers: [app(full)] } },
      {
        name: 'no CPU limit needed by default',
        podSpec: { containers: [app({ requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1Gi' } })] },
      },
      {
        name: 'CPU limit present when the option asks for it',
        options: cpuLimit,
        podSpec: { containers: [app({ ...full, limits: { cpu: '1', memory: '256Mi' } })] },
      },
      {
        name: 'limits only: the API server defaults requests to limits',
        podSpec: { containers: [app({ limits: { cpu: 1, memory: '1Gi' } })] },
      },
      {
        name: 'init containers that run to completion and ephemeral containers are not checked',
        podSpec: {
          initContainers: [
            { name: 'init', image: 'busybox:1.36' },
            { name: 'once', image: 'busybox:1.36', restartPolicy: 'Never' },
          ],
          containers: [app(full)],
          ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36' }],
        },
      },
      {
        name: 'sidecar with its resources set',
        podSpec: {
          initContainers: [{ name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always', resources: full }],
          containers: [app(full)],
        },
      },
      {
        name: 'pod-level resources (v1.34+)',
        version: 'v1.34',
        podSpec: { resources: full, containers: [app()] },
      },
      {
        name: 'pod-level limits only, requests defaulted (latest)',
        podSpec: { resources: { limits: { cpu: '2', memory: '2Gi' } }, containers: [app()] },
      },
      {
        name: 'pod-level cpu, container-level memory',
        podSpec: { resources: { limits: { cpu: '2' } }, containers: [app({ limits: { memory: '1Gi' } })] },
      },
    ],
    invalid: [
      { name: 'resources absent', podSpec: { containers: [app()] }, findings: missing(DEFAULT_FIELDS) },
      {
        name: 'resources absent, CPU limit asked for',
        options: cpuLimit,
        podSpec: { containers: [app()] },
        findings: missing(ALL),
      },
      { name: 'resources null', podSpec: { containers: [app(null)] }, findings: missing(DEFAULT_FIELDS) },
      { name: 'resources empty', podSpec: { containers: [app({})] }, findings: missing(DEFAULT_FIELDS) },
      {
        name: 'requests only',
        podSpec: { containers: [app({ requests: { cpu: '100m', memory: '128Mi' } })] },
        findings: missing(['limits.memory']),
      },
      {
        name: 'requests only, CPU limit asked for',
        options: cpuLimit,
        podSpec: { containers: [app({ requests: { cpu: '100m', memory: '128Mi' } })] },
        findings: missing(['limits.cpu', 'limits.memory']),
      },
      {
        name: 'null and empty quantities count as missing',
        podSpec: {
          containers: [
            app({ requests: { cpu: null, memory: '128Mi' }, limits: { cpu: '', memory: '256Mi' } }),
          ],
        },
        findings: missing(['requests.cpu']),
      },
      {
        name: 'only a memory limit: the CPU request is missing',
        podSpec: { containers: [app({ limits: { memory: '256Mi' } })] },
        findings: missing(['requests.cpu']),
      },
      {
        name: 'a CPU limit alone sets the CPU request; memory still missing',
        podSpec: { containers: [app({ limits: { cpu: '1' } })] },
        findings: missing(['requests.memory', 'limits.memory']),
      },
      {
        name: 'second app container, not init or ephemeral',
        podSpec: {
          initContainers: [{ name: 'init', image: 'busybox:1.36' }],
          containers: [
            app(full),
            { name: 'side', image: 'envoy:1.30', resources: { requests: { cpu: '50m', memory: '64Mi' } } },
          ],
          ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36' }],
        },
        findings: missing(['limits.memory'], 'spec.containers[1]', 'side'),
      },
      {
        name: 'a sidecar (init container with restartPolicy: Always) is long-running',
        podSpec: {
          initContainers: [
            { name: 'init', image: 'busybox:1.36' },
            { name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always' },
          ],
          containers: [app(full)],
        },
        findings: missing(DEFAULT_FIELDS, 'spec.initContainers[1]', 'proxy'),
      },
      {
        name: 'pod-level resources ignored before v1.34',
        version: 'v1.33',
        podSpec: { resources: full, containers: [app()] },
        findings: missing(DEFAULT_FIELDS),
      },
      {
        name: 'pod-level resources ignored at v1.25',
        version: 'v1.25',
        podSpec: { resources: full, containers: [app()] },
        findings: missing(DEFAULT_FIELDS),
      },
      {
        name: 'pod-level cpu only leaves memory missing',
        podSpec: { resources: { requests: { cpu: '1' }, limits: { cpu: '2' } }, containers: [app()] },
        findings: missing(['requests.memory', 'limits.memory']),
      },
    ],
  },
  // Only long-running containers need them: app containers and sidecars (init containers with
  // restartPolicy Always); init containers that run to completion and ephemeral ones are not inspected.
  { containerRoles: ['containers'] },
);
