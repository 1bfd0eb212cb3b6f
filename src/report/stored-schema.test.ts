import { describe, expect, it } from 'vitest';
import { reportFindingSchema } from './stored-schema.ts';

const finding = {
  id: '0123456789abcdef0123',
  ruleId: 'host-network',
  severity: 'high',
  category: 'pod-security',
  pss: { level: 'baseline', check: 'hostNamespaces' },
  workload: { kind: 'DaemonSet', namespace: 'kube-system', name: 'calico-node' },
  container: null,
  path: 'spec.template.spec.hostNetwork',
  messageId: 'hostNetwork',
  data: {},
  message: 'The pod sets `hostNetwork: true`.',
  remediation: 'Remove it.',
};

describe('stored report findings', () => {
  it('read back an exemption by a shipped preset with its id', () => {
    const exempted = { by: 'preset', preset: 'cni', reason: 'CNI node agent (preset "cni")' };
    const parsed = reportFindingSchema.parse({ ...finding, exempted });
    expect(parsed.exempted).toEqual(exempted);
  });

  it('still refuse an exemption by something unknown', () => {
    expect(() => reportFindingSchema.parse({ ...finding, exempted: { by: 'magic', reason: 'x' } })).toThrow();
  });
});
