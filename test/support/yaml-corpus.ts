/**
 * Seeded YAML and JSON streams for the decoder differential (test/integration/yaml-differential.test.ts):
 * manifest-like documents written in random styles (block and flow collections, plain, quoted and block
 * scalars, folded quoted scalars whose continuation lines sit at any indentation, anchors, aliases,
 * merge keys, tags, YAML 1.1 booleans, octals and other plain scalars Go resolves, duplicate keys),
 * joined into streams (separators, `...`, comments), then mutated (BOMs, CRLF, tabs, lines shifted,
 * deleted or duplicated, characters changed).
 */

import { seededRandom as random } from '../../bench/generate.ts';

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const chance = (rng: Rng, p: number) => rng() < p;

/** Plain scalars whose meaning differs between YAML 1.1, YAML 1.2 and JSON, and ordinary ones. */
const PLAIN_VALUES = [
  'yes',
  'no',
  'on',
  'off',
  'On',
  'OFF',
  'y',
  'n',
  'Y',
  'N',
  'true',
  'False',
  'TRUE',
  '~',
  'null',
  'Null',
  'NULL',
  '0755',
  '0o17',
  '0x1F',
  '0b101',
  '-0b11',
  '1_000',
  '+12',
  '-0',
  '08',
  '09.5',
  '0',
  '00',
  '1e3',
  '1E-2',
  '.5',
  '-.5',
  '+.5',
  '1.',
  '2001-12-14',
  '2001-12-14T21:59:43.10-05:00',
  '2001-12-14 21:59:43.10',
  '190:20:30',
  '1:20',
  '12345678901234567890',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
  '1e400',
  '0x_1F',
  '1__0',
  '3.14',
  '6.02e+23',
  'busybox:1.36',
  'nginx',
  'sh',
  '-c',
  'echo',
  'hello world',
  'a b  c',
  'x#y',
  'http://example.com/a?b=c',
  '=',
  'kube-system',
  '/var/lib/kubelet',
  "it's",
] as const;
/** Plain scalars that make the document invalid (or nearly): rare, so that most streams stay readable. */
const BAD_PLAIN_VALUES = [
  'with: colon-space?',
  '<<',
  '!',
  '"',
  '@x',
  '`x',
  'a?b',
  '.inf',
  '-.Inf',
  '+.INF',
  '.nan',
  '.NaN',
] as const;
const STRING_KEYS = [
  'name',
  'image',
  'command',
  'args',
  'a',
  'b',
  'c',
  'x-y',
  'kube.io/v',
  'spec',
  'data',
  'k k',
];
/** Keys Go resolves to another type; no two of them become the same JSON key from different Go types. */
const TYPED_KEYS = [
  '1',
  '0x1F',
  '017',
  'y',
  'on',
  'no',
  '1.5',
  '1e3',
  '0.1',
  '2001-12-14',
  '.inf',
  '123456789.0',
];
const TAGS = [
  '!!str',
  '!!int',
  '!!float',
  '!!bool',
  '!!null',
  '!!timestamp',
  '!!binary',
  '!foo',
  '!',
  '!!set',
  '!!map',
];

interface Gen {
  readonly rng: Rng;
  anchors: string[];
  /** Anchors of mappings already complete: what a merge key may name. */
  mapAnchors: string[];
  depth: number;
}

function indent(n: number): string {
  return ' '.repeat(Math.max(n, 0));
}

function doubleQuoted(rng: Rng): string {
  const parts = ['one', 'two', '\\t', '\\n', '\\"', '\\x41', '\\u00e9', '\\\\', ' ', 'ü', '#', ': ', "'"];
  let s = '';
  for (let i = 0, n = 1 + Math.floor(rng() * 4); i < n; i++) s += pick(rng, parts);
  return `"${s}"`;
}

function singleQuoted(rng: Rng): string {
  const parts = ['one', 'two', "''", ' ', '\\n', '"', '#x'];
  let s = '';
  for (let i = 0, n = 1 + Math.floor(rng() * 4); i < n; i++) s += pick(rng, parts);
  return `'${s}'`;
}

