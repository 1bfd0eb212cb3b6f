import { testRule, type ExpectedFinding } from '../../../test/support/rule-kit.ts';
import { resourcesMissing } from './rule.ts';

const full = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } };
const app = (resources?: unknown) => ({
  name: 'app',
  image: 'nginx:1.27',
  ...(resources === undefined ? {} : { resources }),
});

const missing = (
  fields: string[],
  prefix = 'spec.containers[0]',
  container = 'app',
): ExpectedFinding<'requestMissing' | 'limitMissing'>[] =>
  fields.map((field) => {
    const [kind, resource] = field.split('.') as [string, string];
    return {
      messageId: kind === 'requests' ? 'requestMissing' : 'limitMissing',
      path: `${prefix}.resources.${field}`,
      container,
      data: { container, resource },
    };
  });
const ALL = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

testRule(
  resourcesMissing,
  {
    valid: [
      { name: 'requests and limits set', podSpec: { containers: [app(full)] } },
      {
        name: 'limits only: the API server defaults requests to limits',
        podSpec: { containers: [app({ limits: { cpu: 1, memory: '1Gi' } })] },
      },
      {
        name: 'init and ephemeral containers are not checked',
        podSpec: {
          initContainers: [{ name: 'init', image: 'busybox:1.36' }],
          containers: [app(full)],
          ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36' }],
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
      { name: 'resources absent', podSpec: { containers: [app()] }, findings: missing(ALL) },
      { name: 'resources null', podSpec: { containers: [app(null)] }, findings: missing(ALL) },
      { name: 'resources empty', podSpec: { containers: [app({})] }, findings: missing(ALL) },
      {
        name: 'requests only',
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
        findings: missing(['requests.cpu', 'limits.cpu']),
      },
      {
        name: 'only memory limit',
        podSpec: { containers: [app({ limits: { memory: '256Mi' } })] },
        findings: missing(['requests.cpu', 'limits.cpu']),
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
        findings: missing(['limits.cpu', 'limits.memory'], 'spec.containers[1]', 'side'),
      },
      {
        name: 'pod-level resources ignored before v1.34',
        version: 'v1.33',
        podSpec: { resources: full, containers: [app()] },
        findings: missing(ALL),
      },
      {
        name: 'pod-level resources ignored at v1.25',
        version: 'v1.25',
        podSpec: { resources: full, containers: [app()] },
        findings: missing(ALL),
      },
      {
        name: 'pod-level cpu only leaves memory missing',
        podSpec: { resources: { requests: { cpu: '1' }, limits: { cpu: '2' } }, containers: [app()] },
        findings: missing(['requests.memory', 'limits.memory']),
      },
    ],
  },
  // Only long-running app containers need them: init and ephemeral containers are not inspected.
  { containerRoles: ['containers'] },
);
