/*
 * Scalars as Kubernetes reads them. kubectl and the API server decode YAML with sigs.k8s.io/yaml, that is
 * go-yaml v2 (go.yaml.in/yaml/v2, resolve.go) into interface{}, then convert the result to JSON
 * (sigs.k8s.io/yaml convertToJSONableObject, encoding/json). This module is that resolution, rule by
 * rule, so a manifest means here what it means to the cluster; test/integration/yaml-differential.test.ts
 * holds it to the Go code itself. See docs/adr/0001-manifest-decoding.md.
 */

const STR = 'tag:yaml.org,2002:str';
const INT = 'tag:yaml.org,2002:int';
const FLOAT = 'tag:yaml.org,2002:float';
const BOOL = 'tag:yaml.org,2002:bool';
const NULL = 'tag:yaml.org,2002:null';
const TIMESTAMP = 'tag:yaml.org,2002:timestamp';
const BINARY = 'tag:yaml.org,2002:binary';
const MERGE = 'tag:yaml.org,2002:merge';
/** Tags go-yaml v2 resolves a scalar against (resolvableTag); any other tag leaves the text as a string. */
const RESOLVABLE = new Set(['', STR, INT, FLOAT, BOOL, NULL, TIMESTAMP]);

/** What a scalar became in Go, as far as the JSON and map keys can tell. */
export type GoScalar =
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'int'; readonly value: number; readonly digits: string }
  | { readonly kind: 'uint'; readonly value: number; readonly digits: string }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'null'; readonly value: null };

export class ScalarError extends Error {}

