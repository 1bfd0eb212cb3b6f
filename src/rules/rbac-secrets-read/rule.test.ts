import { testObjectRule } from '../../engine/rule-tester.ts';
import { powerRuleCases } from '../../../test/support/rbac-rule-cases.ts';
import { rbacSecretsRead } from './rule.ts';

testObjectRule(
  rbacSecretsRead,
  powerRuleCases({
    bad: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }],
    good: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'] }],
    severity: 'high',
  }),
);
