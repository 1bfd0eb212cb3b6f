import { testRule } from '../../../test/support/rule-kit.ts';
import { hostPid } from './rule.ts';

const app = { name: 'app', image: 'nginx:1.27' };

testRule(hostPid, {
  valid: [
    { name: 'field absent', podSpec: { containers: [app] } },
    { name: 'explicitly false', podSpec: { hostPID: false, containers: [app] } },
    { name: 'explicit null', podSpec: { hostPID: null, containers: [app] } },
    {
      name: 'explicitly false, oldest policy version',
      version: 'v1.25',
      podSpec: { hostPID: false, containers: [app] },
    },
  ],
  invalid: [
    {
      name: 'hostPID true',
      podSpec: { hostPID: true, containers: [app] },
      findings: [{ messageId: 'hostPID', path: 'spec.hostPID', container: null }],
    },
    {
      name: 'hostPID true, oldest policy version',
      version: 'v1.25',
      podSpec: { hostPID: true, containers: [app] },
      findings: [{ messageId: 'hostPID', path: 'spec.hostPID', container: null }],
    },
    {
      name: 'hostPID true on a Windows pod (no Windows exemption upstream)',
      podSpec: { os: { name: 'windows' }, hostPID: true, containers: [app] },
      findings: [{ messageId: 'hostPID', path: 'spec.hostPID', container: null }],
    },
  ],
});