const MAPPED = new Map<string, GoScalar | 'merge'>();
for (const s of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'])
  MAPPED.set(s, { kind: 'bool', value: true });
for (const s of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'])
  MAPPED.set(s, { kind: 'bool', value: false });
for (const s of ['', '~', 'null', 'Null', 'NULL']) MAPPED.set(s, { kind: 'null', value: null });
for (const s of ['.nan', '.NaN', '.NAN']) MAPPED.set(s, { kind: 'float', value: Number.NaN });
for (const s of ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'])
  MAPPED.set(s, { kind: 'float', value: Number.POSITIVE_INFINITY });
for (const s of ['-.inf', '-.Inf', '-.INF'])
  MAPPED.set(s, { kind: 'float', value: Number.NEGATIVE_INFINITY });
MAPPED.set('<<', 'merge');

/** go-yaml v2's resolveTable: the first characters for which a plain scalar may be something else. */
function hint(first: string): string | undefined {
  if (first === '+' || first === '-') return 'S';
  if (first >= '0' && first <= '9') return 'D';
  if ('yYnNtTfFoO~'.includes(first)) return 'M';
  if (first === '.') return '.';
  return undefined;
}

// strconv.ParseInt(s, 0, 64) syntax (underscores already removed): 0x, 0o, 0b prefixes, a leading 0 is octal.
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const GO_UINT = /^(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_STYLE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const TIMESTAMP_SHAPE =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2}))|(?: [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?))?$/;

function bigOf(digits: string): bigint {
  const negative = digits.startsWith('-');
  const body = digits.replace(/^[-+]/, '');
  let value: bigint;
  if (/^0[oO]/.test(body)) value = BigInt(`0o${body.slice(2)}`);
  else if (/^0[xXbB]/.test(body)) value = BigInt(body);
  else if (body.length > 1 && body.startsWith('0')) value = BigInt(`0o${body.slice(1)}`);
  else value = BigInt(body);
  return negative ? -value : value;
}

function integer(big: bigint): GoScalar | undefined {
  if (big >= INT64_MIN && big <= INT64_MAX)
    return { kind: 'int', value: Number(big), digits: big.toString() };
  return undefined;
}

/** resolve(tag, in) of go-yaml v2 for a tag it resolves, before the explicit-tag check. */
function resolveText(tag: string, text: string): GoScalar | 'merge' | { timestamp: string } {
  const h = text === '' ? 'N' : hint(text.charAt(0));
  if (h !== undefined && tag !== STR) {
    const mapped = MAPPED.get(text);
    if (mapped !== undefined) return mapped;
    if (h === '.') {
      if (DOT_FLOAT.test(text)) {
        const value = Number(text);
        if (Number.isFinite(value)) return { kind: 'float', value };
      }
    } else if (h === 'D' || h === 'S') {
      if ((tag === '' || tag === TIMESTAMP) && TIMESTAMP_SHAPE.test(text)) return { timestamp: text };
      const plain = text.includes('_') ? text.replaceAll('_', '') : text;
      if (GO_INT.test(plain)) {
        const big = bigOf(plain);
        const int = integer(big);
        if (int) return int;
        if (GO_UINT.test(plain) && big <= UINT64_MAX)
          return { kind: 'uint', value: Number(big), digits: big.toString() };
      }
      if (YAML_STYLE_FLOAT.test(plain)) {
        const value = Number(plain);
        if (Number.isFinite(value)) return { kind: 'float', value };
      }
      if (/^-0[bB]/.test(plain)) {
        const big = bigOf(plain);
        const int = integer(big);
        if (int) return int;
      }
    }
  }
  return { kind: 'str', value: text };
}

const SHORT: Record<string, string> = {
  str: '!!str',
  int: '!!int',
  uint: '!!int',
  float: '!!float',
  bool: '!!bool',
  null: '!!null',
};

function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

/**
 * The value of one scalar as go-yaml v2 decodes it into interface{}.
 * `tag`: '' when the scalar has none, '!' for the non-specific tag, else the full tag name.
 * `plain`: whether it was written plain (unquoted, not a block scalar).
 * Throws ScalarError with Go's message for a value Go refuses (`!!int abc`, bad `!!binary`).
 */
export function resolveScalar(tag: string, text: string, plain: boolean): GoScalar | 'merge' {
  if (tag === '' && !plain) return { kind: 'str', value: text };
  if (tag === BINARY) return { kind: 'str', value: decodeBase64(text) };
  if (!RESOLVABLE.has(tag)) return { kind: 'str', value: text };
  const resolved = resolveText(tag, text);
  if (resolved === 'merge') {
    if (tag === '' || tag === MERGE) return 'merge';
    if (tag === STR) return { kind: 'str', value: text };
    throw new ScalarError(`cannot decode !!merge \`${text}\` as a ${shortTag(tag)}`);
  }
  if ('timestamp' in resolved) {
    // Go hands a timestamp to interface{} as its text.
    if (tag === '' || tag === TIMESTAMP || tag === STR) return { kind: 'str', value: text };
    throw new ScalarError(`cannot decode !!timestamp \`${text}\` as a ${shortTag(tag)}`);
  }
  if (tag === '' || tag === STR) return tag === STR ? { kind: 'str', value: text } : resolved;
  const wanted = tag.slice('tag:yaml.org,2002:'.length);
  if (wanted === resolved.kind || (wanted === 'int' && resolved.kind === 'uint')) return resolved;
  if (wanted === 'float' && resolved.kind === 'int') return { kind: 'float', value: resolved.value };
  if (wanted === 'timestamp')
    throw new ScalarError(`cannot decode ${SHORT[resolved.kind]} \`${text}\` as a !!timestamp`);
  throw new ScalarError(`cannot decode ${SHORT[resolved.kind]} \`${text}\` as a ${shortTag(tag)}`);
}

/** base64.StdEncoding.DecodeString (which skips CR and LF), as a string the way Go's JSON encoder writes it. */
function decodeBase64(text: string): string {
  const compact = text.replace(/[\r\n]/g, '');
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact))
    throw new ScalarError('!!binary value contains invalid base64 data');
  // Invalid UTF-8 becomes U+FFFD, as encoding/json writes it.
  return new TextDecoder('utf-8').decode(Buffer.from(compact, 'base64'));
}

/** The JSON value of a scalar; throws for what encoding/json cannot write (NaN, ±Inf). */
export function jsonValue(scalar: GoScalar): unknown {
  if (scalar.kind === 'float' && !Number.isFinite(scalar.value))
    throw new ScalarError(
      `json: unsupported value: ${Number.isNaN(scalar.value) ? 'NaN' : scalar.value > 0 ? '+Inf' : '-Inf'}`,
    );
  return scalar.value;
}

/**
 * The JSON object key a scalar key becomes (sigs.k8s.io/yaml convertToJSONableObject): strings as they
 * are, integers in decimal, floats as strconv.FormatFloat(f, 'g', -1, 32) (`1e+06`, `.inf`), booleans
 * as `true`/`false`. A null or uint64 key is an error, as in Go.
 */
export function jsonKey(scalar: GoScalar): string {
  switch (scalar.kind) {
    case 'str':
      return scalar.value;
    case 'int':
      return scalar.digits;
    case 'bool':
      return scalar.value ? 'true' : 'false';
    case 'float':
      return formatFloat32(scalar.value);
    case 'uint':
      throw new ScalarError(`unsupported map key of type: uint64, key: ${scalar.digits}`);
    case 'null':
      throw new ScalarError('unsupported map key of type: <nil>');
  }
}

