/**
 * Machine fixes (issue 16). A rule declares the fix of a finding as operations on the pod template it
 * inspected (`{metadata, spec}`: the same fix fits a Pod, a Deployment's template or a CronJob's job
 * template); the engine turns them into a strategic-merge patch of the object itself, which is what the
 * report carries, what `kube-patrol fix` applies, what `--patches-out` writes and what `kubectl patch` takes.
 * Pure: no I/O.
 */
import type { FieldPath, PathSegment } from '../shared/field-path.ts';
import { resolvePath } from '../shared/field-path.ts';
import type { Localized } from './i18n.ts';

/**
 * `safe`: cannot change what the workload does (a pod-level RuntimeDefault seccomp profile where no container
 * sets another, `allowPrivilegeEscalation: false` where the container is neither privileged nor adds
 * SYS_ADMIN, a deprecated annotation replaced by the field that does the same). `review`: may break the app
 * (`runAsNonRoot`, a read-only root filesystem, `drop: [ALL]`, no service-account token): a person decides.
 */
export type FixSafety = 'safe' | 'review';
export const FIX_SAFETIES: readonly FixSafety[] = ['safe', 'review'];

export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/**
 * One change to the pod template. Paths start at `metadata` or `spec` of the template; containers are
 * addressed by their list and index (`['spec', 'containers', 0, 'securityContext', ...]`). `set` creates
 * missing parents; `remove` of an absent field is nothing.
 */
export type FixOperation =
  | { readonly op: 'set'; readonly path: FieldPath; readonly value: JsonValue }
  | { readonly op: 'remove'; readonly path: FieldPath };

/** What a rule attaches to a finding it knows how to fix. */
export interface FixDraft {
  readonly safety: FixSafety;
  readonly operations: readonly FixOperation[];
}

/** The fix a finding carries in a report: a strategic-merge patch of the inspected object. */
export interface FindingFix {
  readonly safety: FixSafety;
  /**
   * A strategic-merge patch relative to the object (the Deployment, not its pods): maps merge, `null`
   * deletes a key, containers and init containers are merged by `name`, any other list is replaced.
   */
  readonly patch: JsonObject;
}

/** Documentation of a rule's fix (docs/rules.md): its usual class and what it changes. */
export interface RuleFixMeta {
  /** The class of the fix in the usual case; `description` says when a finding's fix is of the other. */
  readonly safety: FixSafety;
  readonly description: Localized;
}

/** Lists of the pod spec whose items a strategic merge matches by `name` (their patchMergeKey). */
export const MERGE_BY_NAME: ReadonlySet<string> = new Set([
  'containers',
  'initContainers',
  'ephemeralContainers',
]);

// Template-relative paths the rules write.
export const POD_SECURITY_CONTEXT: FieldPath = ['spec', 'securityContext'];
export function containerSecurityContext(node: { role: string; index: number }): FieldPath {
  return ['spec', node.role, node.index, 'securityContext'];
}
export function podAnnotationPath(key: string): FieldPath {
  return ['metadata', 'annotations', key];
}

/**
 * Where a template-relative path lies in the object: `metadata` under the pod metadata path, `spec` under
 * the pod spec path. Null for a path that starts elsewhere (a rule bug).
 */
