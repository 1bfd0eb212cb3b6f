// Asks the real authorizer (a SubjectAccessReview, as admin) what a ServiceAccount may do.
import type { KubeApi } from '../../../src/kube/client.ts';

export interface ResourceAttributes {
  readonly verb: string;
  readonly resource: string;
  readonly group?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

export async function serviceAccountCan(
  admin: KubeApi,
  serviceAccount: { readonly namespace: string; readonly name: string },
  attributes: ResourceAttributes,
): Promise<boolean> {
  const { namespace, name } = serviceAccount;
  const review = await admin.request<{ status: { allowed: boolean } }>(
    'POST',
    '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: `system:serviceaccount:${namespace}:${name}`,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
          resourceAttributes: { group: '', ...attributes },
        },
      },
    },
  );
  return review.status.allowed;
}
