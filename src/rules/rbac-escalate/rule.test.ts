import { testObjectRule } from '../../engine/rule-tester.ts';
import { powerRuleCases } from '../../../test/support/rbac-rule-cases.ts';
import { rbacEscalate } from './rule.ts';

testObjectRule(
  rbacEscalate,
  powerRuleCases({
    bad: [{ verbs: ['escalate', 'bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'] }],
    good: [{ verbs: ['get', 'list'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'] }],
    severity: 'critical',
  }),
);
