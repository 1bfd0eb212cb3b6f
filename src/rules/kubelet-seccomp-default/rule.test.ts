import { describe, expect, it } from 'vitest';
import { testObjectRule } from '../../../test/support/rule-kit.ts';
import { createFacts, KUBELET_CONFIG_SOURCE_ANNOTATION } from '../../engine/subject.ts';
import type { KubeObject } from '../../workloads/model.ts';
import { kubeletSeccompDefault, kubeletSeccompDefaultRule } from './rule.ts';

const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
const kubeletConfig = (
  name: string,
  fields: Record<string, unknown>,
  annotations?: Record<string, string>,
) => ({
  apiVersion: 'kubelet.config.k8s.io/v1beta1',
  kind: 'KubeletConfiguration',
  metadata: { name, ...(annotations ? { annotations } : {}) },
  ...fields,
});

testObjectRule(kubeletSeccompDefaultRule, {
  valid: [
    {
      name: 'cluster default true',
      object: node('a'),
      others: [kubeletConfig('kubelet-config', { seccompDefault: true })],
    },
    {
      name: "the node's own configuration is true, the cluster's false",
      object: node('a'),
      others: [
        kubeletConfig('kubelet-config', { seccompDefault: false }),
        kubeletConfig('a', { seccompDefault: true }),
      ],
    },
  ],
  invalid: [
    {
      name: 'cluster default false',
      object: node('a'),
      others: [kubeletConfig('kubelet-config', { seccompDefault: false })],
      findings: [{ messageId: 'disabled', path: 'metadata.name', data: { node: 'a' } }],
    },
    {
      name: 'unset means false (the kubelet default)',
      object: node('a'),
      others: [
        kubeletConfig(
          'kubelet-config',
          {},
          { [KUBELET_CONFIG_SOURCE_ANNOTATION]: 'kubeadm ConfigMap kube-system/kubelet-config' },
        ),
      ],
      findings: [
        {
          messageId: 'disabled',
          path: 'metadata.name',
          data: { node: 'a', source: 'kubeadm ConfigMap kube-system/kubelet-config' },
        },
      ],
    },
    {
      name: 'a string "true" is not true (the kubelet would reject it)',
      object: node('a'),
      others: [kubeletConfig('kubelet-config', { seccompDefault: 'true' })],
      findings: [{ messageId: 'disabled', path: 'metadata.name' }],
    },
    {
      name: 'nothing read: unknown, at info',
      object: node('a'),
      findings: [{ messageId: 'unknown', path: 'metadata.name', severity: 'info', data: { node: 'a' } }],
    },
  ],
});

describe('kubeletSeccompDefault', () => {
  const config = (name: string, value: unknown): KubeObject => ({
    kind: 'KubeletConfiguration',
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    namespace: null,
    name,
    object: { seccompDefault: value },
    metadata: { name },
    origin: { file: 'cluster', documentPath: [] },
  });
  it("prefers the node's own configuration to the cluster's", () => {
    const facts = createFacts(
      [config('kubelet-config', false), config('n1', true)],
      ['KubeletConfiguration'],
    );
    expect(kubeletSeccompDefault(facts, 'n1').value).toBe('true');
    expect(kubeletSeccompDefault(facts, 'n2').value).toBe('false');
    expect(kubeletSeccompDefault(createFacts([], []), 'n1')).toEqual({
      value: 'unknown',
      source: 'none read',
    });
  });
});
