import { describe, expect, it } from 'vitest';
import { nestPodSpec, runRule, testRule } from '../../../test/support/rule-kit.ts';
import { procMount } from './rule.ts';

const app = { name: 'app', image: 'nginx:1.27' };
const mount = (procMountType: string | null) => ({ securityContext: { procMount: procMountType } });

testRule(procMount, {
  valid: [
    { name: 'field absent', podSpec: { containers: [app] } },
    {
      name: 'null securityContext and procMount',
      podSpec: {
        containers: [
          { ...app, securityContext: null },
          { name: 'b', image: 'nginx:1.27', ...mount(null) },
        ],
      },
    },
    {
      name: 'Default in every container role',
      podSpec: {
        initContainers: [{ name: 'init', image: 'busybox:1.36', ...mount('Default') }],
        containers: [{ ...app, ...mount('Default') }],
        ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36', ...mount('Default') }],
      },
    },
  ],
  invalid: [
    {
      name: 'Unmasked in every container role',
      podSpec: {
        initContainers: [{ name: 'init', image: 'busybox:1.36', ...mount('Unmasked') }],
        containers: [app, { name: 'sidecar', image: 'envoy:1.30', ...mount('Unmasked') }],
        ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36', ...mount('Unmasked') }],
      },
      findings: [
        {
          messageId: 'procMount',
          path: 'spec.initContainers[0].securityContext.procMount',
          container: 'init',
          data: { container: 'init', procMount: 'Unmasked' },
        },
        {
          messageId: 'procMount',
          path: 'spec.containers[1].securityContext.procMount',
          container: 'sidecar',
        },
        {
          messageId: 'procMount',
          path: 'spec.ephemeralContainers[0].securityContext.procMount',
          container: 'debug',
        },
      ],
    },
    {
      name: 'any value other than Default, including the empty string and other casing',
      podSpec: {
        containers: [
          { ...app, ...mount('other') },
          { name: 'b', image: 'nginx:1.27', ...mount('') },
          { name: 'c', image: 'nginx:1.27', ...mount('default') },
        ],
      },
      findings: [
        {
          messageId: 'procMount',
          path: 'spec.containers[0].securityContext.procMount',
          data: { procMount: 'other' },
        },
        {
          messageId: 'procMount',
          path: 'spec.containers[1].securityContext.procMount',
          data: { procMount: '' },
        },
        {
          messageId: 'procMount',
          path: 'spec.containers[2].securityContext.procMount',
          data: { procMount: 'default' },
        },
      ],
    },
    {
      name: 'hostUsers: true gets no relaxation',
      podSpec: { hostUsers: true, containers: [{ ...app, ...mount('Unmasked') }] },
      findings: [
        { messageId: 'procMount', path: 'spec.containers[0].securityContext.procMount', container: 'app' },
      ],
    },
    {
      name: 'user-namespaced pod before v1.35: baseline still fails',
      version: 'v1.34',
      podSpec: { hostUsers: false, containers: [{ ...app, ...mount('Unmasked') }] },
      findings: [
        { messageId: 'procMount', path: 'spec.containers[0].securityContext.procMount', container: 'app' },
      ],
    },
    {
      name: 'user-namespaced pod from v1.35: restricted only',
      version: 'v1.35',
      podSpec: { hostUsers: false, containers: [{ ...app, ...mount('Unmasked') }] },
      findings: [
        {
          messageId: 'procMountUserNamespace',
          path: 'spec.containers[0].securityContext.procMount',
          container: 'app',
          data: { procMount: 'Unmasked' },
        },
      ],
    },
  ],
});

describe('proc-mount PSS mapping', () => {
  const spec = (hostUsers: boolean | undefined) => ({
    ...(hostUsers === undefined ? {} : { hostUsers }),
    containers: [{ ...app, ...mount('Unmasked') }],
  });
  it('reports the baseline procMount check outside user namespaces', () => {
    const [finding] = runRule(procMount, nestPodSpec('Pod', spec(undefined)));
    expect(finding?.pss).toEqual({ level: 'baseline', check: 'procMount' });
  });
  it('reports the restricted procMount_restricted check for hostUsers: false from v1.35', () => {
    const [finding] = runRule(procMount, nestPodSpec('Pod', spec(false)), 'latest');
    expect(finding?.pss).toEqual({ level: 'restricted', check: 'procMount_restricted' });
  });
  it('keeps the baseline check for hostUsers: false before v1.35', () => {
    const [finding] = runRule(procMount, nestPodSpec('Pod', spec(false)), 'v1.34');
    expect(finding?.pss).toEqual({ level: 'baseline', check: 'procMount' });
  });
});
