import { testObjectRule } from '../../../test/support/rule-kit.ts';
import { namespacePssUnenforced } from './rule.ts';

const namespace = (name: string, labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, ...(labels ? { labels } : {}) },
});
/** The scan's tally of a namespace (computed from its workloads' PSS verdicts in a real scan). */
const tally = (name: string, workloads: number, failingBaseline: number, failingRestricted: number) => ({
  apiVersion: 'kube-patrol.io/v1',
  kind: 'NamespacePodSecurity',
  metadata: { name },
  workloads,
  failingBaseline,
  failingRestricted,
  level: failingRestricted === 0 ? 'restricted' : failingBaseline === 0 ? 'baseline' : 'privileged',
});
const PATH = 'metadata.labels["pod-security.kubernetes.io/enforce"]';

testObjectRule(namespacePssUnenforced, {
  valid: [
    {
      name: 'labelled enforce=restricted',
      object: namespace('shop', { 'pod-security.kubernetes.io/enforce': 'restricted' }),
      others: [tally('shop', 3, 0, 0)],
    },
    {
      // Whatever the level: the namespace chose one (a finding on its pods says what fails).
      name: 'labelled enforce=privileged, workloads that fail baseline',
      object: namespace('agents', { 'pod-security.kubernetes.io/enforce': 'privileged' }),
      others: [tally('agents', 2, 2, 2)],
    },
    { name: 'no workload in the namespace', object: namespace('empty'), others: [tally('other', 1, 0, 0)] },
    {
      name: 'the tally of the namespace is not known (the scan did not compute it)',
      object: namespace('shop'),
      others: [tally('shop', 3, 0, 0)],
      known: ['Namespace'],
    },
    {
      name: 'enforce=baseline beside warn=restricted',
      object: namespace('shop', {
        'pod-security.kubernetes.io/enforce': 'baseline',
        'pod-security.kubernetes.io/warn': 'restricted',
      }),
      others: [tally('shop', 3, 0, 1)],
    },
  ],
  invalid: [
    {
      name: 'every workload passes restricted',
      object: namespace('shop'),
      others: [tally('shop', 3, 0, 0)],
      findings: [
        {
          messageId: 'enforceable',
          path: PATH,
          data: {
            namespace: 'shop',
            workloads: 3,
            level: 'restricted',
            version: 'v1.37',
            command:
              'kubectl label --overwrite namespace shop pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=v1.37',
          },
        },
      ],
    },
    {
      name: 'one workload fails restricted only: baseline, at the version selected',
      object: namespace('shop', { 'pod-security.kubernetes.io/warn': 'restricted' }),
      others: [tally('shop', 3, 0, 1)],
      version: 'v1.30',
      findings: [
        {
          messageId: 'enforceable',
          path: PATH,
          data: {
            namespace: 'shop',
            workloads: 3,
            level: 'baseline',
            version: 'v1.30',
            command:
              'kubectl label --overwrite namespace shop pod-security.kubernetes.io/enforce=baseline pod-security.kubernetes.io/enforce-version=v1.30',
          },
        },
      ],
    },
    {
      name: 'a workload fails baseline',
      object: namespace('legacy'),
      others: [tally('legacy', 4, 1, 2), tally('shop', 1, 0, 0)],
      findings: [
        {
          messageId: 'privilegedOnly',
          path: PATH,
          data: { namespace: 'legacy', workloads: 4, failing: 1, version: 'v1.37' },
        },
      ],
    },
  ],
});
