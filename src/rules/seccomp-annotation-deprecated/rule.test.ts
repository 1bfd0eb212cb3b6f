import { testRule } from '../../../test/support/rule-kit.ts';
import { seccompAnnotationDeprecated } from './rule.ts';

const app = { name: 'app', image: 'nginx:1.27' };
const POD = 'seccomp.security.alpha.kubernetes.io/pod';
const CONTAINER = (name: string) => `container.seccomp.security.alpha.kubernetes.io/${name}`;
const at = (annotation: string) => `metadata.annotations[${JSON.stringify(annotation)}]`;

testRule(seccompAnnotationDeprecated, {
  valid: [
    { name: 'no annotations', podSpec: { containers: [app] } },
    {
      name: 'unrelated annotations',
      podSpec: { containers: [app] },
      podAnnotations: { 'prometheus.io/scrape': 'true', 'seccomp.example.com/pod': 'runtime/default' },
    },
    {
      name: 'seccompProfile field instead of annotation',
      podSpec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [app] },
    },
    {
      name: 'annotation on the Deployment object, not the pod template (never read by anything)',
      object: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'demo', annotations: { [POD]: 'runtime/default' } },
        spec: {
          selector: { matchLabels: { app: 'demo' } },
          template: { metadata: { labels: { app: 'demo' } }, spec: { containers: [app] } },
        },
      },
    },
  ],
  invalid: [
    {
      name: 'pod annotation runtime/default',
      podSpec: { containers: [app] },
      podAnnotations: { [POD]: 'runtime/default' },
      findings: [
        {
          messageId: 'podAnnotation',
          path: at(POD),
          container: null,
          severity: 'low',
          data: { annotation: POD, value: 'runtime/default' },
        },
      ],
    },
    {
      name: 'pod annotation runtime/default, oldest policy version',
      version: 'v1.25',
      podSpec: { containers: [app] },
      podAnnotations: { [POD]: 'runtime/default' },
      findings: [{ messageId: 'podAnnotation', path: at(POD), severity: 'low' }],
    },
    {
      name: 'pod annotation unconfined is medium',
      podSpec: { containers: [app] },
      podAnnotations: { [POD]: 'unconfined' },
      findings: [
        { messageId: 'podAnnotation', path: at(POD), severity: 'medium', data: { value: 'unconfined' } },
      ],
    },
    {
      name: 'annotation present alongside the field is still flagged',
      podSpec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [app] },
      podAnnotations: { [POD]: 'runtime/default' },
      findings: [{ messageId: 'podAnnotation', path: at(POD) }],
    },
    {
      name: 'container annotations for app, init and ephemeral containers',
      podSpec: {
        initContainers: [{ name: 'init', image: 'busybox:1.36' }],
        containers: [app],
        ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36' }],
      },
      podAnnotations: {
        [CONTAINER('init')]: 'localhost/profile.json',
        [CONTAINER('app')]: 'unconfined',
        [CONTAINER('debug')]: 'docker/default',
      },
      findings: [
        {
          messageId: 'containerAnnotation',
          path: at(CONTAINER('init')),
          container: 'init',
          severity: 'low',
          data: { container: 'init', value: 'localhost/profile.json' },
        },
        {
          messageId: 'containerAnnotation',
          path: at(CONTAINER('app')),
          container: 'app',
          severity: 'medium',
          data: { container: 'app' },
        },
        {
          messageId: 'containerAnnotation',
          path: at(CONTAINER('debug')),
          container: 'debug',
          severity: 'low',
        },
      ],
    },
    {
      name: 'container annotation naming no container of the pod',
      podSpec: { containers: [app] },
      podAnnotations: { [CONTAINER('gone')]: 'runtime/default' },
      findings: [
        {
          messageId: 'containerAnnotation',
          path: at(CONTAINER('gone')),
          container: null,
          data: { container: 'gone' },
        },
      ],
    },
    {
      name: 'pod and container annotations together',
      podSpec: { containers: [app] },
      podAnnotations: { [POD]: 'runtime/default', [CONTAINER('app')]: 'runtime/default' },
      findings: [
        { messageId: 'podAnnotation', path: at(POD), container: null },
        { messageId: 'containerAnnotation', path: at(CONTAINER('app')), container: 'app' },
      ],
    },
    {
      name: 'fix: runtime/default becomes the pod field (safe)',
      podSpec: { containers: [app] },
      podAnnotations: { [POD]: 'runtime/default' },
      findings: [{ messageId: 'podAnnotation', path: at(POD), fix: 'safe' }],
    },
    {
      name: 'fix: runtime/default for a container when another container chose a profile (review)',
      podSpec: {
        containers: [
          app,
          {
            name: 'other',
            image: 'nginx:1.27',
            securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' } },
          },
        ],
      },
      podAnnotations: { [CONTAINER('app')]: 'docker/default' },
      findings: [{ messageId: 'containerAnnotation', path: at(CONTAINER('app')), fix: 'review' }],
    },
    {
      name: 'fix: localhost/<name> becomes a Localhost profile (review)',
      podSpec: { containers: [app] },
      podAnnotations: { [CONTAINER('app')]: 'localhost/profiles/app.json' },
      findings: [{ messageId: 'containerAnnotation', path: at(CONTAINER('app')), fix: 'review' }],
    },
    {
      name: 'fix: unconfined is only deleted (safe)',
      podSpec: { containers: [app] },
      podAnnotations: { [POD]: 'unconfined' },
      findings: [{ messageId: 'podAnnotation', path: at(POD), severity: 'medium', fix: 'safe' }],
    },
  ],
});
