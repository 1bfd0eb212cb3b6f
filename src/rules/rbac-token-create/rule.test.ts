import { testRbacRule } from '../../../test/support/rbac-rule-kit.ts';
import { powerRuleCases } from '../../../test/support/rbac-rule-cases.ts';
import { rbacTokenCreate } from './rule.ts';

testRbacRule(
  rbacTokenCreate,
  powerRuleCases({
    bad: [{ verbs: ['create'], apiGroups: [''], resources: ['serviceaccounts/token'] }],
    good: [{ verbs: ['get'], apiGroups: [''], resources: ['serviceaccounts'] }],
    severity: 'high',
  }),
);
