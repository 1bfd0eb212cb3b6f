import { testRule } from '../../../test/support/rule-kit.ts';
import { capabilitiesNotDropped } from './rule.ts';

const image = 'nginx:1.27';
const dropping = (drop: string[] | null) => ({
  name: 'app',
  image,
  securityContext: { capabilities: { drop } },
});
const dropPath = 'spec.containers[0].securityContext.capabilities.drop';

testRule(capabilitiesNotDropped, {
  valid: [
    { name: 'drop ALL', podSpec: { containers: [dropping(['ALL'])] } },
    { name: 'drop ALL among others', podSpec: { containers: [dropping(['NET_RAW', 'ALL'])] } },
    {
      name: 'drop ALL and add NET_BIND_SERVICE',
      podSpec: {
        containers: [
          {
            name: 'app',
            image,
            securityContext: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
          },
        ],
      },
    },
    {
      name: 'Windows pod without securityContext (exempt from v1.25)',
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
      name: 'no securityContext',
      podSpec: { containers: [{ name: 'app', image }] },
      findings: [
        { messageId: 'missingDropAll', path: dropPath, container: 'app', data: { container: 'app' } },
      ],
    },
    {
      name: 'securityContext null',
      podSpec: { containers: [{ name: 'app', image, securityContext: null }] },
      findings: [{ messageId: 'missingDropAll', path: dropPath, container: 'app' }],
    },
    {
      name: 'capabilities without drop',
      podSpec: {
        containers: [
          { name: 'app', image, securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] } } },
        ],
      },
      findings: [{ messageId: 'missingDropAll', path: dropPath, container: 'app' }],
    },
    {
      name: 'drop null',
      podSpec: { containers: [dropping(null)] },
      findings: [{ messageId: 'missingDropAll', path: dropPath, container: 'app' }],
    },
    {
      name: 'drop lists single capabilities only',
      podSpec: { containers: [dropping(['NET_RAW', 'SYS_ADMIN'])] },
      findings: [{ messageId: 'missingDropAll', path: dropPath, container: 'app' }],
    },
    {
      name: 'drop "all" in lower case',
      podSpec: { containers: [dropping(['NET_RAW', 'all'])] },
      findings: [
        { messageId: 'allWrongCase', path: `${dropPath}[1]`, container: 'app', data: { value: 'all' } },
      ],
    },
    {
      name: 'explicit Linux pod',
      podSpec: { os: { name: 'linux' }, containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'missingDropAll', path: dropPath, container: 'app' }],
    },
    {
      name: 'every container role',
      podSpec: {
        initContainers: [{ name: 'init', image }],
        containers: [
          dropping(['ALL']),
          { name: 'sidecar', image, securityContext: { capabilities: { drop: ['All'] } } },
        ],
        ephemeralContainers: [{ name: 'debug', image, securityContext: {} }],
      },
      findings: [
        {
          messageId: 'missingDropAll',
          path: 'spec.initContainers[0].securityContext.capabilities.drop',
          container: 'init',
        },
        {
          messageId: 'allWrongCase',
          path: 'spec.containers[1].securityContext.capabilities.drop[0]',
          container: 'sidecar',
          data: { value: 'All' },
        },
        {
          messageId: 'missingDropAll',
          path: 'spec.ephemeralContainers[0].securityContext.capabilities.drop',
          container: 'debug',
        },
      ],
    },
    {
      name: 'oldest policy version',
      version: 'v1.25',
      podSpec: { containers: [{ name: 'app', image }] },
      findings: [{ messageId: 'missingDropAll', path: dropPath, container: 'app' }],
    },
    {
      name: 'fix: drop becomes [ALL], add is kept (review)',
      podSpec: {
        containers: [
          {
            name: 'app',
            image,
            securityContext: { capabilities: { add: ['NET_BIND_SERVICE'], drop: ['all', 'NET_RAW'] } },
          },
        ],
      },
      findings: [{ messageId: 'allWrongCase', path: `${dropPath}[0]`, container: 'app', fix: 'review' }],
    },
  ],
});
