import cron from 'node-cron';
import { z } from '../shared/zod.ts';
import { configSchema } from './schema.ts';

/** DNS-1123 subdomain limited so that the numbered history and part ConfigMaps still fit 253 chars. */
const configMapName = z
  .string()
  .max(200)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a lowercase DNS name such as kube-patrol-report');

const cronExpression = z.string().refine((value) => cron.validate(value), {
  error: 'expected a cron expression such as "0 */6 * * *" (minute hour day-of-month month day-of-week)',
});

export const DEFAULT_SCHEDULE = '0 */6 * * *';

/**
 * The operator's config file: everything `scan --config` accepts, plus when to scan and where the report
 * goes. Every key has a default, so the operator runs with no file at all.
 */
export const operatorConfigSchema = configSchema().extend({
  /** Cron syntax (5 fields, or 6 with seconds), run by node-cron; default every 6 hours. */
  schedule: cronExpression.default(DEFAULT_SCHEDULE),
  /** Time zone for the schedule (IANA name); default the process's. */
  timeZone: z.string().optional(),
  /** Also rescan shortly after workloads change. */
  watch: z.boolean().default(false),
  /** Quiet time after the last change before the rescan. */
  debounceSeconds: z.number().min(0).max(3600).default(30),
  report: z
    .strictObject({
      configMapName: configMapName.default('kube-patrol-report'),
      /** Reports kept, the latest included. */
      history: z.number().int().min(1).max(50).default(5),
      /** Renderings stored next to summary.json. */
      formats: z
        .array(z.enum(['json', 'html']))
        .min(1)
        .default(['json', 'html']),
      /** Largest data + binaryData of one ConfigMap; the API server's limit is 1 MiB. */
      maxConfigMapBytes: z
        .number()
        .int()
        .min(16 * 1024)
        .max(1024 * 1024 - 64 * 1024)
        .default(900 * 1024),
      /** A Warning Event on the report ConfigMap when a scan finds new critical findings. */
      events: z.boolean().default(true),
    })
    .prefault({}),
  /** Copies of the report for other tools, besides the ConfigMap report (docs/policy-reports.md). */
  sinks: z
    .strictObject({
      /** openreports.io/v1alpha1 Report per namespace, ClusterReport for cluster-scoped subjects. */
      openReports: z.boolean().default(false),
      /** wgpolicyk8s.io/v1alpha2 PolicyReport / ClusterPolicyReport, the same content. */
      policyReports: z.boolean().default(false),
      /** Results per object (configuration.limits.maxResults); the rest is counted in the summary. */
      maxResults: z.number().int().min(1).max(5000).default(1000),
    })
    .prefault({}),
  leaderElection: z
    .strictObject({
      enabled: z.boolean().default(true),
      leaseName: configMapName.default('kube-patrol-leader'),
      leaseDurationSeconds: z.number().int().min(2).max(3600).default(15),
      renewDeadlineSeconds: z.number().int().min(1).max(3600).default(10),
      retryPeriodSeconds: z.number().int().min(1).max(600).default(2),
    })
    .refine((l) => l.renewDeadlineSeconds < l.leaseDurationSeconds, {
      error: 'renewDeadlineSeconds must be below leaseDurationSeconds',
    })
    .refine((l) => l.retryPeriodSeconds < l.renewDeadlineSeconds, {
      error: 'retryPeriodSeconds must be below renewDeadlineSeconds',
    })
    .prefault({}),
  server: z
    .strictObject({
      /** /healthz, /readyz and /metrics; 0 picks a free port. */
      port: z.number().int().min(0).max(65535).default(8080),
      host: z.string().default('0.0.0.0'),
    })
    .prefault({}),
});

export type OperatorConfig = z.infer<typeof operatorConfigSchema>;
