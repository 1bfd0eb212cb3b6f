import { testObjectRule } from '../../engine/rule-tester.ts';
import { powerRuleCases } from '../../../test/support/rbac-rule-cases.ts';
import { rbacPodExec } from './rule.ts';

testObjectRule(
  rbacPodExec,
  powerRuleCases({
    bad: [{ verbs: ['get'], apiGroups: [''], resources: ['pods/exec'] }],
    good: [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }],
    severity: 'high',
  }),
);
