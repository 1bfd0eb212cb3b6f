import { z } from '../shared/zod.ts';
import type {
  BindingObject,
  LabelSelector,
  PolicyRule,
  RbacKind,
  RbacObject,
  RbacSource,
  RoleObject,
} from './model.ts';

/**
 * Validation of Role, ClusterRole, RoleBinding and ClusterRoleBinding objects from manifests or cluster
 * lists. Loose like the pod spec schema: fields no check reads pass through. `null` is accepted wherever
 * the API accepts an absent field (YAML `key:` with no value). The API server's own validation is
 * stricter (it refuses a rule without verbs, a resource rule without apiGroups); a file may hold such an
 * object, and it is read as the authorizer would read it: an empty list matches nothing.
 */
const strList = z.array(z.string()).nullish();
const stringMap = z.record(z.string(), z.string()).nullish();

const metadata = z.looseObject({
  name: z.string().min(1, 'metadata.name is required'),
  namespace: z.string().nullish(),
  labels: stringMap,
  annotations: stringMap,
});

const policyRule = z.looseObject({
  verbs: z.array(z.string(), { error: 'verbs is required (a list of strings)' }),
  apiGroups: strList,
  resources: strList,
  resourceNames: strList,
  nonResourceURLs: strList,
});

const labelSelector = z.looseObject({
  matchLabels: stringMap,
  matchExpressions: z
    .array(z.looseObject({ key: z.string(), operator: z.string(), values: strList }))
    .nullish(),
});

const role = z.looseObject({
  metadata,
  rules: z.array(policyRule).nullish(),
  aggregationRule: z.looseObject({ clusterRoleSelectors: z.array(labelSelector).nullish() }).nullish(),
});

const binding = z.looseObject({
  metadata,
  subjects: z
    .array(
      z.looseObject({
        kind: z.string(),
        apiGroup: z.string().nullish(),
        name: z.string(),
        namespace: z.string().nullish(),
      }),
    )
    .nullish(),
  roleRef: z.looseObject({ apiGroup: z.string().nullish(), kind: z.string(), name: z.string() }),
});

export const RBAC_API_GROUP = 'rbac.authorization.k8s.io';
const RBAC_KINDS: ReadonlySet<string> = new Set<RbacKind>([
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
]);

export interface ParseContext {
  readonly source?: RbacSource;
  /** Namespace of a namespaced object written without one (what `kubectl apply` would use); default `default`. */
  readonly defaultNamespace?: string;
}

export type ParseResult =
  | { readonly ok: true; readonly object: RbacObject }
  | {
      readonly ok: false;
      /** The object and what is wrong with it. */
      readonly error: string;
      /** What is wrong, without the object's name (for messages that name it already). */
      readonly problem: string;
    };

/** True for an object of one of the four RBAC kinds (any version of the group), before validation. */
export function isRbacObject(raw: unknown): boolean {
  if (raw === null || typeof raw !== 'object') return false;
  const { apiVersion, kind } = raw as { apiVersion?: unknown; kind?: unknown };
  return (
    typeof apiVersion === 'string' &&
    apiVersion.startsWith(`${RBAC_API_GROUP}/`) &&
    typeof kind === 'string' &&
    RBAC_KINDS.has(kind)
  );
}

function describe(raw: Record<string, unknown>): string {
  const meta = raw['metadata'] as { name?: unknown; namespace?: unknown } | undefined;
  const name = typeof meta?.name === 'string' ? meta.name : '<no name>';
  const namespace = typeof meta?.namespace === 'string' ? `${meta.namespace}/` : '';
  return `${String(raw['kind'])} ${namespace}${name}`;
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(object)'}: ${issue.message}`)
    .join('; ');
}

function toRule(rule: z.infer<typeof policyRule>): PolicyRule {
  return {
    verbs: rule.verbs,
    apiGroups: rule.apiGroups ?? [],
    resources: rule.resources ?? [],
    resourceNames: rule.resourceNames ?? [],
    nonResourceURLs: rule.nonResourceURLs ?? [],
  };
}

function toSelector(selector: z.infer<typeof labelSelector>): LabelSelector {
  return {
    matchLabels: selector.matchLabels ?? {},
    matchExpressions: (selector.matchExpressions ?? []).map((e) => ({
      key: e.key,
      operator: e.operator,
      values: e.values ?? [],
    })),
  };
}

/**
 * Validates one RBAC object (call it on objects for which `isRbacObject` holds). A bad object yields an
 * error that names it and the fields at fault; it never throws.
 */
export function parseRbacObject(raw: unknown, context: ParseContext = {}): ParseResult {
  if (!isRbacObject(raw)) {
    const problem = 'not a Role, ClusterRole, RoleBinding or ClusterRoleBinding';
    return { ok: false, error: problem, problem };
  }
  const record = raw as Record<string, unknown>;
  const kind = record['kind'] as RbacKind;
  const what = describe(record);
  if (record['apiVersion'] !== `${RBAC_API_GROUP}/v1`) {
    const problem = `apiVersion ${String(record['apiVersion'])} is no longer served (since Kubernetes v1.22); use ${RBAC_API_GROUP}/v1`;
    return { ok: false, error: `${what}: ${problem}`, problem };
  }
  const namespaced = kind === 'Role' || kind === 'RoleBinding';
  const parsed = (kind === 'Role' || kind === 'ClusterRole' ? role : binding).safeParse(raw);
  if (!parsed.success) {
    const problem = issues(parsed.error);
    return { ok: false, error: `${what}: ${problem}`, problem };
  }
  const meta = parsed.data.metadata;
  const written = meta.namespace ?? '';
  const namespace = namespaced ? written || (context.defaultNamespace ?? 'default') : null;
  const base = {
    name: meta.name,
    namespace,
    labels: meta.labels ?? {},
    annotations: meta.annotations ?? {},
    ...(context.source ? { source: context.source } : {}),
    ...(namespaced && !written ? { namespaceDefaulted: true } : {}),
  };
  if (kind === 'Role' || kind === 'ClusterRole') {
    const data = parsed.data as z.infer<typeof role>;
    const aggregation = kind === 'ClusterRole' ? data.aggregationRule : null;
    const object: RoleObject = {
      kind,
      ...base,
      rules: (data.rules ?? []).map(toRule),
      aggregationRule: aggregation
        ? { clusterRoleSelectors: (aggregation.clusterRoleSelectors ?? []).map(toSelector) }
        : null,
    };
    return { ok: true, object };
  }
  const data = parsed.data as z.infer<typeof binding>;
  const object: BindingObject = {
    kind,
    ...base,
    subjects: (data.subjects ?? []).map((s) => ({
      kind: s.kind,
      apiGroup: s.apiGroup ?? '',
      name: s.name,
      namespace: s.namespace ?? '',
    })),
    roleRef: { apiGroup: data.roleRef.apiGroup ?? '', kind: data.roleRef.kind, name: data.roleRef.name },
  };
  return { ok: true, object };
}