/**
 * A quoted scalar folded over several lines: continuation lines at the key's indentation (the #18
 * reproduction), deeper, shallower or at column 0, with empty lines and escaped line breaks.
 */
function foldedQuoted(rng: Rng, keyIndent: number): string {
  const quote = chance(rng, 0.7) ? '"' : "'";
  const lines = [`${quote}first ${pick(rng, ['a', 'b;', 'c:', 'd #'])}`];
  for (let i = 0, n = 1 + Math.floor(rng() * 3); i < n; i++) {
    const at = pick(rng, [keyIndent, keyIndent + 2, keyIndent - 2, 0, keyIndent + 1]);
    if (chance(rng, 0.2)) lines.push('');
    lines.push(
      `${indent(at)}${pick(rng, ['next', 'more text', 'x: y', '- item', 'end;'])}${quote === '"' && i < n - 1 && chance(rng, 0.2) ? '\\' : ''}`,
    );
  }
  lines[lines.length - 1] += quote;
  return lines.join('\n');
}

function blockScalar(rng: Rng, at: number): string {
  const header = pick(rng, ['|', '>', '|-', '>-', '|+', '>+', '|2', '>1-']);
  const body: string[] = [];
  const inner = header.match(/\d/) ? at + Number(header.match(/\d/)?.[0]) - 2 + 2 : at + 2;
  for (let i = 0, n = 1 + Math.floor(rng() * 3); i < n; i++) {
    if (chance(rng, 0.2)) body.push('');
    body.push(
      `${indent(inner + (i > 0 && chance(rng, 0.2) ? 2 : 0))}${pick(rng, ['line one', 'echo $X', i > 0 ? '  indented' : 'x', 'a: b', '# not a comment'])}`,
    );
  }
  if (chance(rng, 0.3)) body.push('');
  return `${header}\n${body.join('\n')}`;
}

function scalar(g: Gen, at: number, inFlow: boolean): string {
  const { rng } = g;
  const r = rng();
  let text: string;
  if (r < 0.45) {
    text = chance(rng, 0.004) ? pick(rng, BAD_PLAIN_VALUES) : pick(rng, PLAIN_VALUES);
    if (inFlow && /[,[\]{}]/.test(text)) text = 'x';
  } else if (r < 0.6) text = doubleQuoted(rng);
  else if (r < 0.7) text = singleQuoted(rng);
  else if (r < 0.8 && !inFlow) text = foldedQuoted(rng, at);
  else if (r < 0.87 && !inFlow) text = blockScalar(rng, at);
  else if (r < 0.92)
    text = pick(rng, ['aGk=', 'aGVsbG8gd29ybGQ=', '3', '1.5', 'yes', '~', '2001-12-14', 'x y']);
  else text = String(Math.floor(rng() * 1000));
  if (chance(rng, 0.003)) text = `${pick(rng, TAGS)} ${text}`;
  else if (chance(rng, 0.02))
    text = pick(rng, ['!!str 1', '!!int "3"', '!!float 1', '!!binary aGk=', '!!bool yes', '!foo x']);
  if (chance(rng, 0.08)) {
    const name = `a${g.anchors.length}`;
    g.anchors.push(name);
    text = `&${name} ${text}`;
  }
  return text;
}

function key(g: Gen): string {
  const { rng } = g;
  const r = rng();
  if (r < 0.65) return pick(rng, STRING_KEYS);
  if (r < 0.8) return pick(rng, TYPED_KEYS);
  if (r < 0.9) return JSON.stringify(pick(rng, STRING_KEYS));
  if (r < 0.997) return `'${pick(rng, STRING_KEYS)}'`;
  return pick(rng, ['~', 'null', '""', '? complex', '9223372036854775808', '!!str 1x', '<<']);
}

