import type { z } from 'zod';
import { formatPath, type FieldPath, type PathSegment } from '../shared/field-path.ts';
import type { KubeObject, Workload, WorkloadOrigin } from './model.ts';
import { workloadKind } from './kinds.ts';
import { objectMetaSchema, podSpecSchema, type ObjectMeta } from './schema.ts';

/** API groups whose workload kinds (kinds.ts) are the Kubernetes built-ins (a CRD may reuse a kind name). */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'batch', 'extensions']);

export interface ExtractionError {
  readonly source: string;
  readonly message: string;
  readonly line?: number;
}

export interface Extraction {
  readonly workloads: Workload[];
  /** Objects of the kinds in `collect`, kept whole (subjects or facts of other rules). */
  readonly objects: KubeObject[];
  /** Kinds of objects without a pod template to keep in `objects`. */
  readonly collect: ReadonlySet<string>;
  /** Objects of kinds that carry no pod template and are not collected, counted by kind. */
  readonly skipped: Map<string, number>;
  readonly errors: ExtractionError[];
}

const COLLECT_NOTHING: ReadonlySet<string> = new Set();

export function emptyExtraction(collect: ReadonlySet<string> = COLLECT_NOTHING): Extraction {
  return { workloads: [], objects: [], collect, skipped: new Map(), errors: [] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function get(root: unknown, path: FieldPath): unknown {
  let current = root;
  for (const segment of path) {
    if (!isRecord(current)) return undefined;
    current = current[segment as string];
  }
  return current;
}

function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

function describeIssue(issue: z.core.$ZodIssue, prefix: FieldPath): string {
  const path = formatPath([...prefix, ...(issue.path as PathSegment[])]);
  return `${path}: ${issue.message}`;
}

function label(kind: string, meta: ObjectMeta | null | undefined, origin: WorkloadOrigin): string {
  const where =
    origin.documentPath.length > 0 ? `${origin.file} ${formatPath(origin.documentPath)}` : origin.file;
  const name = meta?.name ?? meta?.generateName ?? '(unnamed)';
  const namespace = meta?.namespace ? `${meta.namespace}/` : '';
  return origin.file === 'cluster' ? `${kind} ${namespace}${name}` : `${where} (${kind} ${namespace}${name})`;
}

/**
 * Adds the workloads found in one decoded object (a `kind: List` is unpacked) to `into`.
 * Never throws: a malformed object becomes an entry in `errors`.
 */
export function extractWorkloads(
  object: unknown,
  origin: WorkloadOrigin,
  into: Extraction = emptyExtraction(),
): Extraction {
  if (object === null || object === undefined) return into; // an empty YAML document
  if (!isRecord(object)) {
    into.errors.push({
      source: origin.file,
      message: `${formatPath(origin.documentPath) || 'document'}: expected a Kubernetes object, got ${Array.isArray(object) ? 'an array' : typeof object}`,
      line: origin.lineOf?.([]),
    });
    return into;
  }
  const kind = object['kind'];
  const apiVersion = object['apiVersion'];
  if (typeof kind !== 'string' || kind === '') {
    into.errors.push({
      source: origin.file,
      message: `${formatPath(origin.documentPath) || 'document'}: object has no kind`,
      line: origin.lineOf?.([]),
    });
    return into;
  }
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(object['items']))) {
    const items = object['items'];
    if (!Array.isArray(items)) {
      into.errors.push({
        source: origin.file,
        message: `${formatPath([...origin.documentPath, 'items']) || 'items'}: expected an array of objects`,
        line: origin.lineOf?.([]),
      });
      return into;
    }
    const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
    items.forEach((item, index) => {
      const itemPath: FieldPath = [...origin.documentPath, 'items', index];
      const lineOf = origin.lineOf;
      const withKind =
        itemKind && isRecord(item) && item['kind'] === undefined
          ? { kind: itemKind, apiVersion, ...item }
          : item;
      extractWorkloads(
        withKind,
        {
          file: origin.file,
          documentPath: itemPath,
          ...(lineOf ? { lineOf: (p: FieldPath) => lineOf(['items', index, ...p]) } : {}),
        },
        into,
      );
    });
    return into;
  }
  const workload = workloadKind(kind);
  const version = typeof apiVersion === 'string' ? apiVersion : '';
  if (!workload || !BUILT_IN_GROUPS.has(apiGroup(version))) {
    if (into.collect.has(kind)) collectObject(object, kind, version, origin, into);
    else into.skipped.set(kind, (into.skipped.get(kind) ?? 0) + 1);
    return into;
  }
  const { podMetadataPath, podSpecPath } = workload;
  const metadataResult = objectMetaSchema.safeParse(object['metadata']);
  const metadata = metadataResult.success ? (metadataResult.data ?? {}) : {};
  const who = label(kind, metadata, origin);
  if (!metadataResult.success) {
    into.errors.push({
      source: who,
      message: metadataResult.error.issues.map((i) => describeIssue(i, ['metadata'])).join('; '),
      line: origin.lineOf?.(['metadata']),
    });
    return into;
  }
  const rawSpec = get(object, podSpecPath);
  if (!isRecord(rawSpec)) {
    const message =
      rawSpec === undefined || rawSpec === null
        ? `has no ${formatPath(podSpecPath)}`
        : `${formatPath(podSpecPath)}: expected an object`;
    into.errors.push({ source: who, message, line: origin.lineOf?.([]) });
    return into;
  }
  const spec = podSpecSchema.safeParse(rawSpec);
  if (!spec.success) {
    const first = spec.error.issues[0];
    into.errors.push({
      source: who,
      message: spec.error.issues
        .slice(0, 5)
        .map((i) => describeIssue(i, podSpecPath))
        .join('; '),
      line: origin.lineOf?.([...podSpecPath, ...((first?.path ?? []) as PathSegment[])]),
    });
    return into;
  }
  const podMetaResult =
    podMetadataPath.length === 1 ? metadataResult : objectMetaSchema.safeParse(get(object, podMetadataPath));
  if (!podMetaResult.success) {
    into.errors.push({
      source: who,
      message: podMetaResult.error.issues.map((i) => describeIssue(i, podMetadataPath)).join('; '),
      line: origin.lineOf?.(podMetadataPath),
    });
    return into;
  }
  into.workloads.push({
    kind,
    apiVersion: version,
    namespace: metadata.namespace ?? null,
    name: metadata.name ?? metadata.generateName ?? '(unnamed)',
    object,
    metadata,
    podMetadata: podMetaResult.data ?? {},
    podSpec: spec.data,
    podSpecPath,
    podMetadataPath,
    origin,
  });
  return into;
}

function collectObject(
  object: Record<string, unknown>,
  kind: string,
  apiVersion: string,
  origin: WorkloadOrigin,
  into: Extraction,
): void {
  const metadataResult = objectMetaSchema.safeParse(object['metadata']);
  if (!metadataResult.success) {
    into.errors.push({
      source: label(kind, null, origin),
      message: metadataResult.error.issues.map((i) => describeIssue(i, ['metadata'])).join('; '),
      line: origin.lineOf?.(['metadata']),
    });
    return;
  }
  const metadata = metadataResult.data ?? {};
  into.objects.push({
    kind,
    apiVersion,
    namespace: metadata.namespace ?? null,
    name: metadata.name ?? metadata.generateName ?? '(unnamed)',
    object,
    metadata,
    origin,
  });
}
