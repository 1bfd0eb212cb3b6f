import { z } from '../shared/zod.ts';
import { SEVERITIES } from '../engine/severity.ts';
import { SUBJECT_KINDS, type ObjectSubjectKind } from '../engine/subject.ts';

/**
 * Schemas of what kube-patrol stores in ConfigMaps (summary.json, history.json, parts.json) and of the
 * stored report.json, read back as untrusted input: anyone who can write ConfigMaps in the operator's
 * namespace can plant them. Objects are parsed with z.object, which keeps only the fields this version
 * knows (an unknown or `__proto__` member is dropped, never copied), with bounded strings and counts.
 */

const text = (max: number) => z.string().max(max);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const score = z.number().int().min(0).max(100);
const isoTime = z.iso.datetime({ offset: true });

export const STORED_FILE_KEYS = ['report.json', 'report.html'] as const;

/** DNS-1123 subdomain: every ConfigMap name the layout uses. */
export const configMapNameSchema = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);

/** `20260314-101500-a1b2` (newScanId). */
export const scanIdSchema = z.string().regex(/^\d{8}-\d{6}-[0-9a-f]{4}$/);

export const severityCountsSchema = z.object({
  critical: count,
  high: count,
  medium: count,
  low: count,
  info: count,
});

export const storedSummarySchema = z.object({
  scanId: scanIdSchema,
  generatedAt: isoTime,
  cluster: text(1024).optional(),
  score: score.nullable(),
  scoreWithheld: z.enum(['partial', 'empty']).optional(),
  partial: z.boolean().optional(),
  workloads: count,
  findings: count,
  exempted: count,
  bySeverity: severityCountsSchema,
  errors: count,
  durationMs: count.optional(),
  diff: z.object({ since: isoTime, new: count, resolved: count, newCritical: count }).optional(),
  storage: z.enum(['data', 'gzip', 'brotli', 'split']),
  files: z.array(z.enum(STORED_FILE_KEYS)).max(STORED_FILE_KEYS.length),
});

export const historyEntrySchema = z.object({
  scanId: scanIdSchema,
  generatedAt: isoTime,
  configMap: configMapNameSchema,
  score: score.nullable(),
  findings: count,
  bySeverity: severityCountsSchema,
  new: count.optional(),
  resolved: count.optional(),
});

export const partsManifestSchema = z.object({
  files: z.partialRecord(
    z.enum(['report.json.br', 'report.json.gz', 'report.html.br', 'report.html.gz']),
    z.object({
      parts: z.array(z.object({ configMap: configMapNameSchema, key: text(64) })),
      bytes: count,
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
});

// The report model (src/report/model.ts), section by section as the streaming reader hands it over.

const workloadRef = z.object({ kind: text(253), namespace: text(253).nullable(), name: text(253) });
const pssRef = z.object({ level: z.enum(['baseline', 'restricted']), check: text(256) }).nullable();
const severity = z.enum(SEVERITIES);
const category = z.enum(['pod-security', 'hardening', 'kube-patrol']);
const exemption = z.object({
  by: z.enum(['annotation', 'config', 'preset']),
  /** The shipped exemption preset (`by: preset`). */
  preset: text(64).optional(),
  reason: text(4096),
  expires: text(64).optional(),
});
const source = z.object({ file: text(4096), line: count.optional() });

export const reportMetadataSchema = z.object({
  generatedAt: isoTime,
  source: z.enum(['cluster', 'manifests']),
  pssVersion: text(32),
  lang: z.enum(['en', 'zh-CN']),
  tool: z.object({ name: z.literal('kube-patrol'), version: text(64) }),
  cluster: text(1024).optional(),
  durationMs: count.optional(),
});

export const reportSummarySchema = z.object({
  score: score.nullable(),
  scoreWithheld: z.enum(['partial', 'empty']).optional(),
  workloads: count,
  penalty: count.optional(),
  findings: count,
  exempted: count,
  objects: count.optional(),
  bySeverity: severityCountsSchema,
  skipped: z.record(text(253), count),
});

const subjectKind = z.enum(SUBJECT_KINDS);

export const reportRuleSchema = z.object({
  id: text(128),
  title: text(1024),
  severity,
  category,
  pss: pssRef,
  subject: subjectKind,
});

export const reportWorkloadSchema = workloadRef.extend({
  score,
  findings: count,
  source: source.optional(),
});

export const reportObjectSchema = reportWorkloadSchema.extend({
  subject: z.enum(
    SUBJECT_KINDS.filter((k) => k !== 'pod-spec') as [ObjectSubjectKind, ...ObjectSubjectKind[]],
  ),
});

export const reportFindingSchema = z.object({
  id: text(64),
  ruleId: text(128),
  severity,
  category,
  pss: pssRef,
  workload: workloadRef,
  container: text(253).nullable(),
  path: text(4096),
  missing: text(1024).optional(),
  messageId: text(128),
  data: z.record(text(256), z.union([text(4096), z.number()])),
  evidence: z.array(text(4096)).max(256).optional(),
  fix: z.object({ safety: z.enum(['safe', 'review']), patch: z.record(text(253), z.json()) }).optional(),
  source: source.optional(),
  exempted: exemption.optional(),
  exemptionExpired: exemption.optional(),
  // Last, as the report builder writes them (a re-rendered report keeps the stored order).
  message: text(16384),
  remediation: text(16384),
});

/** What the diff needs of a stored finding (the operator reads only this much). */
export const diffFindingSchema = reportFindingSchema.pick({
  id: true,
  ruleId: true,
  severity: true,
  workload: true,
  container: true,
  path: true,
  missing: true,
  message: true,
  exempted: true,
});

export const reportErrorSchema = z.object({
  source: text(4096),
  message: text(16384),
  line: count.optional(),
});

export const reportDiffEntrySchema = z.object({
  id: text(64),
  ruleId: text(128),
  severity,
  workload: workloadRef,
  container: text(253).nullable(),
  path: text(4096),
  message: text(16384),
  exempted: exemption.optional(),
  exemptionExpired: exemption.optional(),
});

export const reportCoverageSchema = z.object({
  partial: z.boolean(),
  kindsListed: z.array(text(253)).max(64),
  denied: z.array(z.object({ kind: text(253), namespace: text(253).nullable(), status: count })).max(100_000),
  workloadsInspected: count,
  namespacesSeen: count,
  filesRead: count.optional(),
});

export const reportDiffHeadSchema = z.object({ since: isoTime, previousScore: score.nullable() });
