import { testRule } from '../../../test/support/rule-kit.ts';
import { readOnlyRootFs } from './rule.ts';

const readOnly = { readOnlyRootFilesystem: true };

testRule(readOnlyRootFs, {
  valid: [
    {
      name: 'read-only root filesystem',
      podSpec: { containers: [{ name: 'app', image: 'nginx:1.27', securityContext: readOnly }] },
    },
    {
      name: 'read-only in every container role',
      podSpec: {
        initContainers: [{ name: 'init', image: 'busybox:1.36', securityContext: readOnly }],
        containers: [{ name: 'app', image: 'nginx:1.27', securityContext: readOnly }],
        ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36', securityContext: readOnly }],
      },
    },
    {
      name: 'Windows pod (field not supported)',
      podSpec: {
        os: { name: 'windows' },
        containers: [{ name: 'app', image: 'mcr.microsoft.com/windows/nanoserver:ltsc2022' }],
      },
    },
    {
      name: 'Windows pod, oldest policy version',
      version: 'v1.25',
      podSpec: {
        os: { name: 'windows' },
        containers: [{ name: 'app', image: 'mcr.microsoft.com/windows/nanoserver:ltsc2022' }],
      },
    },
  ],
  invalid: [
    {
      name: 'field absent',
      podSpec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
      findings: [
        {
          messageId: 'notSet',
          path: 'spec.containers[0].securityContext.readOnlyRootFilesystem',
          container: 'app',
          data: { container: 'app' },
        },
      ],
    },
    {
      name: 'null securityContext and null field',
      podSpec: {
        containers: [
          { name: 'app', image: 'nginx:1.27', securityContext: null },
          { name: 'side', image: 'envoy:1.30', securityContext: { readOnlyRootFilesystem: null } },
        ],
      },
      findings: [
        {
          messageId: 'notSet',
          path: 'spec.containers[0].securityContext.readOnlyRootFilesystem',
          container: 'app',
        },
        {
          messageId: 'notSet',
          path: 'spec.containers[1].securityContext.readOnlyRootFilesystem',
          container: 'side',
        },
      ],
    },
    {
      name: 'explicitly false',
      podSpec: {
        containers: [
          { name: 'app', image: 'nginx:1.27', securityContext: { readOnlyRootFilesystem: false } },
        ],
      },
      findings: [
        {
          messageId: 'setFalse',
          path: 'spec.containers[0].securityContext.readOnlyRootFilesystem',
          container: 'app',
          // The machine fix sets it true: it may break an app that writes there.
          fix: 'review',
        },
      ],
    },
    {
      name: 'writable in every container role',
      version: 'v1.25',
      podSpec: {
        initContainers: [{ name: 'init', image: 'busybox:1.36' }],
        containers: [
          { name: 'app', image: 'nginx:1.27', securityContext: readOnly },
          { name: 'side', image: 'envoy:1.30', securityContext: { readOnlyRootFilesystem: false } },
        ],
        ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36' }],
      },
      findings: [
        {
          messageId: 'notSet',
          path: 'spec.initContainers[0].securityContext.readOnlyRootFilesystem',
          container: 'init',
        },
        {
          messageId: 'setFalse',
          path: 'spec.containers[1].securityContext.readOnlyRootFilesystem',
          container: 'side',
        },
        {
          messageId: 'notSet',
          path: 'spec.ephemeralContainers[0].securityContext.readOnlyRootFilesystem',
          container: 'debug',
        },
      ],
    },
    {
      name: 'Linux pod with os.name set',
      podSpec: { os: { name: 'linux' }, containers: [{ name: 'app', image: 'nginx:1.27' }] },
      findings: [
        {
          messageId: 'notSet',
          path: 'spec.containers[0].securityContext.readOnlyRootFilesystem',
          container: 'app',
        },
      ],
    },
  ],
});
