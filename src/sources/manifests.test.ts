import { mkdtemp, writeFile, mkdir, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePssVersion } from '../engine/pss-version.ts';
import { createInspector } from '../engine/run.ts';
import { privileged } from '../rules/privileged/rule.ts';
import { decodeManifests, expandPaths, readManifestFile } from './manifests.ts';
import { MAX_ALIAS_EXPANSION } from '../shared/kube-yaml/documents.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kp-manifests-'));
  await mkdir(join(dir, 'nested', '.hidden'), { recursive: true });
  await writeFile(join(dir, 'a.yaml'), 'kind: Pod\n');
  await writeFile(join(dir, 'nested', 'b.yml'), 'kind: Pod\n');
  await writeFile(join(dir, 'nested', 'c.json'), '{}');
  await writeFile(join(dir, 'nested', 'notes.txt'), 'x');
  await writeFile(join(dir, 'nested', '.hidden', 'd.yaml'), 'kind: Pod\n');
});

describe('expandPaths', () => {
  it('walks directories for *.yaml, *.yml, *.json in sorted order, skipping hidden folders', async () => {
    const { files, errors } = await expandPaths([dir, '-', join(dir, 'missing.yaml')]);
    expect(files).toEqual([
      join(dir, 'a.yaml'),
      join(dir, 'nested', 'b.yml'),
      join(dir, 'nested', 'c.json'),
      '-',
    ]);
    expect(errors.map((e) => e.extraction.errors[0])).toEqual([
      { source: join(dir, 'missing.yaml'), message: 'no such file or directory' },
    ]);
  });
});

