/**
 * How the fleet reads one cluster's stored report. Everything read is checked against the few fields the
 * fleet uses before anything is computed or rendered from it: a ConfigMap is data anyone with write access
 * to the operator's namespace may have changed.
 */
import { z } from 'zod';
import { SEVERITIES } from '../engine/severity.ts';
import type { KubeApi } from '../kube/client.ts';
import type { InspectionReport } from '../report/model.ts';
import { readStoredReport } from '../sinks/configmap.ts';
import type { ReportFacts } from './digest.ts';

const count = z.number().int().min(0);
const severityCounts = z.object({
  critical: count,
  high: count,
  medium: count,
  low: count,
  info: count,
});
// Null: a scan that withheld its score (it could not read everything it needed).
const score = z.number().min(0).max(100).nullable();
const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO timestamp');

const summarySchema = z.object({
  scanId: z.string().max(100),
  generatedAt: timestamp,
  score,
  workloads: count,
  findings: count,
  exempted: count,
  bySeverity: severityCounts,
  errors: count,
  files: z.array(z.string()),
});

const historySchema = z
  .array(z.object({ scanId: z.string().max(100), generatedAt: timestamp, score, findings: count }))
  .max(100);

const severity = z.enum(SEVERITIES);
// Only the fields the fleet reads; the rest of the report passes through untouched (loose objects).
const reportSchema = z.looseObject({
  apiVersion: z.literal('kube-patrol.io/v1alpha1'),
  kind: z.literal('InspectionReport'),
  rules: z.array(z.looseObject({ id: z.string(), title: z.string(), severity })),
  findings: z.array(
    z.looseObject({
      ruleId: z.string(),
      severity,
      workload: z.looseObject({ kind: z.string(), namespace: z.string().nullish(), name: z.string() }),
    }),
  ),
});

export type StoredSummaryFacts = z.infer<typeof summarySchema>;
export type StoredHistoryFacts = z.infer<typeof historySchema>;

/** A stored report as the fleet sees it. */
export interface FleetStoredReport {
  readonly summary: StoredSummaryFacts;
  readonly history: StoredHistoryFacts;
  /**
   * The latest report.json, parsed and checked; or why it could not be read (not stored, parts refused,
   * not a report). The summary and history stay usable either way.
   */
  readonly report:
    { readonly facts: ReportFacts; readonly whole: InspectionReport } | { readonly problem: string };
}

/** Stored data that is not what kube-patrol writes. */
export class InvalidStoredReportError extends Error {
  override readonly name = 'InvalidStoredReportError';
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.message ?? 'invalid'}${issue?.path.length ? ` at ${issue.path.join('.')}` : ''}`;
}

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidStoredReportError(`${what}: ${describeIssue(parsed.error)}`);
}

/**
 * The one adapter between the fleet and the report storage: reads the latest report of
 * `namespace/name` with the ConfigMap sink's reader. Throws what that reader throws for the ConfigMap
 * itself (absent: ReportNotFoundError; API errors), and InvalidStoredReportError for a summary or history
 * that is not a kube-patrol report's; a report.json that cannot be read is returned as a problem.
 */
export async function readFleetReport(
  api: KubeApi,
  namespace: string,
  name: string,
): Promise<FleetStoredReport> {
  let stored;
  try {
    stored = await readStoredReport(api, namespace, name);
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new InvalidStoredReportError(`${namespace}/${name}: summary.json is not JSON`);
    throw error;
  }
  const where = `ConfigMap ${namespace}/${stored.configMap}`;
  const summary = check(summarySchema, stored.summary, `${where} summary.json`);
  const history = check(historySchema, stored.history, `${where} history.json`);
  if (!summary.files.includes('report.json'))
    return {
      summary,
      history,
      report: { problem: `${where} keeps no report.json (formats: ${summary.files.join(', ')})` },
    };
  let text: string | undefined;
  try {
    text = await stored.file('report.json');
  } catch (error) {
    return { summary, history, report: { problem: `report.json: ${(error as Error).message}` } };
  }
  if (text === undefined) return { summary, history, report: { problem: `${where} holds no report.json` } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { summary, history, report: { problem: `${where} report.json is not JSON` } };
  }
  const checked = reportSchema.safeParse(parsed);
  if (!checked.success)
    return { summary, history, report: { problem: `${where} report.json: ${describeIssue(checked.error)}` } };
  return {
    summary,
    history,
    // The whole report goes to the HTML renderer, which escapes every string it shows.
    report: { facts: checked.data, whole: parsed as InspectionReport },
  };
}
