import type { Reference } from '../engine/rule.ts';

/** References shared by many rules. */
export const PSS_REFERENCE = {
  baseline: {
    title: 'Pod Security Standards: Baseline',
    url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
  },
  restricted: {
    title: 'Pod Security Standards: Restricted',
    url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
  },
} as const satisfies Record<string, Reference>;

export const SECCOMP_REFERENCE: Reference = {
  title: "Restrict a Container's Syscalls with seccomp",
  url: 'https://kubernetes.io/docs/tutorials/security/seccomp/',
};

export const SECURITY_CONTEXT_REFERENCE: Reference = {
  title: 'Configure a Security Context for a Pod or Container',
  url: 'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
};

export const NSA_HARDENING_REFERENCE: Reference = {
  title: 'NSA/CISA Kubernetes Hardening Guidance',
  url: 'https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF',
};

/** A CIS Kubernetes Benchmark item, e.g. `cisReference('v1.9, 5.2.3: Minimize ...')`. */
export function cisReference(item: string): Reference {
  return {
    title: `CIS Kubernetes Benchmark ${item}`,
    url: 'https://www.cisecurity.org/benchmark/kubernetes',
  };
}
