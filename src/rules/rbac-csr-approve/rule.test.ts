import { testRbacRule } from '../../../test/support/rbac-rule-kit.ts';
import { powerRuleCases } from '../../../test/support/rbac-rule-cases.ts';
import { rbacCsrApprove } from './rule.ts';

testRbacRule(
  rbacCsrApprove,
  powerRuleCases({
    bad: [
      {
        verbs: ['update'],
        apiGroups: ['certificates.k8s.io'],
        resources: ['certificatesigningrequests/approval'],
      },
      {
        verbs: ['approve'],
        apiGroups: ['certificates.k8s.io'],
        resources: ['signers'],
        resourceNames: ['kubernetes.io/kube-apiserver-client'],
      },
    ],
    good: [
      {
        verbs: ['update'],
        apiGroups: ['certificates.k8s.io'],
        resources: ['certificatesigningrequests/approval'],
      },
    ],
    severity: 'high',
    clusterOnly: true,
    namesNotNarrowing: true,
  }),
);
