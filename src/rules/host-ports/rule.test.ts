import { testRule } from '../../../test/support/rule-kit.ts';
import { hostPorts } from './rule.ts';

const image = 'nginx:1.27';

testRule(hostPorts, {
  valid: [
    { name: 'no ports', podSpec: { containers: [{ name: 'app', image }] } },
    {
      name: 'container port only',
      podSpec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] },
    },
    {
      name: 'hostPort 0',
      podSpec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080, hostPort: 0 }] }] },
    },
    {
      name: 'hostPort null',
      podSpec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080, hostPort: null }] }] },
    },
    { name: 'ports null', podSpec: { containers: [{ name: 'app', image, ports: null }] } },
  ],
  invalid: [
    {
      name: 'host port on an app container',
      podSpec: {
        containers: [
          { name: 'app', image, ports: [{ containerPort: 8080 }, { containerPort: 8443, hostPort: 443 }] },
        ],
      },
      findings: [
        {
          messageId: 'hostPort',
          path: 'spec.containers[0].ports[1].hostPort',
          container: 'app',
          data: { hostPort: 443, containerPort: 8443 },
        },
      ],
    },
    {
      name: 'host ports in every container role',
      podSpec: {
        initContainers: [{ name: 'init', image, ports: [{ containerPort: 53, hostPort: 53 }] }],
        containers: [
          { name: 'app', image },
          { name: 'sidecar', image, ports: [{ containerPort: 9100, hostPort: 9100 }] },
        ],
        ephemeralContainers: [{ name: 'debug', image, ports: [{ containerPort: 2345, hostPort: 2345 }] }],
      },
      findings: [
        {
          messageId: 'hostPort',
          path: 'spec.initContainers[0].ports[0].hostPort',
          container: 'init',
          data: { hostPort: 53 },
        },
        {
          messageId: 'hostPort',
          path: 'spec.containers[1].ports[0].hostPort',
          container: 'sidecar',
          data: { hostPort: 9100 },
        },
        {
          messageId: 'hostPort',
          path: 'spec.ephemeralContainers[0].ports[0].hostPort',
          container: 'debug',
          data: { hostPort: 2345 },
        },
      ],
    },
    {
      name: 'host port, oldest policy version',
      version: 'v1.25',
      podSpec: { containers: [{ name: 'app', image, ports: [{ containerPort: 80, hostPort: 8080 }] }] },
      findings: [
        {
          messageId: 'hostPort',
          path: 'spec.containers[0].ports[0].hostPort',
          container: 'app',
          data: { hostPort: 8080 },
        },
      ],
    },
  ],
});
