/**
 * Differential test of the manifest decoder against the one Kubernetes uses: hack/testbin/yaml-eval runs
 * k8s.io/apimachinery's YAMLOrJSONDecoder (sigs.k8s.io/yaml, go-yaml v2 underneath) at the versions
 * hack/testbin/go.mod pins, document by document as kubectl reads a file. For thousands of generated
 * and mutated streams (test/support/yaml-corpus.ts), every document Go decodes must decode here to the
 * same JSON, and where Go refuses a document, kube-patrol must refuse it too. (kubectl then stops; we
 * report that document and read the rest, which is compared no further.) See docs/testenv.md.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { testbinTool } from '../support/testbin.ts';
import { decodeYamlDocuments } from '../../src/shared/kube-yaml/documents.ts';
import { EDGE_CASES, FOLDED_REPRODUCTION, yamlCorpus } from '../support/yaml-corpus.ts';

const STREAMS = Number(process.env.YAML_DIFF_STREAMS ?? 6000);
const SEED = Number(process.env.YAML_DIFF_SEED ?? 20261201);

interface GoResult {
  id: number;
  documents: unknown[];
  error?: string;
  errorDocument?: number;
}

let yamlEval = '';

beforeAll(() => {
  yamlEval = testbinTool('yaml-eval');
}, 600_000);

function runGo(streams: readonly string[]): GoResult[] {
  const input = streams.map((yaml, id) => JSON.stringify({ id, yaml })).join('\n');
  const result = spawnSync(yamlEval, [], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`yaml-eval failed: ${result.stderr}`);
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as GoResult);
}

/** JSON with sorted keys: Go's encoder sorts map keys, ours keeps insertion order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

type Verdict = { ok: true } | { ok: false; kind: string; detail: string };

/**
 * Inputs where kube-patrol and go-yaml are known to disagree, each a corner that no manifest writer
 * means (docs/adr/0001-manifest-decoding.md lists them). A mismatch on a stream that has one of these
 * is counted apart; any other mismatch fails the test, and so does a rise of these above 1%.
 */
const KNOWN_DIFFERENCES: readonly { readonly name: string; readonly test: (text: string) => boolean }[] = [
  // go-yaml starts a comment at a `#` right after `]`, `}`, `,` or a closing quote; YAML and js-yaml need a space.
  { name: 'comment without a space', test: (t) => /[\]},]#|[^\s'"]['"]#/.test(t) },
  // An indented `---` opening a document: a plain scalar to go-yaml, a marker to js-yaml.
  { name: 'indented ---', test: (t) => /^[ \t]+---/m.test(t) },
  // A lone carriage return: a line break to go-yaml's scanner but not to kubectl's line reader.
  { name: 'lone CR', test: (t) => /\r(?!\n)/.test(t) },
  // The empty tag `!` right before a flow indicator, an empty key after `- `.
  { name: 'empty tag or key before an indicator', test: (t) => /![,\]}]|-[ \t]+:[ \t\n]/.test(t) },
];

function compare(text: string, go: GoResult): Verdict {
  const ours = decodeYamlDocuments(text).filter((d) => 'error' in d || d.value !== null);
  for (let i = 0; i < go.documents.length; i++) {
    const mine = ours[i];
    if (!mine) return { ok: false, kind: 'missing document', detail: `document ${i}: we have none` };
    if ('error' in mine)
      return {
        ok: false,
        kind: 'we refuse, Go reads',
        detail: `document ${i}: ${mine.error} (line ${mine.line})`,
      };
    const [a, b] = [canonical(mine.value), canonical(go.documents[i])];
    if (a !== b)
      return { ok: false, kind: 'different value', detail: `document ${i}:\n  ours ${a}\n  Go   ${b}` };
  }
  if (go.error !== undefined) {
    const mine = ours[go.errorDocument ?? go.documents.length];
    if (!mine || !('error' in mine))
      return {
        ok: false,
        kind: 'Go refuses, we read',
        detail: `document ${go.errorDocument}: Go: ${go.error}; ours: ${mine ? canonical(mine.value) : 'nothing'}`,
      };
    return { ok: true };
  }
  if (ours.length !== go.documents.length) {
    const extra = ours[go.documents.length];
    return {
      ok: false,
      kind: 'extra document',
      detail:
        extra && 'error' in extra
          ? `we refuse: ${extra.error} (line ${extra.line})`
          : canonical(extra && extra.value),
    };
  }
  return { ok: true };
}

