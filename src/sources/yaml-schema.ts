import {
  boolYaml11Tag,
  defineMappingTag,
  defineScalarTag,
  defineSequenceTag,
  mapTag,
  mergeTag,
  NOT_RESOLVED,
  nullYaml11Tag,
  Schema,
  seqTag,
  strTag,
  type ScalarTagDefinition,
} from 'js-yaml';

/*
 * Kubernetes decodes manifests with sigs.k8s.io/yaml, that is go-yaml v2 (gopkg.in/yaml.v2 resolve.go):
 * YAML 1.1 plain scalars, so `privileged: yes`, `on` and `y` are booleans. This schema resolves plain
 * scalars the way go-yaml v2 does when decoding into interface{}, so a manifest means here what it
 * means to the API server. See docs/adr/0001-manifest-decoding.md.
 */

// go-yaml v2 removes every `_`, then tries strconv.ParseInt(s, 0, 64): 0x, 0o, 0b prefixes and a
// leading 0 for octal; then its float pattern. No sexagesimal (190:20:30 stays a string).
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/;
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const GO_DOT_FLOAT = /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/;
const FLOAT_SPECIALS = new Map<string, number>([
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, Number.POSITIVE_INFINITY] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((s) => [s, Number.NEGATIVE_INFINITY] as const),
  ...['.nan', '.NaN', '.NAN'].map((s) => [s, Number.NaN] as const),
]);
const DIGITS = [...'0123456789'];

function resolveGoInt(source: string): number | typeof NOT_RESOLVED {
  const plain = source.includes('_') ? source.replaceAll('_', '') : source;
  if (!GO_INT.test(plain)) return NOT_RESOLVED;
  const negative = plain[0] === '-';
  const digits = plain[0] === '-' || plain[0] === '+' ? plain.slice(1) : plain;
  let value: number;
  if (digits.length > 1 && digits[0] === '0') {
    const prefix = digits[1]?.toLowerCase();
    if (prefix === 'x') value = parseInt(digits.slice(2), 16);
    else if (prefix === 'b') value = parseInt(digits.slice(2), 2);
    else if (prefix === 'o') value = parseInt(digits.slice(2), 8);
    else value = parseInt(digits.slice(1), 8);
  } else {
    value = Number(digits);
  }
  if (!Number.isFinite(value)) return NOT_RESOLVED;
  return negative && value !== 0 ? -value : value;
}

function resolveGoFloat(source: string): number | typeof NOT_RESOLVED {
  const special = FLOAT_SPECIALS.get(source);
  if (special !== undefined) return special;
  let value: number;
  if (source[0] === '.') {
    if (!GO_DOT_FLOAT.test(source)) return NOT_RESOLVED;
    value = Number(source);
  } else {
    const plain = source.includes('_') ? source.replaceAll('_', '') : source;
    if (!GO_FLOAT.test(plain)) return NOT_RESOLVED;
    value = Number(plain);
  }
  return Number.isFinite(value) ? value : NOT_RESOLVED;
}

const goIntTag = defineScalarTag('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: ['-', '+', ...DIGITS],
  resolve: resolveGoInt,
  identify: () => false,
});

const goFloatTag = defineScalarTag('tag:yaml.org,2002:float', {
  implicit: true,
  implicitFirstChars: ['-', '+', '.', ...DIGITS],
  resolve: resolveGoFloat,
  identify: () => false,
});

// go-yaml v2 ignores local tags (`!Ref x` is the string "x"): read them as untagged nodes, not errors.
const localScalarTag = defineScalarTag('!', {
  matchByTagPrefix: true,
  resolve: (source) => source,
  identify: () => false,
});
const localSequenceTag = defineSequenceTag('!', { ...seqTag, matchByTagPrefix: true, identify: () => false });
const localMappingTag = defineMappingTag('!', { ...mapTag, matchByTagPrefix: true, identify: () => false });

/** Implicit resolvers in schema order (timestamps stay strings, as go-yaml v2 gives interface{}). */
const IMPLICIT_TAGS: readonly ScalarTagDefinition<unknown>[] = [
  nullYaml11Tag,
  boolYaml11Tag,
  goIntTag,
  goFloatTag,
  mergeTag,
];

export const KUBERNETES_YAML_SCHEMA = new Schema([
  strTag,
  seqTag,
  mapTag,
  ...IMPLICIT_TAGS,
  localScalarTag,
  localSequenceTag,
  localMappingTag,
]);

/** First characters of plain scalars that may resolve to something other than a string. */
const NON_STRING_FIRST_CHARS = new Set(IMPLICIT_TAGS.flatMap((tag) => tag.implicitFirstChars ?? []));

/** True when a plain scalar starting with this character can only be a string. */
export function isPlainString(firstChar: string): boolean {
  return !NON_STRING_FIRST_CHARS.has(firstChar);
}

/** The object key a plain, untagged scalar becomes (`y` → "true", `0x1F` → "31"), as js-yaml's map stringifies it. */
export function plainScalarKey(source: string): string {
  const first = source.charAt(0);
  for (const tag of IMPLICIT_TAGS) {
    if (tag.implicitFirstChars && !tag.implicitFirstChars.includes(first)) continue;
    const value = tag.resolve(source, false, tag.tagName);
    if (value !== NOT_RESOLVED) return String(value);
  }
  return source;
}