describe('decodeManifests', () => {
  const pod = (name: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n    - name: app\n      image: nginx\n`;

  it('reads multi-document YAML and keeps line numbers for field paths', () => {
    const { extraction } = decodeManifests('m.yaml', `${pod('one')}---\n${pod('two')}`);
    expect(extraction.workloads.map((w) => w.name)).toEqual(['one', 'two']);
    const second = extraction.workloads[1]!;
    expect(second.origin.lineOf?.(['spec', 'containers', 0, 'image'])).toBe(9 + 8);
  });

  it('reads JSON', () => {
    const { extraction } = decodeManifests(
      'm.json',
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' }, spec: { containers: [] } }),
    );
    expect(extraction.workloads.map((w) => w.name)).toEqual(['j']);
  });

  it('reports invalid YAML with its line and still reads the other documents', () => {
    const { extraction } = decodeManifests(
      'bad.yaml',
      `${pod('ok')}---\nkind: Pod\nmetadata: {name: [unclosed\n`,
    );
    expect(extraction.workloads.map((w) => w.name)).toEqual(['ok']);
    expect(extraction.errors).toHaveLength(1);
    expect(extraction.errors[0]).toMatchObject({ source: 'bad.yaml' });
    expect(extraction.errors[0]?.message).toMatch(/^invalid YAML \(document 2\) at line \d+/);
  });

  it('refuses alias bombs', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
      ),
    ].join('\n');
    const { extraction } = decodeManifests('bomb.yaml', bomb);
    expect(extraction.errors[0]?.message).toMatch(/alias|decode/i);
  });
});

describe('decodeManifests: YAML as Kubernetes reads it (go-yaml v2, YAML 1.1 scalars)', () => {
  const pod = (name: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n    - name: app\n      image: nginx\n`;
  const podWith = (securityContext: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27\n      securityContext:\n${securityContext}`;

  it('reads `privileged: yes` as true, so the engine reports it with its line', () => {
    const { extraction } = decodeManifests('yes.yaml', podWith('        privileged: yes\n'));
    const inspector = createInspector({
      rules: [privileged],
      version: parsePssVersion('latest'),
      now: new Date('2026-01-01T00:00:00Z'),
    });
    const result = inspector(extraction.workloads[0]!);
    expect(result.findings).toMatchObject([
      {
        ruleId: 'privileged',
        path: 'spec.containers[0].securityContext.privileged',
        source: { file: 'yes.yaml', line: 10 },
      },
    ]);
  });

  it('resolves plain scalars like go-yaml v2: YAML 1.1 booleans and integers, timestamps and sexagesimals as strings', () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: p}',
      'spec:',
      '  containers: []',
      'values:',
      '  a: [y, Y, yes, On, TRUE, n, NO, off, False]',
      '  b: [0755, 0x1F, 0o17, 0b101, 1_000, -0, +12, 08]',
      '  c: [1e3, 1.5, .5, 1.]',
      '  d: [2024-01-01, "yes", 190:20:30, ~, null, "", 1:2]',
      '  e: !Ref some-local-tag',
      '  y: key y is the boolean true',
    ].join('\n');
    const { extraction } = decodeManifests('scalars.yaml', text);
    expect(extraction.errors).toEqual([]);
    expect((extraction.workloads[0]!.object as { values: unknown }).values).toEqual({
      a: [true, true, true, true, true, false, false, false, false],
      b: [493, 31, 15, 5, 1000, 0, 12, 8],
      c: [1000, 1.5, 0.5, 1],
      d: ['2024-01-01', 'yes', '190:20:30', null, null, '', '1:2'],
      e: 'some-local-tag',
      true: 'key y is the boolean true',
    });
  });

  it('refuses infinities and NaN as values (JSON cannot hold them, so kubectl refuses the document) but keys them as sigs.k8s.io/yaml does', () => {
    for (const value of ['-.inf', '.inf', '+.Inf', '.NaN']) {
      const { extraction } = decodeManifests('inf.yaml', `${pod('a')}---\nkind: Pod\nvalue: ${value}\n`);
      expect(extraction.workloads.map((w) => w.name)).toEqual(['a']);
      expect(extraction.errors).toMatchObject([
        {
          source: 'inf.yaml',
          line: 11,
          message: expect.stringMatching(/unsupported value: (\+Inf|-Inf|NaN)/),
        },
      ]);
    }
    const { extraction } = decodeManifests(
      'keys.yaml',
      `${pod('k')}metadata2: {.inf: a, 1e6: b, 0.1: c, 1.5e3: d, 123456789.0: e, 0x1F: f, true: g}\n`,
    );
    expect((extraction.workloads[0]!.object as { metadata2: unknown }).metadata2).toEqual({
      '.inf': 'a',
      '1e+06': 'b',
      '0.1': 'c',
      '1500': 'd',
      '1.2345679e+08': 'e',
      '31': 'f',
      true: 'g',
    });
  });

  it('follows aliases and merge keys to the line where a field is written; the last duplicate key wins', () => {
    const text = [
      'apiVersion: v1', //  1
      'kind: Pod', //  2
      'metadata: {name: p}', //  3
      'spec:', //  4
      '  containers:', //  5
      '    - &app', //  6
      '      name: app', //  7
      '      image: nginx:1.27', //  8
      '      securityContext: &sc', //  9
      '        privileged: true', // 10
      '    - <<: *app', // 11
      '      name: side', // 12
      '      securityContext: *sc', // 13
      '  hostNetwork: false', // 14
      '  hostNetwork: true', // 15
    ].join('\n');
    const { extraction } = decodeManifests('alias.yaml', text);
    const workload = extraction.workloads[0]!;
    const lineOf = workload.origin.lineOf!;
    expect(workload.podSpec.containers?.map((c) => c.name)).toEqual(['app', 'side']);
    expect(lineOf(['spec', 'containers', 1, 'name'])).toBe(12);
    expect(lineOf(['spec', 'containers', 1, 'image'])).toBe(8);
    expect(lineOf(['spec', 'containers', 1, 'securityContext'])).toBe(13);
    expect(lineOf(['spec', 'containers', 1, 'securityContext', 'privileged'])).toBe(10);
    expect(lineOf(['spec', 'hostNetwork'])).toBe(15);
    expect(lineOf(['spec', 'nope'])).toBeUndefined();
  });

  it('keeps line numbers in JSON', () => {
    const json = JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'j' },
        spec: { containers: [{ name: 'a', image: 'x' }] },
      },
      null,
      2,
    );
    const { extraction } = decodeManifests('m.json', json);
    expect(extraction.workloads[0]!.origin.lineOf?.(['spec', 'containers', 0, 'image'])).toBe(
      json.split('\n').findIndex((l) => l.includes('"image"')) + 1,
    );
  });

  it('names the document and the absolute line of an error after a preamble and several documents', () => {
    const { extraction } = decodeManifests(
      'many.yaml',
      `# preamble\n---\n${pod('a')}---\n${pod('b')}---\nkind: Pod\nspec:\n  - a\n - b\n---\n${pod('c')}`,
    );
    expect(extraction.workloads.map((w) => w.name)).toEqual(['a', 'b', 'c']);
    expect(extraction.errors).toHaveLength(1);
    expect(extraction.errors[0]).toMatchObject({ source: 'many.yaml', line: 24 });
    expect(extraction.errors[0]?.message).toMatch(/^invalid YAML \(document 4\) at line 24: /);
  });

  it('refuses what kubectl refuses in the stream itself: a %YAML directive, text after a `---` separator', () => {
    // YAMLReader cuts at `---` lines, so `%YAML 1.1` is a document of its own, which go-yaml refuses.
    const directive = decodeManifests('directive.yaml', `%YAML 1.1\n---\n${pod('a')}`);
    expect(directive.extraction.errors).toMatchObject([{ source: 'directive.yaml', line: 1 }]);
    const separator = decodeManifests('separator.yaml', `${pod('a')}--- !!map\n${pod('b')}`);
    expect(separator.extraction.errors).toMatchObject([
      { line: 9, message: 'invalid YAML (document 1) at line 9: invalid Yaml document separator: !!map' },
    ]);
  });

  it('refuses a recursive alias', () => {
    const { extraction } = decodeManifests('loop.yaml', `${pod('ok')}---\nkind: Pod\nspec: &s\n  x: *s\n`);
    expect(extraction.workloads.map((w) => w.name)).toEqual(['ok']);
    expect(extraction.errors[0]?.message).toMatch(/document 2.*recursive alias \*s/);
  });

  it('bounds alias expansion over a whole input, not per document', () => {
    const fan = (n: number) =>
      `a: &a [${Array.from({ length: 1000 }, () => n).join(',')}]\nb: [${Array.from({ length: 100 }, () => '*a').join(',')}]\n`;
    const documents = Math.ceil(MAX_ALIAS_EXPANSION / 100_000) + 1;
    const { extraction } = decodeManifests(
      'fan.yaml',
      Array.from({ length: documents }, (_, i) => fan(i)).join('---\n'),
    );
    const expansion = extraction.errors.filter((e) => /aliases expand to more than/.test(e.message));
    expect(expansion.map((e) => e.message)).toEqual([
      `invalid YAML (document ${documents}) at line ${3 * documents - 1}: aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes`,
    ]);
  });
});

describe('readManifestFile', () => {
  it('reports a binary file without parsing it', async () => {
    const file = join(dir, 'binary.yaml');
    await writeFile(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]));
    const { extraction } = await readManifestFile(file);
    expect(extraction.errors).toEqual([{ source: file, message: 'not a text file (binary content)' }]);
  });

  it('reports a 50 MB file as too large without reading it', async () => {
    const file = join(dir, 'huge.yaml');
    await writeFile(file, '');
    await truncate(file, 50 * 1024 * 1024);
    const { extraction } = await readManifestFile(file);
    expect(extraction.errors[0]?.source).toBe(file);
    expect(extraction.errors[0]?.message).toMatch(/too large \(50\.0 MiB; the limit is 16\.0 MiB\)/);
  });
});
