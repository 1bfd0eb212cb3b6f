/**
 * Field paths inside a Kubernetes object, e.g. `spec.template.spec.containers[1].securityContext`.
 * Keys that are not plain identifiers (annotation keys) are written `annotations["a.b/c"]`.
 */
export type PathSegment = string | number;
export type FieldPath = readonly PathSegment[];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function formatPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function parsePath(text: string): FieldPath {
  const out: PathSegment[] = [];
  const token = /([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|(\.)/gy;
  let match: RegExpExecArray | null;
  while (token.lastIndex < text.length && (match = token.exec(text)) !== null) {
    if (match[1] !== undefined) out.push(match[1]);
    else if (match[2] !== undefined) out.push(Number(match[2]));
    else if (match[3] !== undefined) out.push(JSON.parse(match[3]) as string);
  }
  if (token.lastIndex !== text.length && text.length > 0) throw new Error(`invalid field path: ${text}`);
  return out;
}

function step(value: unknown, segment: PathSegment): { found: boolean; value: unknown } {
  if (typeof segment === 'number') {
    if (Array.isArray(value) && segment < value.length) return { found: true, value: value[segment] };
    return { found: false, value: undefined };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, segment)) {
    return { found: true, value: (value as Record<string, unknown>)[segment] };
  }
  return { found: false, value: undefined };
}

/** The longest prefix of `path` that exists in `root` (a key present with an explicit null counts). */
export function existingPrefixLength(root: unknown, path: FieldPath): number {
  let current = root;
  for (let i = 0; i < path.length; i++) {
    const next = step(current, path[i] as PathSegment);
    if (!next.found) return i;
    current = next.value;
  }
  return path.length;
}

export function resolvePath(root: unknown, path: FieldPath): { found: boolean; value: unknown } {
  let current = root;
  for (const segment of path) {
    const next = step(current, segment);
    if (!next.found) return next;
    current = next.value;
  }
  return { found: true, value: current };
}
