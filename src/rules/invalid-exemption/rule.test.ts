import { testRule } from '../../../test/support/rule-kit.ts';
import { invalidExemption } from './rule.ts';

// `privileged` is a registered rule; the tester passes the ids of every registered rule.
const KEY = (suffix: string) => `kube-patrol.io/exempt.${suffix}`;
const at = (suffix: string, root = 'metadata') => `${root}.annotations[${JSON.stringify(KEY(suffix))}]`;
const pod = {
  initContainers: [{ name: 'init', image: 'busybox:1.36' }],
  containers: [{ name: 'app', image: 'nginx:1.27' }],
  ephemeralContainers: [{ name: 'debug', image: 'busybox:1.36' }],
};
const deployment = (
  objectAnnotations: Record<string, unknown>,
  templateAnnotations: Record<string, unknown>,
) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'demo', annotations: objectAnnotations },
  spec: {
    selector: { matchLabels: { app: 'demo' } },
    template: { metadata: { labels: { app: 'demo' }, annotations: templateAnnotations }, spec: pod },
  },
});

testRule(invalidExemption, {
  valid: [
    { name: 'no annotations', podSpec: pod },
    {
      name: 'unrelated kube-patrol annotation',
      podSpec: pod,
      podAnnotations: { 'kube-patrol.io/owner': 'team-a' },
    },
    {
      name: 'known rule with a reason',
      podSpec: pod,
      podAnnotations: { [KEY('privileged')]: 'node agent, reviewed in SEC-1' },
    },
    {
      name: 'per-container exemptions for init, app and ephemeral containers',
      version: 'v1.25',
      podSpec: pod,
      podAnnotations: {
        [KEY('privileged.init')]: 'sets sysctls',
        [KEY('privileged.app')]: 'legacy',
        [KEY('privileged.debug')]: 'debug session',
      },
    },
    {
      name: 'on the Deployment object and its template',
      object: deployment({ [KEY('privileged')]: 'reviewed' }, { [KEY('privileged.app')]: 'reviewed' }),
    },
  ],
  invalid: [
    {
      name: 'empty reason',
      podSpec: pod,
      podAnnotations: { [KEY('privileged')]: '' },
      findings: [
        {
          messageId: 'emptyReason',
          path: at('privileged'),
          container: null,
          severity: 'medium',
          data: { annotation: KEY('privileged'), rule: 'privileged' },
        },
      ],
    },
    {
      name: 'whitespace-only reason',
      podSpec: pod,
      podAnnotations: { [KEY('privileged.app')]: '   ' },
      findings: [{ messageId: 'emptyReason', path: at('privileged.app') }],
    },
    {
      name: 'unknown rule id (typo, wildcard)',
      podSpec: pod,
      podAnnotations: { [KEY('privilegd')]: 'typo', [KEY('*')]: 'everything' },
      findings: [
        { messageId: 'unknownRule', path: at('privilegd'), data: { rule: 'privilegd' } },
        { messageId: 'unknownRule', path: at('*'), data: { rule: '*' } },
      ],
    },
    {
      name: 'unknown container',
      podSpec: pod,
      podAnnotations: { [KEY('privileged.sidecar')]: 'reviewed' },
      findings: [
        {
          messageId: 'unknownContainer',
          path: at('privileged.sidecar'),
          container: null,
          data: { rule: 'privileged', container: 'sidecar' },
        },
      ],
    },
    {
      name: 'every problem at once',
      version: 'v1.25',
      podSpec: pod,
      podAnnotations: { [KEY('nope.ghost')]: '' },
      findings: [
        { messageId: 'emptyReason', path: at('nope.ghost') },
        { messageId: 'unknownRule', path: at('nope.ghost') },
        { messageId: 'unknownContainer', path: at('nope.ghost'), data: { container: 'ghost' } },
      ],
    },
    {
      name: 'object metadata and pod template metadata of a Deployment',
      object: deployment(
        { [KEY('privileged')]: null, [KEY('host-netwrk')]: 'typo' },
        { [KEY('privileged.ghost')]: 'reviewed' },
      ),
      findings: [
        { messageId: 'emptyReason', path: at('privileged') },
        { messageId: 'unknownRule', path: at('host-netwrk') },
        { messageId: 'unknownContainer', path: at('privileged.ghost', 'spec.template.metadata') },
      ],
    },
  ],
});