describe('YAML decoding: kube-patrol ≡ sigs.k8s.io/yaml via YAMLOrJSONDecoder', () => {
  it(`${STREAMS} generated and mutated streams decode to the same JSON, or both refuse`, () => {
    const streams = yamlCorpus(SEED, STREAMS);
    const results = runGo(streams);
    expect(results).toHaveLength(streams.length);
    let documents = 0;
    let refused = 0;
    let goNondeterministic = 0;
    const knownDifferences = new Map<string, number>();
    const mismatches: { kind: string; text: string; detail: string }[] = [];
    for (const go of results) {
      const text = streams[go.id] as string;
      documents += go.documents.length + (go.error === undefined ? 0 : 1);
      if (go.error !== undefined) refused++;
      const verdict = compare(text, go);
      if (verdict.ok) continue;
      // Keys of different Go types that become one JSON key (1 and "1") come out in map order, which
      // Go randomises: such a stream has no single answer to agree with.
      const again = runGo([text, text, text]).map((r) => JSON.stringify({ ...r, id: 0 }));
      if (new Set(again).size > 1) {
        goNondeterministic++;
        continue;
      }
      const known = KNOWN_DIFFERENCES.find((k) => k.test(text));
      if (known) {
        knownDifferences.set(known.name, (knownDifferences.get(known.name) ?? 0) + 1);
        continue;
      }
      mismatches.push({ kind: verdict.kind, text, detail: verdict.detail });
    }
    const byKind = new Map<string, number>();
    for (const m of mismatches) byKind.set(m.kind, (byKind.get(m.kind) ?? 0) + 1);
    console.log(
      `yaml differential: ${streams.length} streams (${EDGE_CASES.length} hand-written), ${documents} documents compared, ` +
        `${refused} streams refused by Go, ${goNondeterministic} skipped (Go map order), ` +
        `known differences ${JSON.stringify(Object.fromEntries(knownDifferences))}, ${mismatches.length} mismatches` +
        (byKind.size ? ` ${JSON.stringify(Object.fromEntries(byKind))}` : ''),
    );
    if (process.env.YAML_DIFF_DUMP)
      writeFileSync(process.env.YAML_DIFF_DUMP, mismatches.map((m) => JSON.stringify(m)).join('\n'));
    for (const m of mismatches.slice(0, 8))
      console.log(`--- ${m.kind}\n${JSON.stringify(m.text)}\n${m.detail}`);
    expect(mismatches.map((m) => m.kind)).toEqual([]);
    const known = [...knownDifferences.values()].reduce((a, b) => a + b, 0);
    expect(known).toBeLessThan(streams.length / 100);
  }, 300_000);

  it('reads the #18 reproduction as Go does, with exact lines', () => {
    const [go] = runGo([FOLDED_REPRODUCTION]);
    const [ours] = decodeYamlDocuments(FOLDED_REPRODUCTION);
    expect(go?.error).toBeUndefined();
    expect(ours && 'value' in ours ? canonical(ours.value) : ours).toBe(canonical(go?.documents[0]));
    if (!ours || !('value' in ours)) throw new Error('not decoded');
    expect(ours.lineOf(['spec', 'containers', 0, 'command', 2])).toBe(9);
    expect(ours.lineOf(['spec', 'containers', 0, 'image'])).toBe(8);
  });
});
