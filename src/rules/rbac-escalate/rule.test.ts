import { testRbacRule } from '../../../test/support/rbac-rule-kit.ts';
import { powerRuleCases } from '../../../test/support/rbac-rule-cases.ts';
import { rbacEscalate } from './rule.ts';

testRbacRule(
  rbacEscalate,
  powerRuleCases({
    bad: [{ verbs: ['escalate', 'bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'] }],
    good: [{ verbs: ['get', 'list'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'] }],
    severity: 'critical',
  }),
);
