import { testRule } from '../../../test/support/rule-kit.ts';
import { seccompUnconfined } from './rule.ts';

const image = 'nginx:1.27';
const profile = (type: string | null) => ({ seccompProfile: { type } });
const podPath = 'spec.securityContext.seccompProfile.type';

testRule(seccompUnconfined, {
  valid: [
    {
      name: 'no profile anywhere (Baseline allows unset)',
      podSpec: { containers: [{ name: 'app', image }] },
    },
    {
      name: 'pod RuntimeDefault',
      podSpec: { securityContext: profile('RuntimeDefault'), containers: [{ name: 'app', image }] },
    },
    {
      name: 'pod Localhost, container RuntimeDefault',
      podSpec: {
        securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/app.json' } },
        containers: [{ name: 'app', image, securityContext: profile('RuntimeDefault') }],
      },
    },
    {
      name: 'seccompProfile null',
      podSpec: {
        securityContext: { seccompProfile: null },
        containers: [{ name: 'app', image, securityContext: { seccompProfile: null } }],
      },
    },
  ],
  invalid: [
    {
      name: 'pod Unconfined',
      podSpec: { securityContext: profile('Unconfined'), containers: [{ name: 'app', image }] },
      findings: [
        { messageId: 'podUnconfined', path: podPath, container: null, data: { type: 'Unconfined' } },
      ],
    },
    {
      name: 'container Unconfined overriding pod RuntimeDefault',
      podSpec: {
        securityContext: profile('RuntimeDefault'),
        containers: [{ name: 'app', image, securityContext: profile('Unconfined') }],
      },
      findings: [
        {
          messageId: 'containerUnconfined',
          path: 'spec.containers[0].securityContext.seccompProfile.type',
          container: 'app',
          data: { type: 'Unconfined' },
        },
      ],
    },
    {
      name: 'profile without a type (upstream reads it as "", which is not allowed)',
      podSpec: {
        securityContext: { seccompProfile: {} },
        containers: [{ name: 'app', image, securityContext: profile(null) }],
      },
      findings: [
        { messageId: 'podUnconfined', path: podPath, data: { type: '' } },
        {
          messageId: 'containerUnconfined',
          path: 'spec.containers[0].securityContext.seccompProfile.type',
          container: 'app',
          data: { type: '' },
        },
      ],
    },
    {
      name: 'wrong case is not RuntimeDefault',
      podSpec: { securityContext: profile('runtimedefault'), containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'podUnconfined', path: podPath, data: { type: 'runtimedefault' } }],
    },
    {
      name: 'Windows pod (no Windows exemption in Baseline)',
      podSpec: {
        os: { name: 'windows' },
        securityContext: profile('Unconfined'),
        containers: [{ name: 'app', image }],
      },
      findings: [{ messageId: 'podUnconfined', path: podPath }],
    },
    {
      name: 'every container role',
      podSpec: {
        initContainers: [{ name: 'init', image, securityContext: profile('Unconfined') }],
        containers: [
          { name: 'app', image },
          { name: 'sidecar', image, securityContext: profile('Unconfined') },
        ],
        ephemeralContainers: [{ name: 'debug', image, securityContext: profile('Unconfined') }],
      },
      findings: [
        {
          messageId: 'containerUnconfined',
          path: 'spec.initContainers[0].securityContext.seccompProfile.type',
          container: 'init',
        },
        {
          messageId: 'containerUnconfined',
          path: 'spec.containers[1].securityContext.seccompProfile.type',
          container: 'sidecar',
        },
        {
          messageId: 'containerUnconfined',
          path: 'spec.ephemeralContainers[0].securityContext.seccompProfile.type',
          container: 'debug',
        },
      ],
    },
    {
      name: 'oldest policy version',
      version: 'v1.25',
      podSpec: { securityContext: profile('Unconfined'), containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'podUnconfined', path: podPath }],
    },
  ],
});