function flowNode(g: Gen): string {
  const { rng } = g;
  if (g.depth > 3 || chance(rng, 0.5))
    return chance(rng, 0.1) && g.anchors.length > 0 ? `*${pick(rng, g.anchors)}` : scalar(g, 0, true);
  g.depth++;
  let out: string;
  if (chance(rng, 0.5)) {
    const items = Array.from({ length: Math.floor(rng() * 4) }, () => flowNode(g));
    out = `[${items.join(pick(rng, [', ', ',', ' , ', ',\n  ']))}${chance(rng, 0.1) ? ',' : ''}]`;
  } else {
    const items = Array.from({ length: Math.floor(rng() * 4) }, () => `${key(g)}: ${flowNode(g)}`);
    out = `{${items.join(pick(rng, [', ', ',', ',\n ']))}}`;
  }
  g.depth--;
  return out;
}

/** A value in block context, for a key at indentation `at`. Returns the text after `key:`. */
function blockValue(g: Gen, at: number): string {
  const { rng } = g;
  const r = rng();
  if (g.depth > 4 || r < 0.45) {
    if (chance(rng, 0.08) && g.anchors.length > 0) return ` *${pick(rng, g.anchors)}`;
    return ` ${scalar(g, at, false)}`;
  }
  if (r < 0.55) return ` ${flowNode(g)}`;
  // Named once complete (an alias inside its own anchor is rare, and tested by the edge cases).
  const name = chance(rng, 0.15) ? `m${g.anchors.length}${g.mapAnchors.length}` : '';
  const anchor = name ? ` &${name}` : '';
  g.depth++;
  let out: string;
  if (r < 0.78) {
    out = `${anchor}\n${blockMapping(g, at + pick(rng, [2, 2, 4, 1]))}`;
    if (name) g.mapAnchors.push(name);
  } else out = `${anchor}\n${blockSequence(g, at + pick(rng, [0, 2, 2, 4]))}`;
  if (name) g.anchors.push(name);
  g.depth--;
  return out;
}

function blockMapping(g: Gen, at: number): string {
  const { rng } = g;
  const lines: string[] = [];
  const n = 1 + Math.floor(rng() * 4);
  for (let i = 0; i < n; i++) {
    if (chance(rng, 0.08) && g.mapAnchors.length > 0) {
      // Mostly mappings, as merges need; now and then anything, which go-yaml refuses.
      const names = chance(rng, 0.98) ? g.mapAnchors : g.anchors;
      const merge = chance(rng, 0.7)
        ? `*${pick(rng, names)}`
        : `[${names
            .slice(-2)
            .map((a) => `*${a}`)
            .join(', ')}]`;
      lines.push(`${indent(at)}<<: ${merge}`);
      continue;
    }
    if (chance(rng, 0.05)) lines.push(`${indent(at)}# comment`);
    const k = key(g);
    lines.push(`${indent(at)}${k}:${blockValue(g, at)}`);
    if (chance(rng, 0.05)) lines.push(`${indent(at)}${k}:${blockValue(g, at)}`); // a duplicate key
  }
  return lines.join('\n');
}

function blockSequence(g: Gen, at: number): string {
  const { rng } = g;
  const lines: string[] = [];
  for (let i = 0, n = 1 + Math.floor(rng() * 3); i < n; i++) {
    if (chance(rng, 0.4) && g.depth < 5) {
      g.depth++;
      const inner = blockMapping(g, at + 2);
      g.depth--;
      lines.push(`${indent(at)}-${inner.slice(at + 1)}`);
    } else lines.push(`${indent(at)}-${blockValue(g, at)}`);
  }
  return lines.join('\n');
}

/** A Pod (or similar) whose container has random extra fields, in block style. */
function manifest(g: Gen): string {
  const { rng } = g;
  const kind = pick(rng, ['Pod', 'Deployment', 'ConfigMap', 'List']);
  const lines = [
    `apiVersion: ${pick(rng, ['v1', 'apps/v1', '"v1"'])}`,
    `kind: ${kind}`,
    'metadata:',
    `  name: ${pick(rng, ['folded', 'web', '"a b"', 'x'])}`,
  ];
  if (chance(rng, 0.3)) lines.push(`  labels:\n    app: ${pick(rng, PLAIN_VALUES)}`);
  lines.push(
    'spec:',
    '  containers:',
    `  - name: c`,
    `    image: ${pick(rng, ['busybox:1.36', 'nginx', '"nginx:1.27"'])}`,
  );
  if (chance(rng, 0.5)) lines.push(`    command: ["sh", "-c", "echo one;\n    echo two"]`);
  lines.push(`    securityContext:${blockValue(g, 4)}`);
  lines.push(blockMapping(g, 4));
  return lines.join('\n');
}

