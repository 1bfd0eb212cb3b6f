import { testRbacRule } from '../../../test/support/rbac-rule-kit.ts';
import { powerRuleCases } from '../../../test/support/rbac-rule-cases.ts';
import { rbacSecretsRead } from './rule.ts';

testRbacRule(
  rbacSecretsRead,
  powerRuleCases({
    bad: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }],
    good: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'] }],
    severity: 'high',
  }),
);
