import { testRule } from '../../../test/support/rule-kit.ts';
import { apparmorUnconfined } from './rule.ts';

const app = { name: 'app', image: 'nginx:1.27' };
const KEY = (name: string) => `container.apparmor.security.beta.kubernetes.io/${name}`;
const at = (annotation: string) => `metadata.annotations[${JSON.stringify(annotation)}]`;
const profile = (type: string | null) => ({
  securityContext: { appArmorProfile: type === null ? {} : { type } },
});

testRule(apparmorUnconfined, {
  valid: [
    { name: 'field absent', podSpec: { containers: [app] } },
    {
      name: 'null securityContext and appArmorProfile',
      podSpec: {
        securityContext: { appArmorProfile: null },
        containers: [{ ...app, securityContext: null }],
      },
    },
    {
      name: 'RuntimeDefault at pod level, Localhost on a container',
      podSpec: {
        securityContext: { appArmorProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            ...app,
            securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'k8s-app' } },
          },
        ],
      },
    },
    {
      name: 'allowed annotation values, including empty and a bare localhost/ prefix',
      podSpec: { containers: [app] },
      podAnnotations: {
        [KEY('a')]: 'runtime/default',
        [KEY('b')]: 'localhost/k8s-app',
        [KEY('c')]: '',
        [KEY('d')]: 'localhost/',
      },
    },
    {
      name: 'unrelated annotation with an unconfined value',
      podSpec: { containers: [app] },
      podAnnotations: { 'apparmor.example.com/app': 'unconfined' },
    },
    {
      name: 'oldest policy version with allowed values',
      version: 'v1.25',
      podSpec: { securityContext: { appArmorProfile: { type: 'RuntimeDefault' } }, containers: [app] },
      podAnnotations: { [KEY('app')]: 'runtime/default' },
    },
  ],
  invalid: [
    {
      name: 'Unconfined at pod level',
      podSpec: { securityContext: { appArmorProfile: { type: 'Unconfined' } }, containers: [app] },
      findings: [
        {
          messageId: 'podProfile',
          path: 'spec.securityContext.appArmorProfile.type',
          container: null,
          data: { type: 'Unconfined' },
        },
      ],
    },
    {
      name: 'Unconfined in every container role, despite a RuntimeDefault pod',
      podSpec: {
        securityContext: { appArmorProfile: { type: 'RuntimeDefault' } },
        initContainers: [{ name: 'init', image: 'busybox:1.36', ...profile('Unconfined') }],
        containers: [app, { name: 'sidecar', image: 'envoy:1.30', ...profile('Unconfined') }],
        ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36', ...profile('Unconfined') }],
      },
      findings: [
        {
          messageId: 'containerProfile',
          path: 'spec.initContainers[0].securityContext.appArmorProfile.type',
          container: 'init',
          data: { container: 'init', type: 'Unconfined' },
        },
        {
          messageId: 'containerProfile',
          path: 'spec.containers[1].securityContext.appArmorProfile.type',
          container: 'sidecar',
        },
        {
          messageId: 'containerProfile',
          path: 'spec.ephemeralContainers[0].securityContext.appArmorProfile.type',
          container: 'debug',
        },
      ],
    },
    {
      name: 'a type other than RuntimeDefault or Localhost (case-sensitive)',
      podSpec: { containers: [{ ...app, ...profile('runtimedefault') }] },
      findings: [
        {
          messageId: 'containerProfile',
          path: 'spec.containers[0].securityContext.appArmorProfile.type',
          data: { type: 'runtimedefault' },
        },
      ],
    },
    {
      name: 'appArmorProfile present without a type (upstream sees the empty type)',
      podSpec: { securityContext: { appArmorProfile: {} }, containers: [app] },
      findings: [
        { messageId: 'podProfile', path: 'spec.securityContext.appArmorProfile.type', data: { type: '' } },
      ],
    },
    {
      name: 'unconfined annotation',
      podSpec: { containers: [app] },
      podAnnotations: { [KEY('app')]: 'unconfined' },
      findings: [
        {
          messageId: 'annotation',
          path: at(KEY('app')),
          container: 'app',
          data: { annotation: KEY('app'), container: 'app', value: 'unconfined' },
        },
      ],
    },
    {
      name: 'annotations: only values outside runtime/default and localhost/* fail',
      podSpec: { containers: [app] },
      podAnnotations: {
        [KEY('')]: 'bogus',
        [KEY('a')]: '',
        [KEY('b')]: 'runtime/default',
        [KEY('c')]: 'localhost/',
        [KEY('d')]: 'localhost/foo',
        [KEY('e')]: 'unconfined',
        [KEY('f')]: 'unknown',
      },
      findings: [
        {
          messageId: 'annotation',
          path: at(KEY('')),
          container: null,
          data: { container: '', value: 'bogus' },
        },
        { messageId: 'annotation', path: at(KEY('e')), container: null, data: { value: 'unconfined' } },
        { messageId: 'annotation', path: at(KEY('f')), container: null, data: { value: 'unknown' } },
      ],
    },
    {
      name: 'annotation for an init container',
      podSpec: { initContainers: [{ name: 'init', image: 'busybox:1.36' }], containers: [app] },
      podAnnotations: { [KEY('init')]: 'runtime/Default' },
      findings: [
        {
          messageId: 'annotation',
          path: at(KEY('init')),
          container: 'init',
          data: { value: 'runtime/Default' },
        },
      ],
    },
    {
      name: 'field and annotation are both read at the oldest policy version',
      version: 'v1.25',
      podSpec: { containers: [{ ...app, ...profile('Unconfined') }] },
      podAnnotations: { [KEY('app')]: 'unconfined' },
      findings: [
        {
          messageId: 'containerProfile',
          path: 'spec.containers[0].securityContext.appArmorProfile.type',
          container: 'app',
        },
        { messageId: 'annotation', path: at(KEY('app')), container: 'app' },
      ],
    },
  ],
});