function document(g: Gen): string {
  const { rng } = g;
  g.anchors = [];
  g.mapAnchors = [];
  g.depth = 0;
  const r = rng();
  if (r < 0.45) return manifest(g);
  if (r < 0.8) return blockMapping(g, 0);
  if (r < 0.88) return blockSequence(g, 0);
  if (r < 0.95) return flowNode(g);
  return scalar(g, 0, false);
}

/** A stream of documents with separators of every kind. */
function stream(g: Gen): string {
  const { rng } = g;
  const docs = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => document(g));
  let out = chance(rng, 0.2) ? `${pick(rng, ['---\n', '# head\n---\n', '\n', '--- # c\n'])}` : '';
  docs.forEach((doc, i) => {
    if (i > 0)
      out += pick(rng, ['---\n', '---\n', '--- \n', '--- # next\n', '---\t\n', '...\n---\n', '\n---\n']);
    out += `${doc}\n`;
  });
  if (chance(rng, 0.05)) out += pick(rng, ['---\n', '...\n', '...\ntrailing: [\n', '---x\n']);
  return out;
}

function jsonValue(rng: Rng, depth: number): unknown {
  const r = rng();
  if (depth > 3 || r < 0.4)
    return pick(rng, [
      1,
      0,
      -1.5,
      1e21,
      2 ** 64, // beyond int64: Go and JSON.parse round it alike
      'yes',
      'on',
      '0755',
      '~',
      '',
      'a\tb',
      'é',
      null,
      true,
      false,
    ]);
  if (r < 0.7) return Array.from({ length: Math.floor(rng() * 4) }, () => jsonValue(rng, depth + 1));
  return Object.fromEntries(
    Array.from({ length: Math.floor(rng() * 4) }, () => [
      pick(rng, [...STRING_KEYS, 'y', '1', '<<', '__proto__']),
      jsonValue(rng, depth + 1),
    ]),
  );
}

function jsonStream(rng: Rng): string {
  const objects = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => {
    const value = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' }, spec: jsonValue(rng, 0) };
    return JSON.stringify(value, null, pick(rng, [0, 2, 4, '\t']));
  });
  return `${pick(rng, ['', ' ', '\n', '\t'])}${objects.join(pick(rng, ['\n', '', ' ', '\n---\n']))}${pick(rng, ['', '\n', '\n---\nb: 2\n', 'x'])}`;
}

/** Text mutations: each keeps most of the stream and breaks or bends one thing. */
function mutate(rng: Rng, text: string): string {
  const lines = text.split('\n');
  const i = Math.floor(rng() * lines.length);
  const line = lines[i] ?? '';
  switch (Math.floor(rng() * 12)) {
    case 0:
      return text.startsWith('\ufeff') ? text : `\ufeff${text}`;
    case 1:
      return text.replaceAll('\n', '\r\n');
    case 2:
      lines[i] = line.replace(/^( *)/, (s) => `${s.slice(0, s.length - 1)}\t`);
      return lines.join('\n');
    case 3:
      lines[i] = line.replace(': ', ':\t');
      return lines.join('\n');
    case 4:
      lines[i] = ` ${line}`;
      return lines.join('\n');
    case 5:
      lines[i] = line.replace(/^ {1,2}/, '');
      return lines.join('\n');
    case 6:
      lines.splice(i, 1);
      return lines.join('\n');
    case 7:
      lines.splice(i, 0, line);
      return lines.join('\n');
    case 8: {
      const at = Math.floor(rng() * text.length);
      return (
        text.slice(0, at) +
        pick(rng, [':', '"', "'", '[', '{', '&', '*', '#', ' ', '\n', '-', '|']) +
        text.slice(at)
      );
    }
    case 9: {
      const at = Math.floor(rng() * text.length);
      return text.slice(0, at) + text.slice(at + 1);
    }
    case 10:
      return text.endsWith('\n') ? text.slice(0, -1) : `${text}\n`;
    default:
      lines[i] = `${line}  # trailing`;
      return lines.join('\n');
  }
}

