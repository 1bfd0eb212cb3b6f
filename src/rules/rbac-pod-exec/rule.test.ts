import { testRbacRule } from '../../../test/support/rbac-rule-kit.ts';
import { powerRuleCases } from '../../../test/support/rbac-rule-cases.ts';
import { rbacPodExec } from './rule.ts';

testRbacRule(
  rbacPodExec,
  powerRuleCases({
    bad: [{ verbs: ['get'], apiGroups: [''], resources: ['pods/exec'] }],
    good: [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }],
    severity: 'high',
  }),
);
