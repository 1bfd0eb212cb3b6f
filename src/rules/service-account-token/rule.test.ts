import { testRule } from '../../../test/support/rule-kit.ts';
import { serviceAccountToken } from './rule.ts';

const app = { name: 'app', image: 'nginx:1.27' };
/** A ServiceAccount fact; the nested test objects live in namespace `test`. */
const account = (name: string, automount?: boolean, namespace: string | null = 'test') => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, ...(namespace ? { namespace } : {}) },
  ...(automount === undefined ? {} : { automountServiceAccountToken: automount }),
});
const optsOut = (name: string, namespace: string | null = 'test') => account(name, false, namespace);

testRule(serviceAccountToken, {
  valid: [
    { name: 'explicitly false', podSpec: { automountServiceAccountToken: false, containers: [app] } },
    {
      name: 'explicitly false with a named service account',
      podSpec: { serviceAccountName: 'web', automountServiceAccountToken: false, containers: [app] },
    },
    {
      name: 'unset in the pod, and its service account opts out',
      facts: [optsOut('web')],
      podSpec: { serviceAccountName: 'web', containers: [app] },
    },
    {
      name: 'unset in the pod, the default service account opts out',
      facts: [optsOut('default')],
      podSpec: { automountServiceAccountToken: null, containers: [app] },
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
      name: 'the pod overrides an account that opts out',
      facts: [optsOut('web')],
      podSpec: { serviceAccountName: 'web', automountServiceAccountToken: true, containers: [app] },
      findings: [
        { messageId: 'enabled', path: 'spec.automountServiceAccountToken', data: { serviceAccount: 'web' } },
      ],
    },
    {
      name: 'the account read opts in, or says nothing',
      facts: [account('web', true), account('default')],
      podSpec: { serviceAccountName: 'web', containers: [app] },
      findings: [
        {
          messageId: 'accountAllows',
          path: 'spec.automountServiceAccountToken',
          data: { serviceAccount: 'web' },
        },
      ],
    },
    {
      name: 'an account that opts out in another namespace, or with another name, does not count',
      facts: [optsOut('web', 'other'), optsOut('web', null), optsOut('api')],
      podSpec: { serviceAccountName: 'web', containers: [app] },
      findings: [
        {
          messageId: 'notDisabled',
          path: 'spec.automountServiceAccountToken',
          data: { serviceAccount: 'web' },
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
    {
      name: 'fix: the pod opts out (review)',
      podSpec: { automountServiceAccountToken: true, containers: [app] },
      findings: [
        { messageId: 'enabled', path: 'spec.automountServiceAccountToken', container: null, fix: 'review' },
      ],
    },
  ],
});
