import { testRbacRule } from '../../../test/support/rbac-rule-kit.ts';
import { powerRuleCases } from '../../../test/support/rbac-rule-cases.ts';
import { rbacNodesProxy } from './rule.ts';

testRbacRule(
  rbacNodesProxy,
  powerRuleCases({
    bad: [{ verbs: ['get'], apiGroups: [''], resources: ['nodes/proxy'] }],
    good: [{ verbs: ['get'], apiGroups: [''], resources: ['nodes/metrics'] }],
    severity: 'critical',
    clusterOnly: true,
  }),
);
