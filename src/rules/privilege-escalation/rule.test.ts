import { testRule } from '../../../test/support/rule-kit.ts';
import { privilegeEscalation } from './rule.ts';

const image = 'nginx:1.27';
const path = (role: string, i: number) => `spec.${role}[${i}].securityContext.allowPrivilegeEscalation`;
const safe = { allowPrivilegeEscalation: false };

testRule(privilegeEscalation, {
  valid: [
    { name: 'explicitly false', podSpec: { containers: [{ name: 'app', image, securityContext: safe }] } },
    {
      name: 'false in every role',
      podSpec: {
        initContainers: [{ name: 'init', image, securityContext: safe }],
        containers: [{ name: 'app', image, securityContext: safe }],
        ephemeralContainers: [{ name: 'debug', image, securityContext: safe }],
      },
    },
    {
      name: 'Windows pod without the field (exempt from v1.25)',
      podSpec: { os: { name: 'windows' }, containers: [{ name: 'app', image }] },
    },
    {
      name: 'Windows pod, v1.25',
      version: 'v1.25',
      podSpec: { os: { name: 'windows' }, containers: [{ name: 'app', image }] },
    },
  ],
  invalid: [
    {
      name: 'field absent',
      podSpec: { containers: [{ name: 'app', image }] },
      findings: [
        {
          messageId: 'missing',
          path: path('containers', 0),
          container: 'app',
          severity: 'medium',
          data: { container: 'app' },
          fix: 'safe',
        },
      ],
    },
    {
      name: 'explicit null',
      podSpec: { containers: [{ name: 'app', image, securityContext: { allowPrivilegeEscalation: null } }] },
      findings: [{ messageId: 'missing', path: path('containers', 0), container: 'app' }],
    },
    {
      name: 'explicitly true',
      podSpec: { containers: [{ name: 'app', image, securityContext: { allowPrivilegeEscalation: true } }] },
      findings: [
        {
          messageId: 'explicitTrue',
          path: path('containers', 0),
          container: 'app',
          severity: 'medium',
          fix: 'review',
        },
      ],
    },
    {
      name: 'explicit Linux pod',
      podSpec: { os: { name: 'linux' }, containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'missing', path: path('containers', 0), container: 'app' }],
    },
    {
      name: 'privileged container is high',
      podSpec: { containers: [{ name: 'app', image, securityContext: { privileged: true } }] },
      findings: [
        {
          messageId: 'forcedByPrivilege',
          path: path('containers', 0),
          container: 'app',
          severity: 'high',
          data: { reason: 'privileged: true' },
          fix: null,
        },
      ],
    },
    {
      name: 'SYS_ADMIN (in any spelling) or ALL is high',
      podSpec: {
        containers: [
          { name: 'a', image, securityContext: { capabilities: { add: ['SYS_ADMIN'] } } },
          {
            name: 'b',
            image,
            securityContext: { allowPrivilegeEscalation: true, capabilities: { add: ['CAP_SYS_ADMIN'] } },
          },
          { name: 'c', image, securityContext: { capabilities: { add: ['ALL'] } } },
          { name: 'd', image, securityContext: { capabilities: { add: ['NET_ADMIN'] } } },
        ],
      },
      findings: [
        {
          messageId: 'forcedByPrivilege',
          path: path('containers', 0),
          container: 'a',
          severity: 'high',
          data: { reason: 'capabilities.add: SYS_ADMIN' },
        },
        {
          messageId: 'forcedByPrivilege',
          path: path('containers', 1),
          container: 'b',
          severity: 'high',
          data: { reason: 'capabilities.add: CAP_SYS_ADMIN' },
        },
        {
          messageId: 'forcedByPrivilege',
          path: path('containers', 2),
          container: 'c',
          severity: 'high',
          data: { reason: 'capabilities.add: ALL' },
        },
        { messageId: 'missing', path: path('containers', 3), container: 'd', severity: 'medium' },
      ],
    },
    {
      name: 'every container role',
      podSpec: {
        initContainers: [{ name: 'init', image }],
        containers: [
          { name: 'app', image, securityContext: safe },
          { name: 'sidecar', image, securityContext: {} },
        ],
        ephemeralContainers: [{ name: 'debug', image, securityContext: { allowPrivilegeEscalation: true } }],
      },
      findings: [
        { messageId: 'missing', path: path('initContainers', 0), container: 'init' },
        { messageId: 'missing', path: path('containers', 1), container: 'sidecar' },
        { messageId: 'explicitTrue', path: path('ephemeralContainers', 0), container: 'debug' },
      ],
    },
    {
      name: 'oldest policy version',
      version: 'v1.25',
      podSpec: { containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'missing', path: path('containers', 0), container: 'app' }],
    },
  ],
});
