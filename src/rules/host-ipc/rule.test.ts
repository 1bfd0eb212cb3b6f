import { testRule } from '../../../test/support/rule-kit.ts';
import { hostIpc } from './rule.ts';

const app = { name: 'app', image: 'nginx:1.27' };

testRule(hostIpc, {
  valid: [
    { name: 'field absent', podSpec: { containers: [app] } },
    { name: 'explicitly false', podSpec: { hostIPC: false, containers: [app] } },
    { name: 'explicit null', podSpec: { hostIPC: null, containers: [app] } },
    {
      name: 'explicitly false, oldest policy version',
      version: 'v1.25',
      podSpec: { hostIPC: false, containers: [app] },
    },
  ],
  invalid: [
    {
      name: 'hostIPC true',
      podSpec: { hostIPC: true, containers: [app] },
      findings: [{ messageId: 'hostIPC', path: 'spec.hostIPC', container: null }],
    },
    {
      name: 'hostIPC true, oldest policy version',
      version: 'v1.25',
      podSpec: { hostIPC: true, containers: [app] },
      findings: [{ messageId: 'hostIPC', path: 'spec.hostIPC', container: null }],
    },
    {
      name: 'hostIPC true on a Windows pod (no Windows exemption upstream)',
      podSpec: { os: { name: 'windows' }, hostIPC: true, containers: [app] },
      findings: [{ messageId: 'hostIPC', path: 'spec.hostIPC', container: null }],
    },
  ],
});