/** The #18 reproduction, verbatim. */
export const FOLDED_REPRODUCTION = `apiVersion: v1
kind: Pod
metadata:
  name: folded
spec:
  containers:
  - name: c
    image: busybox:1.36
    command: ["sh", "-c", "echo one;
    echo two"]
`;

/** Hand-written edge cases, each a known difference between YAML 1.2, js-yaml and go-yaml v2. */
export const EDGE_CASES: readonly string[] = [
  FOLDED_REPRODUCTION,
  'a:\n  b: "x\ny"\n  c: 1\n',
  "a:\n  b: 'x\n y'\n",
  'a: [1,\n2]\n',
  'a: {b: 1,\nc: 2}\n',
  'a: 1\n<<: {a: 2, b: 3}\n',
  '<<: {a: 2}\na: 1\n',
  'x: &x {a: 1}\ny: &y {a: 2, b: 2}\nz:\n  <<: [*x, *y]\n',
  'x: &x [1]\nz:\n  <<: *x\n',
  '%YAML 1.1\n---\na: 1\n',
  '--- |\n  x\n',
  '--- a\n',
  '---\n---\na: 1\n---\n',
  'a: 1\n...\nb: [\n',
  'a: |\n  x',
  '\ufeffa: 1\n---\n\ufeffb: 2\n',
  'a: \ufeffb\n',
  'a: 1\r\nb: |\r\n  x\r\n  y\r\n',
  'a: 1\rb: 2\n',
  'a:\tb\n',
  '\ta: b\n',
  'a: .inf\n',
  '.inf: 1\n-.Inf: 2\n.nan: 3\n',
  '~: x\n',
  '"": x\n',
  '1e6: a\n0.0001: b\n0.00001: c\n1.0: d\n',
  '18446744073709551615: x\n',
  '9223372036854775807: x\n',
  'a: !!binary aGk=\n',
  'a: !!binary "not base64!"\n',
  'a: !!int abc\n',
  'a: !!float 1\n',
  'a: !!null foo\n',
  'a: !!timestamp 2001-12-14\n',
  'a: !!set {x: 1}\n',
  'a: !foo [1, 2]\n',
  'a: ! 1\n',
  'a: &a [*a]\n',
  'a: *b\n',
  'a: &a 1\nb: &a 2\nc: *a\n',
  '? [a, b]\n: c\n',
  '? a\n: b\n',
  '{"a": 1}{"b": 2}\n',
  '{"a": 1}\n---\nb: 2\n',
  '{"a": 1}\n{"b": 2}\nc: 3\n',
  '{a: 1}\n',
  '  {"a": 1}',
  '{"a": 1, "a": 2}',
  '[1, 2]\n',
  'null\n',
  '~\n',
  '# only a comment\n',
  '\n\n\n',
  'a: 0755\nb: 0o17\nc: 1_000\nd: 0x1F\ne: 0b11\nf: -0b11\ng: 08\nh: 0_1\n',
  'a: yes\nb: On\nc: y\nd: NO\ne: off\n',
  `root:\n${'  '.repeat(60)}x: 1\n`,
];

/** `count` streams from `seed`: generated (YAML and JSON), each followed by mutated variants. */
export function yamlCorpus(seed: number, count: number): string[] {
  const rng = random(seed);
  const g: Gen = { rng, anchors: [], mapAnchors: [], depth: 0 };
  const out: string[] = [...EDGE_CASES];
  while (out.length < count) {
    const base = chance(rng, 0.12) ? jsonStream(rng) : stream(g);
    out.push(base);
    let variant = base;
    for (let m = 0, n = Math.floor(rng() * 3); m < n && out.length < count; m++) {
      variant = mutate(rng, variant);
      out.push(variant);
    }
  }
  return out;
}
