import { testRule } from '../../../test/support/rule-kit.ts';
import { selinuxOptions } from './rule.ts';

const app = { name: 'app', image: 'nginx:1.27' };
const selinux = (options: Record<string, string | null>) => ({
  securityContext: { seLinuxOptions: options },
});
const ALLOWED_V1_31 = 'container_t, container_init_t, container_kvm_t, container_engine_t';
const ALLOWED_V1_0 = 'container_t, container_init_t, container_kvm_t';

testRule(selinuxOptions, {
  valid: [
    { name: 'field absent', podSpec: { containers: [app] } },
    {
      name: 'empty seLinuxOptions',
      podSpec: { securityContext: { seLinuxOptions: {} }, containers: [{ ...app, ...selinux({}) }] },
    },
    {
      name: 'null seLinuxOptions',
      podSpec: {
        securityContext: { seLinuxOptions: null },
        containers: [{ ...app, securityContext: { seLinuxOptions: null } }],
      },
    },
    {
      name: 'every allowed type, with a level',
      podSpec: {
        securityContext: { seLinuxOptions: { type: 'container_t', level: 's0:c123,c456' } },
        initContainers: [{ name: 'init', image: 'busybox:1.36', ...selinux({ type: 'container_init_t' }) }],
        containers: [{ ...app, ...selinux({ type: 'container_kvm_t', level: 'somevalue' }) }],
        ephemeralContainers: [
          { name: 'debug', image: 'busybox:1.36', ...selinux({ type: 'container_engine_t' }) },
        ],
      },
    },
    {
      name: 'empty type, user and role strings',
      podSpec: { containers: [{ ...app, ...selinux({ type: '', user: '', role: '' }) }] },
    },
    {
      name: 'null type, user and role',
      podSpec: { containers: [{ ...app, ...selinux({ type: null, user: null, role: null }) }] },
    },
    {
      name: 'container_engine_t from v1.31',
      version: 'v1.31',
      podSpec: { containers: [{ ...app, ...selinux({ type: 'container_engine_t' }) }] },
    },
    {
      name: 'container_t at the oldest version',
      version: 'v1.25',
      podSpec: { containers: [{ ...app, ...selinux({ type: 'container_t' }) }] },
    },
  ],
  invalid: [
    {
      name: 'custom type at pod level',
      podSpec: { securityContext: { seLinuxOptions: { type: 'spc_t' } }, containers: [app] },
      findings: [
        {
          messageId: 'podType',
          path: 'spec.securityContext.seLinuxOptions.type',
          container: null,
          data: { type: 'spc_t', allowed: ALLOWED_V1_31 },
        },
      ],
    },
    {
      name: 'custom type in every container role',
      podSpec: {
        initContainers: [{ name: 'init', image: 'busybox:1.36', ...selinux({ type: 'unconfined_t' }) }],
        containers: [app, { name: 'sidecar', image: 'envoy:1.30', ...selinux({ type: 'somevalue' }) }],
        ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36', ...selinux({ type: 'spc_t' }) }],
      },
      findings: [
        {
          messageId: 'containerType',
          path: 'spec.initContainers[0].securityContext.seLinuxOptions.type',
          container: 'init',
          data: { container: 'init', type: 'unconfined_t' },
        },
        {
          messageId: 'containerType',
          path: 'spec.containers[1].securityContext.seLinuxOptions.type',
          container: 'sidecar',
          data: { type: 'somevalue' },
        },
        {
          messageId: 'containerType',
          path: 'spec.ephemeralContainers[0].securityContext.seLinuxOptions.type',
          container: 'debug',
          data: { type: 'spc_t' },
        },
      ],
    },
    {
      name: 'user and role at pod level',
      podSpec: {
        securityContext: { seLinuxOptions: { user: 'system_u', role: 'system_r' } },
        containers: [app],
      },
      findings: [
        {
          messageId: 'podUser',
          path: 'spec.securityContext.seLinuxOptions.user',
          container: null,
          data: { user: 'system_u' },
        },
        {
          messageId: 'podRole',
          path: 'spec.securityContext.seLinuxOptions.role',
          container: null,
          data: { role: 'system_r' },
        },
      ],
    },
    {
      name: 'type, user and role on one container, even with an allowed type elsewhere',
      podSpec: {
        securityContext: { seLinuxOptions: { type: 'container_t' } },
        containers: [{ ...app, ...selinux({ type: 'foo', user: 'bar', role: 'baz' }) }],
      },
      findings: [
        {
          messageId: 'containerType',
          path: 'spec.containers[0].securityContext.seLinuxOptions.type',
          container: 'app',
          data: { type: 'foo' },
        },
        {
          messageId: 'containerUser',
          path: 'spec.containers[0].securityContext.seLinuxOptions.user',
          container: 'app',
          data: { user: 'bar' },
        },
        {
          messageId: 'containerRole',
          path: 'spec.containers[0].securityContext.seLinuxOptions.role',
          container: 'app',
          data: { role: 'baz' },
        },
      ],
    },
    {
      name: 'container_engine_t before v1.31',
      version: 'v1.30',
      podSpec: { containers: [{ ...app, ...selinux({ type: 'container_engine_t' }) }] },
      findings: [
        {
          messageId: 'containerType',
          path: 'spec.containers[0].securityContext.seLinuxOptions.type',
          data: { type: 'container_engine_t', allowed: ALLOWED_V1_0 },
        },
      ],
    },
    {
      name: 'type is case-sensitive',
      podSpec: { containers: [{ ...app, ...selinux({ type: 'Container_t' }) }] },
      findings: [
        {
          messageId: 'containerType',
          path: 'spec.containers[0].securityContext.seLinuxOptions.type',
          data: { type: 'Container_t' },
        },
      ],
    },
  ],
});
