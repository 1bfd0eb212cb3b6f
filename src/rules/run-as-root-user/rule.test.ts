import { testRule } from '../../../test/support/rule-kit.ts';
import { runAsRootUser } from './rule.ts';

const image = 'nginx:1.27';
const path = (role: string, i: number) => `spec.${role}[${i}].securityContext.runAsUser`;
const podPath = 'spec.securityContext.runAsUser';

testRule(runAsRootUser, {
  valid: [
    { name: 'runAsUser absent', podSpec: { containers: [{ name: 'app', image }] } },
    {
      name: 'runAsUser null',
      podSpec: {
        securityContext: { runAsUser: null },
        containers: [{ name: 'app', image, securityContext: { runAsUser: null } }],
      },
    },
    {
      name: 'non-zero at pod and container level',
      podSpec: {
        securityContext: { runAsUser: 1000 },
        containers: [{ name: 'app', image, securityContext: { runAsUser: 1 } }],
      },
    },
    {
      name: 'user namespace pod (hostUsers: false) from v1.35',
      podSpec: { hostUsers: false, securityContext: { runAsUser: 0 }, containers: [{ name: 'app', image }] },
    },
    {
      name: 'user namespace pod at v1.35',
      version: 'v1.35',
      podSpec: { hostUsers: false, containers: [{ name: 'app', image, securityContext: { runAsUser: 0 } }] },
    },
  ],
  invalid: [
    {
      name: 'pod runAsUser 0',
      podSpec: { securityContext: { runAsUser: 0 }, containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'podRoot', path: podPath, container: null }],
    },
    {
      name: 'pod runAsUser 0 even when the container overrides it',
      podSpec: {
        securityContext: { runAsUser: 0 },
        containers: [{ name: 'app', image, securityContext: { runAsUser: 1000 } }],
      },
      findings: [{ messageId: 'podRoot', path: podPath, container: null }],
    },
    {
      name: 'container runAsUser 0 overriding a non-root pod',
      podSpec: {
        securityContext: { runAsUser: 1000, runAsNonRoot: true },
        containers: [{ name: 'app', image, securityContext: { runAsUser: 0 } }],
      },
      findings: [
        {
          messageId: 'containerRoot',
          path: path('containers', 0),
          container: 'app',
          data: { container: 'app' },
        },
      ],
    },
    {
      name: 'every container role',
      podSpec: {
        initContainers: [{ name: 'init', image, securityContext: { runAsUser: 0 } }],
        containers: [
          { name: 'app', image },
          { name: 'sidecar', image, securityContext: { runAsUser: 0 } },
        ],
        ephemeralContainers: [{ name: 'debug', image, securityContext: { runAsUser: 0 } }],
      },
      findings: [
        { messageId: 'containerRoot', path: path('initContainers', 0), container: 'init' },
        { messageId: 'containerRoot', path: path('containers', 1), container: 'sidecar' },
        { messageId: 'containerRoot', path: path('ephemeralContainers', 0), container: 'debug' },
      ],
    },
    {
      name: 'user namespace pod before v1.35 (no relaxation)',
      version: 'v1.34',
      podSpec: { hostUsers: false, securityContext: { runAsUser: 0 }, containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'podRoot', path: podPath, container: null }],
    },
    {
      name: 'hostUsers: true',
      podSpec: { hostUsers: true, securityContext: { runAsUser: 0 }, containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'podRoot', path: podPath, container: null }],
    },
    {
      name: 'oldest policy version',
      version: 'v1.25',
      podSpec: { containers: [{ name: 'app', image, securityContext: { runAsUser: 0 } }] },
      findings: [{ messageId: 'containerRoot', path: path('containers', 0), container: 'app' }],
    },
  ],
});
