import { z } from '../shared/zod.ts';
import { LANGUAGES } from '../engine/i18n.ts';
import { SEVERITIES } from '../engine/severity.ts';
import { EXEMPTION_PRESET_IDS } from '../presets/ids.ts';

function memo<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

/**
 * The config file shared by `kube-patrol scan --config` and the operator. Read once at start;
 * unknown keys are errors so that a typo never silently does nothing.
 *
 * Built on first use, not when the module loads: a scan without --config never needs it (building it was
 * about 5 ms of a one-file scan's start, issue 17).
 */
export const configSchema = memo(() => {
  const severity = z.enum(SEVERITIES);

  const rulePolicy = z.union([
    z.literal('off'),
    // Config files are read as manifests are (YAML 1.1 scalars, as Kubernetes): a plain `off` is false.
    z.literal(false).transform(() => 'off' as const),
    severity,
    z.strictObject({
      enabled: z.boolean().optional(),
      severity: severity.optional(),
      /** The rule's declared switches (`kube-patrol rules <id>` lists them); checked by name on load. */
      options: z.record(z.string(), z.boolean()).optional(),
    }),
  ]);

  /**
   * The shipped exemption presets for well-known node agents (docs/exemption-presets.md): all on by
   * default; `false` turns them all off, a map turns single ones off (or back on).
   */
  const exemptionPresets = z.union([
    z.boolean(),
    z.strictObject(Object.fromEntries(EXEMPTION_PRESET_IDS.map((id) => [id, z.boolean().optional()]))),
  ]);

  const glob = z.string().min(1);

  const exemptionSchema = z.strictObject({
    rules: z.array(z.string().min(1)).min(1, 'list at least one rule id, or "*"'),
    namespaces: z.array(glob).optional(),
    names: z.array(glob).optional(),
    kinds: z.array(glob).optional(),
    containers: z.array(glob).optional(),
    reason: z.string().trim().min(1, 'an exemption needs a reason'),
    expires: z.coerce.date({ error: 'expected a date such as 2027-01-31' }).optional(),
  });

  /** Which part of the cluster a cluster scan reads. */
  const scopeSchema = z.strictObject({
    namespaces: z.array(glob).optional(),
    excludeNamespaces: z.array(glob).optional(),
    labelSelector: z.string().optional(),
  });

  /** How kube-patrol talks to the API server: modest by default so a scan never crowds out other clients. */
  const clientSchema = z.strictObject({
    qps: z.number().positive().max(1000).default(10),
    burst: z.number().int().min(1).max(2000).default(20),
    pageSize: z.number().int().min(1).max(5000).default(500),
    timeoutSeconds: z.number().positive().max(600).default(30),
  });

  return z.strictObject({
    pssVersion: z.string().optional(),
    lang: z.enum(LANGUAGES).optional(),
    failOn: severity.optional(),
    rules: z.record(z.string(), rulePolicy).optional(),
    exemptions: z.array(exemptionSchema).optional(),
    exemptionPresets: exemptionPresets.optional(),
    scope: scopeSchema.optional(),
    client: clientSchema.optional(),
    /** Inspect nodes too (opt-in): their kubelet's seccompDefault (rule kubelet-seccomp-default). */
    nodes: z.boolean().optional(),
  });
});

export type ConfigFile = z.infer<ReturnType<typeof configSchema>>;
export type ExemptionConfig = NonNullable<ConfigFile['exemptions']>[number];
