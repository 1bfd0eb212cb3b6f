import { testObjectRule } from '../../engine/rule-tester.ts';
import { powerRuleCases } from '../../../test/support/rbac-rule-cases.ts';
import { rbacTokenCreate } from './rule.ts';

testObjectRule(
  rbacTokenCreate,
  powerRuleCases({
    bad: [{ verbs: ['create'], apiGroups: [''], resources: ['serviceaccounts/token'] }],
    good: [{ verbs: ['get'], apiGroups: [''], resources: ['serviceaccounts'] }],
    severity: 'high',
  }),
);
