import { describe, expect, it } from 'vitest';
import {
  applyPatch,
  mergePatches,
  operationsToPatch,
  selectFixes,
  templatePathInObject,
  workloadPatch,
  type FindingFix,
} from './fix.ts';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    template: {
      metadata: {
        annotations: { keep: 'yes', 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' },
      },
      spec: {
        initContainers: [{ name: 'init', image: 'busybox' }],
        containers: [
          { name: 'app', image: 'nginx', securityContext: { runAsUser: 10 } },
          { name: 'side', image: 'envoy' },
        ],
      },
    },
  },
};
const where = {
  podSpecPath: ['spec', 'template', 'spec'],
  podMetadataPath: ['spec', 'template', 'metadata'],
};

describe('templatePathInObject', () => {
  it('puts spec and metadata under the kind’s template, and refuses anything else', () => {
    expect(templatePathInObject(['spec', 'containers', 0], where)).toEqual([
      'spec',
      'template',
      'spec',
      'containers',
      0,
    ]);
    expect(
      templatePathInObject(['metadata', 'annotations', 'a'], {
        podSpecPath: ['spec'],
        podMetadataPath: ['metadata'],
      }),
    ).toEqual(['metadata', 'annotations', 'a']);
    expect(templatePathInObject(['status'], where)).toBeNull();
  });
});

describe('operationsToPatch', () => {
  it('addresses containers by name and deletes with null', () => {
    const patch = operationsToPatch(deployment, [
      {
        op: 'set',
        path: ['spec', 'template', 'spec', 'containers', 1, 'securityContext', 'allowPrivilegeEscalation'],
        value: false,
      },
      {
        op: 'set',
        path: ['spec', 'template', 'spec', 'containers', 1, 'securityContext', 'readOnlyRootFilesystem'],
        value: true,
      },
      {
        op: 'set',
        path: ['spec', 'template', 'spec', 'securityContext', 'seccompProfile'],
        value: { type: 'RuntimeDefault' },
      },
      {
        op: 'remove',
        path: ['spec', 'template', 'metadata', 'annotations', 'seccomp.security.alpha.kubernetes.io/pod'],
      },
    ]);
    expect(patch).toEqual({
      spec: {
        template: {
          metadata: { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': null } },
          spec: {
            containers: [
              {
                name: 'side',
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
              },
            ],
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          },
        },
      },
    });
  });

  it('refuses an index into a list that is not merged by name, and a nameless container', () => {
    expect(() =>
      operationsToPatch({ spec: { volumes: [{ name: 'v' }] } }, [
        { op: 'set', path: ['spec', 'volumes', 0, 'x'], value: 1 },
      ]),
    ).toThrow(/not a list merged by name/);
    expect(() =>
      operationsToPatch({ spec: { containers: [{}] } }, [
        { op: 'set', path: ['spec', 'containers', 0, 'x'], value: 1 },
      ]),
    ).toThrow(/no name/);
  });
});

describe('applyPatch and mergePatches', () => {
  it('merges maps, merges containers by name, replaces other lists, deletes nulls, leaves the input alone', () => {
    const input = structuredClone(deployment);
    const patched = applyPatch(input, {
      spec: {
        template: {
          metadata: { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': null } },
          spec: {
            containers: [
              { name: 'app', securityContext: { capabilities: { drop: ['ALL'] } } },
              { name: 'new', image: 'x' },
            ],
          },
        },
      },
    });
    expect(input).toEqual(deployment);
    expect(patched.spec.template.metadata.annotations).toEqual({ keep: 'yes' });
    expect(patched.spec.template.spec.containers).toEqual([
      { name: 'app', image: 'nginx', securityContext: { runAsUser: 10, capabilities: { drop: ['ALL'] } } },
      { name: 'side', image: 'envoy' },
      { name: 'new', image: 'x' },
    ]);
    expect(patched.spec.template.spec.initContainers).toEqual(deployment.spec.template.spec.initContainers);
  });

  it('merging patches equals applying them one after the other, deletions included', () => {
    const a = { spec: { template: { spec: { containers: [{ name: 'app', securityContext: { a: 1 } }] } } } };
    const b = {
      spec: {
        template: {
          metadata: { annotations: { keep: null } },
          spec: { containers: [{ name: 'app', securityContext: { b: 2 } }] },
        },
      },
    };
    const c = { spec: { template: { spec: { containers: [{ name: 'side', securityContext: { a: 3 } }] } } } };
    expect(applyPatch(deployment, mergePatches([a, b, c]))).toEqual(
      applyPatch(applyPatch(applyPatch(deployment, a), b), c),
    );
  });
});

describe('selectFixes and workloadPatch', () => {
  const safe: FindingFix = { safety: 'safe', patch: { spec: { a: 1 } } };
  const review: FindingFix = { safety: 'review', patch: { spec: { b: 2 } } };
  const findings = [
    { ruleId: 'one', fix: safe },
    { ruleId: 'two', fix: review },
    { ruleId: 'three', fix: safe, exempted: { by: 'config', reason: 'x' } },
    { ruleId: 'four' },
  ];

  it('takes safe fixes of unexempted findings by default, review ones when asked, only the chosen rules', () => {
    expect(selectFixes(findings).map((f) => f.ruleId)).toEqual(['one']);
    expect(selectFixes(findings, { includeReview: true }).map((f) => f.ruleId)).toEqual(['one', 'two']);
    expect(
      selectFixes(findings, { includeReview: true, rules: new Set(['two']) }).map((f) => f.ruleId),
    ).toEqual(['two']);
    expect(workloadPatch(findings, { includeReview: true })).toEqual({ spec: { a: 1, b: 2 } });
    expect(workloadPatch(findings, { rules: new Set(['four']) })).toBeNull();
  });
});