/** strconv.FormatFloat(f, 'g', -1, 32), with Inf and NaN spelt as sigs.k8s.io/yaml spells them. */
export function formatFloat32(value: number): string {
  const f = Math.fround(value);
  if (Number.isNaN(f)) return '.nan';
  if (f === Number.POSITIVE_INFINITY) return '.inf';
  if (f === Number.NEGATIVE_INFINITY) return '-.inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const negative = f < 0;
  const abs = Math.abs(f);
  let exponential = abs.toExponential(0);
  for (let p = 1; p <= 9; p++) {
    exponential = abs.toExponential(p - 1);
    if (Math.fround(Number(exponential)) === abs) break;
  }
  const [mantissa = '', exp = '0'] = exponential.split('e');
  const digits = mantissa.replace('.', '');
  const e = Number(exp);
  let out: string;
  if (e < -4 || e >= 6) {
    const tail = digits.length > 1 ? `.${digits.slice(1)}` : '';
    out = `${digits[0]}${tail}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  } else if (e >= digits.length - 1) {
    out = digits + '0'.repeat(e - digits.length + 1);
  } else if (e >= 0) {
    out = `${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
  } else {
    out = `0.${'0'.repeat(-e - 1)}${digits}`;
  }
  return negative ? `-${out}` : out;
}

/** The full name of a tag as written (`!!int`, `!<tag:...>`, `!local`, `!`); '' for none. */
export function tagName(written: string): string {
  if (written === '') return '';
  if (written.startsWith('!<') && written.endsWith('>')) return decodeURIComponentSafe(written.slice(2, -1));
  if (written.startsWith('!!')) return `tag:yaml.org,2002:${decodeURIComponentSafe(written.slice(2))}`;
  return written;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  "'": "'",
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * The value of a double-quoted scalar as go-yaml v2's scanner folds it (yaml_parser_scan_flow_scalar),
 * from the text between the quotes. js-yaml drops the empty lines after an escaped line break
 * (`"a\` + empty line + `b"` is "a\nb" in Go); everything else agrees, so only such scalars come here.
 */
export function goDoubleQuoted(raw: string): string {
  let out = '';
  let i = 0;
  const n = raw.length;
  const isBlank = (c: string) => c === ' ' || c === '\t';
  const isBreak = (c: string) => c === '\n' || c === '\r';
  const readBreak = () => {
    if (raw.charAt(i) === '\r' && raw.charAt(i + 1) === '\n') i += 2;
    else i += 1;
  };
  while (i < n) {
    let leadingBlanks = false;
    while (i < n && !isBlank(raw.charAt(i)) && !isBreak(raw.charAt(i))) {
      const c = raw.charAt(i);
      if (c === '\\' && isBreak(raw.charAt(i + 1))) {
        i++;
        readBreak();
        leadingBlanks = true;
        break;
      }
      if (c === '\\') {
        const e = raw.charAt(i + 1);
        const simple = ESCAPES[e];
        if (simple !== undefined) {
          out += simple;
          i += 2;
          continue;
        }
        const length = HEX_LENGTH[e];
        if (length === undefined)
          throw new ScalarError('found unknown escape character while parsing a quoted scalar');
        const hex = raw.slice(i + 2, i + 2 + length);
        if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex))
          throw new ScalarError('did not find expected hexdecimal number while parsing a quoted scalar');
        const code = parseInt(hex, 16);
        if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff)
          throw new ScalarError('found invalid Unicode character escape code while parsing a quoted scalar');
        out += String.fromCodePoint(code);
        i += 2 + length;
        continue;
      }
      out += c;
      i++;
    }
    if (i >= n) break;
    let whitespaces = '';
    let leadingBreak = '';
    let trailingBreaks = '';
    while (i < n && (isBlank(raw.charAt(i)) || isBreak(raw.charAt(i)))) {
      const c = raw.charAt(i);
      if (isBlank(c)) {
        if (!leadingBlanks) whitespaces += c;
        i++;
      } else if (!leadingBlanks) {
        whitespaces = '';
        leadingBreak = '\n';
        leadingBlanks = true;
        readBreak();
      } else {
        trailingBreaks += '\n';
        readBreak();
      }
    }
    if (leadingBlanks) out += leadingBreak === '\n' && trailingBreaks === '' ? ' ' : trailingBreaks;
    else out += whitespaces;
  }
  return out;
}
