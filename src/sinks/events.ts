import { randomBytes } from 'node:crypto';
import type { KubeApi } from '../kube/client.ts';
import type { InspectionReport } from '../report/model.ts';

export interface EventTarget {
  readonly namespace: string;
  /** The object the event is about: the report ConfigMap. */
  readonly kind: string;
  readonly name: string;
  readonly uid?: string;
  /** reportingInstance: who emitted it (pod name). */
  readonly instance: string;
}

/** Critical findings that are new since the previous report (all critical ones on a first scan). */
export function newCriticalFindings(
  report: InspectionReport,
): { id: string; ruleId: string; workload: string; container: string | null }[] {
  const describe = (w: { kind: string; namespace: string | null; name: string }) =>
    `${w.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.name}`;
  if (report.diff)
    return report.diff.new
      .filter((f) => f.severity === 'critical')
      .map((f) => ({ id: f.id, ruleId: f.ruleId, workload: describe(f.workload), container: f.container }));
  return report.findings
    .filter((f) => f.severity === 'critical' && !f.exempted)
    .map((f) => ({ id: f.id, ruleId: f.ruleId, workload: describe(f.workload), container: f.container }));
}

/** Posts one Warning Event (core/v1) naming the new critical findings; a no-op when there are none. */
export async function emitNewCriticalEvent(
  api: KubeApi,
  target: EventTarget,
  report: InspectionReport,
  now: Date,
): Promise<boolean> {
  const found = newCriticalFindings(report);
  if (found.length === 0) return false;
  const shown = found
    .slice(0, 5)
    .map((f) => `${f.ruleId} on ${f.workload}${f.container ? ` (container ${f.container})` : ''}`);
  const more = found.length > shown.length ? `, and ${found.length - shown.length} more` : '';
  const message = `${found.length} new critical finding${found.length === 1 ? '' : 's'}: ${shown.join('; ')}${more}. Read it with: kube-patrol report get -n ${target.namespace}`;
  const time = now.toISOString().replace(/\.\d+Z$/, 'Z');
  await api.request('POST', `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/events`, {
    body: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${target.name}.${randomBytes(8).toString('hex')}`,
        namespace: target.namespace,
        labels: { 'app.kubernetes.io/name': 'kube-patrol' },
      },
      involvedObject: {
        apiVersion: 'v1',
        kind: target.kind,
        namespace: target.namespace,
        name: target.name,
        ...(target.uid ? { uid: target.uid } : {}),
      },
      type: 'Warning',
      reason: 'NewCriticalFindings',
      message: message.slice(0, 1000),
      source: { component: 'kube-patrol' },
      reportingComponent: 'kube-patrol',
      reportingInstance: target.instance.slice(0, 128),
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    },
  });
  return true;
}
