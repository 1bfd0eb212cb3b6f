import { testRule } from '../../../test/support/rule-kit.ts';
import { privileged } from './rule.ts';

testRule(privileged, {
  valid: [
    { name: 'field absent', podSpec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
    {
      name: 'explicitly false',
      podSpec: { containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: false } }] },
    },
    {
      name: 'null securityContext',
      podSpec: { containers: [{ name: 'app', image: 'nginx:1.27', securityContext: null }] },
    },
  ],
  invalid: [
    {
      name: 'privileged app container',
      podSpec: { containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: true } }] },
      findings: [
        { messageId: 'privileged', path: 'spec.containers[0].securityContext.privileged', container: 'app' },
      ],
    },
    {
      name: 'privileged in every container role',
      podSpec: {
        initContainers: [{ name: 'init', image: 'busybox:1.36', securityContext: { privileged: true } }],
        containers: [
          { name: 'app', image: 'nginx:1.27' },
          { name: 'sidecar', image: 'envoy:1.30', securityContext: { privileged: true } },
        ],
        ephemeralContainers: [
          { name: 'debug', image: 'busybox:1.36', securityContext: { privileged: true } },
        ],
      },
      findings: [
        {
          messageId: 'privileged',
          path: 'spec.initContainers[0].securityContext.privileged',
          container: 'init',
        },
        {
          messageId: 'privileged',
          path: 'spec.containers[1].securityContext.privileged',
          container: 'sidecar',
        },
        {
          messageId: 'privileged',
          path: 'spec.ephemeralContainers[0].securityContext.privileged',
          container: 'debug',
        },
      ],
    },
  ],
});
