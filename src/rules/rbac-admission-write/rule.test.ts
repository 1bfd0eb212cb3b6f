import { testRbacRule } from '../../../test/support/rbac-rule-kit.ts';
import { powerRuleCases } from '../../../test/support/rbac-rule-cases.ts';
import { rbacAdmissionWrite } from './rule.ts';

testRbacRule(
  rbacAdmissionWrite,
  powerRuleCases({
    bad: [
      {
        verbs: ['patch'],
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['mutatingwebhookconfigurations'],
      },
    ],
    good: [
      {
        verbs: ['get', 'list', 'watch'],
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['mutatingwebhookconfigurations'],
      },
    ],
    severity: 'high',
    clusterOnly: true,
  }),
);
