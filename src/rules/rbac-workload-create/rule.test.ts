import { testObjectRule } from '../../engine/rule-tester.ts';
import { powerRuleCases } from '../../../test/support/rbac-rule-cases.ts';
import { rbacWorkloadCreate } from './rule.ts';

testObjectRule(
  rbacWorkloadCreate,
  powerRuleCases({
    bad: [{ verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] }],
    good: [{ verbs: ['get', 'list', 'watch'], apiGroups: ['apps'], resources: ['deployments'] }],
    severity: 'medium',
    nameless: true,
  }),
);
