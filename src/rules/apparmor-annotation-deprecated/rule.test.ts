import { testRule } from '../../../test/support/rule-kit.ts';
import { apparmorAnnotationDeprecated } from './rule.ts';

const app = { name: 'app', image: 'nginx:1.27' };
const KEY = (name: string) => `container.apparmor.security.beta.kubernetes.io/${name}`;
const at = (annotation: string) => `metadata.annotations[${JSON.stringify(annotation)}]`;

testRule(apparmorAnnotationDeprecated, {
  valid: [
    { name: 'no annotations', podSpec: { containers: [app] } },
    {
      name: 'unrelated annotation',
      podSpec: { containers: [app] },
      podAnnotations: { 'apparmor.example.com/app': 'runtime/default' },
    },
    {
      name: 'appArmorProfile field',
      podSpec: { containers: [{ ...app, securityContext: { appArmorProfile: { type: 'RuntimeDefault' } } }] },
    },
    {
      name: 'annotation before v1.30, when it is the only way to set a profile',
      version: 'v1.29',
      podSpec: { containers: [app] },
      podAnnotations: { [KEY('app')]: 'runtime/default' },
    },
  ],
  invalid: [
    {
      name: 'runtime/default annotation',
      podSpec: { containers: [app] },
      podAnnotations: { [KEY('app')]: 'runtime/default' },
      findings: [
        {
          messageId: 'deprecatedAnnotation',
          path: at(KEY('app')),
          container: 'app',
          data: { container: 'app', value: 'runtime/default', replacement: 'type: RuntimeDefault' },
        },
      ],
    },
    {
      name: 'annotation at v1.30, the first version with the field',
      version: 'v1.30',
      podSpec: { containers: [app] },
      podAnnotations: { [KEY('app')]: 'runtime/default' },
      findings: [{ messageId: 'deprecatedAnnotation', path: at(KEY('app')), container: 'app' }],
    },
    {
      name: 'annotations for init, app and ephemeral containers',
      podSpec: {
        initContainers: [{ name: 'init', image: 'busybox:1.36' }],
        containers: [app],
        ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36' }],
      },
      podAnnotations: {
        [KEY('init')]: 'localhost/k8s-init',
        [KEY('app')]: 'unconfined',
        [KEY('debug')]: 'runtime/default',
      },
      findings: [
        {
          messageId: 'deprecatedAnnotation',
          path: at(KEY('init')),
          container: 'init',
          data: { replacement: 'type: Localhost, localhostProfile: k8s-init' },
        },
        {
          messageId: 'deprecatedAnnotation',
          path: at(KEY('app')),
          container: 'app',
          severity: 'low',
          data: { replacement: 'type: Unconfined' },
        },
        { messageId: 'deprecatedAnnotation', path: at(KEY('debug')), container: 'debug' },
      ],
    },
    {
      name: 'annotation naming no container of the pod',
      podSpec: { containers: [app] },
      podAnnotations: { [KEY('gone')]: 'runtime/default' },
      findings: [
        {
          messageId: 'deprecatedAnnotation',
          path: at(KEY('gone')),
          container: null,
          data: { container: 'gone' },
        },
      ],
    },
    {
      name: 'annotation alongside the matching field',
      podSpec: { containers: [{ ...app, securityContext: { appArmorProfile: { type: 'RuntimeDefault' } } }] },
      podAnnotations: { [KEY('app')]: 'runtime/default' },
      findings: [{ messageId: 'deprecatedAnnotation', path: at(KEY('app')), container: 'app' }],
    },
    {
      name: 'fix: each value becomes the field it stands for (safe)',
      podSpec: {
        containers: [app, { name: 'b', image: 'nginx:1.27' }, { name: 'c', image: 'nginx:1.27' }],
      },
      podAnnotations: {
        [KEY('app')]: 'runtime/default',
        [KEY('b')]: 'localhost/k8s-nginx',
        [KEY('c')]: 'unconfined',
      },
      findings: [
        { messageId: 'deprecatedAnnotation', path: at(KEY('app')), container: 'app', fix: 'safe' },
        { messageId: 'deprecatedAnnotation', path: at(KEY('b')), container: 'b', fix: 'safe' },
        { messageId: 'deprecatedAnnotation', path: at(KEY('c')), container: 'c', fix: 'safe' },
      ],
    },
    {
      name: 'fix: none for a value that names no profile',
      podSpec: { containers: [app] },
      podAnnotations: { [KEY('app')]: 'bogus' },
      findings: [{ messageId: 'deprecatedAnnotation', path: at(KEY('app')), container: 'app', fix: null }],
    },
  ],
});
