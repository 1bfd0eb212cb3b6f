import { testRbacRule } from '../../../test/support/rbac-rule-kit.ts';
import { powerRuleCases } from '../../../test/support/rbac-rule-cases.ts';
import { rbacWorkloadCreate } from './rule.ts';

testRbacRule(
  rbacWorkloadCreate,
  powerRuleCases({
    bad: [{ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] }],
    good: [{ verbs: ['get', 'list', 'watch'], apiGroups: ['apps'], resources: ['deployments'] }],
    severity: 'medium',
    nameless: true,
  }),
);
