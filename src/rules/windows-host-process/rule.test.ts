import { testRule } from '../../../test/support/rule-kit.ts';
import { windowsHostProcess } from './rule.ts';

const app = { name: 'app', image: 'mcr.microsoft.com/windows/nanoserver:ltsc2022' };
const hostProcess = (value: boolean | null) => ({
  securityContext: { windowsOptions: { hostProcess: value } },
});

testRule(windowsHostProcess, {
  valid: [
    { name: 'field absent', podSpec: { containers: [app] } },
    {
      name: 'explicitly false at pod and container level',
      podSpec: {
        securityContext: { windowsOptions: { hostProcess: false } },
        containers: [{ ...app, ...hostProcess(false) }],
      },
    },
    {
      name: 'null windowsOptions and hostProcess',
      podSpec: { securityContext: { windowsOptions: null }, containers: [{ ...app, ...hostProcess(null) }] },
    },
    {
      name: 'other windowsOptions',
      podSpec: {
        os: { name: 'windows' },
        containers: [{ ...app, securityContext: { windowsOptions: { runAsUserName: 'ContainerUser' } } }],
      },
    },
  ],
  invalid: [
    {
      name: 'hostProcess at pod level',
      podSpec: {
        os: { name: 'windows' },
        hostNetwork: true,
        securityContext: { windowsOptions: { hostProcess: true } },
        containers: [app],
      },
      findings: [
        {
          messageId: 'podHostProcess',
          path: 'spec.securityContext.windowsOptions.hostProcess',
          container: null,
        },
      ],
    },
    {
      name: 'hostProcess in every container role',
      podSpec: {
        initContainers: [{ name: 'init', image: app.image, ...hostProcess(true) }],
        containers: [app, { name: 'agent', image: app.image, ...hostProcess(true) }],
        ephemeralContainers: [{ name: 'debug', image: app.image, ...hostProcess(true) }],
      },
      findings: [
        {
          messageId: 'containerHostProcess',
          path: 'spec.initContainers[0].securityContext.windowsOptions.hostProcess',
          container: 'init',
          data: { container: 'init' },
        },
        {
          messageId: 'containerHostProcess',
          path: 'spec.containers[1].securityContext.windowsOptions.hostProcess',
          container: 'agent',
        },
        {
          messageId: 'containerHostProcess',
          path: 'spec.ephemeralContainers[0].securityContext.windowsOptions.hostProcess',
          container: 'debug',
        },
      ],
    },
    {
      name: 'container true despite a pod-level false',
      version: 'v1.25',
      podSpec: {
        securityContext: { windowsOptions: { hostProcess: false } },
        containers: [{ ...app, ...hostProcess(true) }],
      },
      findings: [
        {
          messageId: 'containerHostProcess',
          path: 'spec.containers[0].securityContext.windowsOptions.hostProcess',
          container: 'app',
        },
      ],
    },
    {
      name: 'pod and container both true',
      podSpec: {
        securityContext: { windowsOptions: { hostProcess: true } },
        containers: [{ ...app, ...hostProcess(true) }],
      },
      findings: [
        {
          messageId: 'podHostProcess',
          path: 'spec.securityContext.windowsOptions.hostProcess',
          container: null,
        },
        {
          messageId: 'containerHostProcess',
          path: 'spec.containers[0].securityContext.windowsOptions.hostProcess',
          container: 'app',
        },
      ],
    },
  ],
});
