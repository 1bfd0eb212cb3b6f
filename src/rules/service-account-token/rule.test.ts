import { testRule } from '../../../test/support/rule-kit.ts';
import { serviceAccountToken } from './rule.ts';

const app = { name: 'app', image: 'nginx:1.27' };

testRule(serviceAccountToken, {
  valid: [
    { name: 'explicitly false', podSpec: { automountServiceAccountToken: false, containers: [app] } },
    {
      name: 'explicitly false with a named service account',
      podSpec: { serviceAccountName: 'web', automountServiceAccountToken: false, containers: [app] },
    },
    {
      name: 'explicitly false, oldest policy version',
      version: 'v1.25',
      podSpec: { automountServiceAccountToken: false, containers: [app] },
    },
  ],
  invalid: [
    {
      name: 'field absent',
      podSpec: { containers: [app] },
      findings: [
        {
          messageId: 'notDisabled',
          path: 'spec.automountServiceAccountToken',
          container: null,
          data: { serviceAccount: 'default' },
        },
      ],
    },
    {
      name: 'explicit null',
      podSpec: { automountServiceAccountToken: null, containers: [app] },
      findings: [{ messageId: 'notDisabled', path: 'spec.automountServiceAccountToken', container: null }],
    },
    {
      name: 'explicitly true, named service account',
      podSpec: { serviceAccountName: 'web', automountServiceAccountToken: true, containers: [app] },
      findings: [
        { messageId: 'enabled', path: 'spec.automountServiceAccountToken', data: { serviceAccount: 'web' } },
      ],
    },
    {
      name: 'deprecated serviceAccount field names the account',
      podSpec: { serviceAccount: 'legacy', containers: [app] },
      findings: [
        {
          messageId: 'notDisabled',
          path: 'spec.automountServiceAccountToken',
          data: { serviceAccount: 'legacy' },
        },
      ],
    },
    {
      name: 'one pod-level finding however many containers',
      version: 'v1.25',
      podSpec: {
        initContainers: [{ name: 'init', image: 'busybox:1.36' }],
        containers: [app, { name: 'side', image: 'envoy:1.30' }],
        ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36' }],
      },
      findings: [{ messageId: 'notDisabled', path: 'spec.automountServiceAccountToken', container: null }],
    },
  ],
});
