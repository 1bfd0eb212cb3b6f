import { testRule } from '../../../test/support/rule-kit.ts';
import { runAsNonRoot } from './rule.ts';

const image = 'nginx:1.27';
const path = (role: string, i: number) => `spec.${role}[${i}].securityContext.runAsNonRoot`;
const podPath = 'spec.securityContext.runAsNonRoot';

testRule(runAsNonRoot, {
  valid: [
    {
      name: 'pod true',
      podSpec: { securityContext: { runAsNonRoot: true }, containers: [{ name: 'app', image }] },
    },
    {
      name: 'pod true, containers unset, empty or null in every role',
      podSpec: {
        securityContext: { runAsNonRoot: true },
        initContainers: [{ name: 'init', image, securityContext: null }],
        containers: [{ name: 'app', image, securityContext: {} }],
        ephemeralContainers: [{ name: 'debug', image, securityContext: { runAsNonRoot: null } }],
      },
    },
    {
      name: 'pod unset, every container true',
      podSpec: {
        initContainers: [{ name: 'init', image, securityContext: { runAsNonRoot: true } }],
        containers: [{ name: 'app', image, securityContext: { runAsNonRoot: true } }],
      },
    },
    {
      name: 'user namespace pod (hostUsers: false) from v1.35',
      podSpec: { hostUsers: false, containers: [{ name: 'app', image }] },
    },
    {
      name: 'user namespace pod at v1.35',
      version: 'v1.35',
      podSpec: {
        hostUsers: false,
        securityContext: { runAsNonRoot: false },
        containers: [{ name: 'app', image }],
      },
    },
  ],
  invalid: [
    {
      name: 'field absent everywhere',
      podSpec: { containers: [{ name: 'app', image }] },
      findings: [
        { messageId: 'missing', path: path('containers', 0), container: 'app', data: { container: 'app' } },
      ],
    },
    {
      name: 'runAsUser: 1000 alone still fails',
      podSpec: {
        securityContext: { runAsUser: 1000 },
        containers: [
          { name: 'app', image },
          { name: 'other', image, securityContext: { runAsUser: 0 } },
        ],
      },
      findings: [
        {
          messageId: 'runAsUserOnly',
          path: path('containers', 0),
          container: 'app',
          data: { runAsUser: 1000 },
        },
        { messageId: 'missing', path: path('containers', 1), container: 'other' },
      ],
    },
    {
      name: 'pod false, containers inheriting it',
      podSpec: { securityContext: { runAsNonRoot: false }, containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'podFalse', path: podPath, container: null }],
    },
    {
      name: 'pod false even when every container sets true',
      podSpec: {
        securityContext: { runAsNonRoot: false },
        containers: [{ name: 'app', image, securityContext: { runAsNonRoot: true } }],
      },
      findings: [{ messageId: 'podFalse', path: podPath, container: null }],
    },
    {
      name: 'container false overriding pod true',
      podSpec: {
        securityContext: { runAsNonRoot: true },
        containers: [
          { name: 'app', image },
          { name: 'sidecar', image, securityContext: { runAsNonRoot: false } },
        ],
      },
      findings: [{ messageId: 'containerFalse', path: path('containers', 1), container: 'sidecar' }],
    },
    {
      name: 'pod unset, only some containers true (every role checked)',
      podSpec: {
        initContainers: [{ name: 'init', image }],
        containers: [{ name: 'app', image, securityContext: { runAsNonRoot: true } }],
        ephemeralContainers: [{ name: 'debug', image, securityContext: { runAsNonRoot: false } }],
      },
      findings: [
        { messageId: 'missing', path: path('initContainers', 0), container: 'init' },
        { messageId: 'containerFalse', path: path('ephemeralContainers', 0), container: 'debug' },
      ],
    },
    {
      name: 'explicit null at pod level',
      podSpec: { securityContext: { runAsNonRoot: null }, containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'missing', path: path('containers', 0), container: 'app' }],
    },
    {
      name: 'user namespace pod before v1.35 (no relaxation)',
      version: 'v1.34',
      podSpec: { hostUsers: false, containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'missing', path: path('containers', 0), container: 'app' }],
    },
    {
      name: 'hostUsers: true is not a user namespace',
      podSpec: { hostUsers: true, containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'missing', path: path('containers', 0), container: 'app' }],
    },
    {
      name: 'Windows pod (no Windows exemption upstream)',
      podSpec: { os: { name: 'windows' }, containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'missing', path: path('containers', 0), container: 'app' }],
    },
    {
      name: 'oldest policy version',
      version: 'v1.25',
      podSpec: {
        hostUsers: false,
        securityContext: { runAsNonRoot: false },
        containers: [{ name: 'app', image }],
      },
      findings: [{ messageId: 'podFalse', path: podPath, container: null }],
    },
    {
      name: 'fix: the pod field, and the container that sets false (review)',
      podSpec: {
        containers: [
          { name: 'app', image },
          { name: 'b', image, securityContext: { runAsNonRoot: false } },
        ],
      },
      findings: [
        { messageId: 'missing', path: path('containers', 0), container: 'app', fix: 'review' },
        { messageId: 'containerFalse', path: path('containers', 1), container: 'b', fix: 'review' },
      ],
    },
  ],
});