export function templatePathInObject(
  path: FieldPath,
  workload: { readonly podSpecPath: FieldPath; readonly podMetadataPath: FieldPath },
): FieldPath | null {
  const [head, ...rest] = path;
  if (head === 'spec') return [...workload.podSpecPath, ...rest];
  if (head === 'metadata') return [...workload.podMetadataPath, ...rest];
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

type MutableJson = Record<string, unknown>;

/**
 * The strategic-merge patch of `object` that the operations (object-relative paths) make. Throws on an
 * operation that addresses an item of a list not merged by name, or a container without a name: those
 * cannot be written as a strategic merge.
 */
export function operationsToPatch(
  object: unknown,
  operations: readonly { op: 'set' | 'remove'; path: FieldPath; value?: JsonValue }[],
): JsonObject {
  const patch: MutableJson = {};
  for (const operation of operations) {
    let node = patch;
    let cursor: unknown = object;
    const { path } = operation;
    for (let i = 0; i < path.length - 1; i++) {
      const segment = path[i] as PathSegment;
      const next = path[i + 1];
      if (typeof segment === 'number') throw new Error(`fix path ${path.join('.')}: unexpected index`);
      if (typeof next === 'number') {
        if (!MERGE_BY_NAME.has(segment))
          throw new Error(`fix path ${path.join('.')}: ${segment} is not a list merged by name`);
        const item = resolvePath(cursor, [segment, next]).value;
        const name = isObject(item) ? item['name'] : undefined;
        if (typeof name !== 'string') throw new Error(`fix path ${path.join('.')}: the item has no name`);
        const list = (Array.isArray(node[segment]) ? node[segment] : (node[segment] = [])) as MutableJson[];
        let entry = list.find((candidate) => candidate['name'] === name);
        if (!entry) list.push((entry = { name }));
        node = entry;
        cursor = item;
        i++;
        continue;
      }
      const child = node[segment];
      node = isObject(child) ? child : (node[segment] = {});
      cursor = isObject(cursor) ? cursor[segment] : undefined;
    }
    const last = path[path.length - 1];
    if (typeof last !== 'string') throw new Error(`fix path ${path.join('.')}: must end in a field name`);
    node[last] = operation.op === 'remove' ? null : structuredClone(operation.value ?? null);
  }
  return patch as JsonObject;
}

/** Merges strategic-merge patches (later ones win on the same field), as applying them in turn would. */
export function mergePatches(patches: readonly JsonObject[]): JsonObject {
  let merged: MutableJson = {};
  for (const patch of patches) merged = mergeInto(merged, patch, true);
  return merged as JsonObject;
}

/**
 * Applies a strategic-merge patch to a plain object and returns the result (the input is not changed).
 * The subset of Kubernetes' strategic merge the fixes use: maps merge, `null` deletes (and a map left
 * empty by deletions goes too: the API server drops empty annotations alike), the lists of MERGE_BY_NAME
 * merge by `name` (a new name is appended), other lists and scalars are replaced.
 */
export function applyPatch<T>(object: T, patch: JsonObject): T {
  if (!isObject(object)) throw new Error('a strategic-merge patch applies to an object');
  return mergeInto(structuredClone(object) as MutableJson, patch, false) as T;
}

/** `keepNulls`: merging two patches keeps deletions (null) instead of applying them. */
function mergeInto(target: MutableJson, patch: JsonObject, keepNulls: boolean): MutableJson {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      if (keepNulls) target[key] = null;
      else Reflect.deleteProperty(target, key);
    } else if (Array.isArray(value) && MERGE_BY_NAME.has(key) && value.every((v) => isObject(v))) {
      const list = (Array.isArray(target[key]) ? target[key] : (target[key] = [])) as unknown[];
      for (const item of value as JsonObject[]) {
        const index = list.findIndex(
          (candidate) => isObject(candidate) && candidate['name'] === item['name'],
        );
        if (index === -1) list.push(structuredClone(item));
        else list[index] = mergeInto(list[index] as MutableJson, item, keepNulls);
      }
    } else if (isObject(value)) {
      const child = target[key];
      const had = isObject(child) ? Object.keys(child).length : 0;
      const merged = mergeInto(isObject(child) ? child : {}, value as JsonObject, keepNulls);
      // A map whose every key the patch deleted (the last annotation) goes too, as `fix` edits the text.
      if (!keepNulls && had > 0 && Object.keys(merged).length === 0) Reflect.deleteProperty(target, key);
      else target[key] = merged;
    } else {
      target[key] = structuredClone(value);
    }
  }
  return target;
}

/** Which fixes to take: unexempted findings with a fix, of the chosen rules and classes. */
export interface FixSelection {
  /** Rule ids (and aliases resolved by the caller) to fix; absent: every rule. */
  readonly rules?: ReadonlySet<string>;
  /** Also take `review` fixes (default: `safe` only). */
  readonly includeReview?: boolean;
}

export function selectFixes<F extends { ruleId: string; exempted?: unknown; fix?: FindingFix }>(
  findings: readonly F[],
  selection: FixSelection = {},
): (F & { fix: FindingFix })[] {
  return findings.filter(
    (f): f is F & { fix: FindingFix } =>
      f.fix !== undefined &&
      !f.exempted &&
      (selection.includeReview === true || f.fix.safety === 'safe') &&
      (selection.rules === undefined || selection.rules.has(f.ruleId)),
  );
}

/** One workload's combined patch from its findings, or null when none of them is selected. */
export function workloadPatch(
  findings: readonly { ruleId: string; exempted?: unknown; fix?: FindingFix }[],
  selection: FixSelection = {},
): JsonObject | null {
  const chosen = selectFixes(findings, selection);
  return chosen.length === 0 ? null : mergePatches(chosen.map((f) => f.fix.patch));
}
