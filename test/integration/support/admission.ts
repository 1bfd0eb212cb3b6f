// The objects `kube-patrol policy export` prints, installed on the test control plane.
import { parseAllDocuments } from 'yaml';
import { isApiStatus, type KubeApi } from '../../../src/kube/client.ts';

const PLURALS: Record<string, string> = {
  ValidatingAdmissionPolicy: 'validatingadmissionpolicies',
  ValidatingAdmissionPolicyBinding: 'validatingadmissionpolicybindings',
  MutatingAdmissionPolicy: 'mutatingadmissionpolicies',
  MutatingAdmissionPolicyBinding: 'mutatingadmissionpolicybindings',
};

export interface ExportedPolicies {
  readonly documents: Record<string, unknown>[];
  /** The rule of each policy (its kube-patrol.io/rule annotation), sorted. */
  readonly rules: string[];
}

/** Parses the export's YAML stream and creates its objects, replacing those of an earlier run. */
export async function installExported(api: KubeApi, stream: string): Promise<ExportedPolicies> {
  const documents = parseAllDocuments(stream).map((d) => d.toJS() as Record<string, unknown>);
  const rules: string[] = [];
  for (const document of documents) {
    const plural = PLURALS[document['kind'] as string];
    if (!plural) throw new Error(`the export holds a ${String(document['kind'])}`);
    const metadata = document['metadata'] as { name: string; annotations?: Record<string, string> };
    const rule = metadata.annotations?.['kube-patrol.io/rule'];
    if (rule) rules.push(rule);
    await api
      .request('DELETE', `/apis/admissionregistration.k8s.io/v1/${plural}/${metadata.name}`)
      .catch((error: unknown) => {
        if (!isApiStatus(error, 404)) throw error;
      });
    await api.request('POST', `/apis/admissionregistration.k8s.io/v1/${plural}`, { body: document });
  }
  return { documents, rules: rules.sort() };
}
