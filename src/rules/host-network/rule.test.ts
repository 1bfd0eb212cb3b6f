import { testRule } from '../../../test/support/rule-kit.ts';
import { hostNetwork } from './rule.ts';

const app = { name: 'app', image: 'nginx:1.27' };

testRule(hostNetwork, {
  valid: [
    { name: 'field absent', podSpec: { containers: [app] } },
    { name: 'explicitly false', podSpec: { hostNetwork: false, containers: [app] } },
    { name: 'explicit null', podSpec: { hostNetwork: null, containers: [app] } },
    {
      name: 'explicitly false, oldest policy version',
      version: 'v1.25',
      podSpec: { hostNetwork: false, containers: [app] },
    },
  ],
  invalid: [
    {
      name: 'hostNetwork true',
      podSpec: { hostNetwork: true, containers: [app] },
      findings: [{ messageId: 'hostNetwork', path: 'spec.hostNetwork', container: null }],
    },
    {
      name: 'hostNetwork true, oldest policy version',
      version: 'v1.25',
      podSpec: { hostNetwork: true, containers: [app] },
      findings: [{ messageId: 'hostNetwork', path: 'spec.hostNetwork', container: null }],
    },
    {
      name: 'hostNetwork true on a Windows pod (no Windows exemption upstream)',
      podSpec: { os: { name: 'windows' }, hostNetwork: true, containers: [app] },
      findings: [{ messageId: 'hostNetwork', path: 'spec.hostNetwork', container: null }],
    },
  ],
});
