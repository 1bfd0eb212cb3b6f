import { mkdtemp, writeFile, mkdir, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeManifests, expandPaths, readManifestFile } from './manifests.ts';

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
    expect(files).toEqual([join(dir, 'a.yaml'), join(dir, 'nested', 'b.yml'), join(dir, 'nested', 'c.json'), '-']);
    expect(errors.map((e) => e.extraction.errors[0])).toEqual([{ source: join(dir, 'missing.yaml'), message: 'no such file or directory' }]);
  });
});

describe('decodeManifests', () => {
  const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n    - name: app\n      image: nginx\n`;

  it('reads multi-document YAML and keeps line numbers for field paths', () => {
    const { extraction } = decodeManifests('m.yaml', `${pod('one')}---\n${pod('two')}`);
    expect(extraction.workloads.map((w) => w.name)).toEqual(['one', 'two']);
    const second = extraction.workloads[1]!;
    expect(second.origin.lineOf?.(['spec', 'containers', 0, 'image'])).toBe(9 + 8);
  });

  it('reads JSON', () => {
    const { extraction } = decodeManifests('m.json', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' }, spec: { containers: [] } }));
    expect(extraction.workloads.map((w) => w.name)).toEqual(['j']);
  });

  it('reports invalid YAML with its line and still reads the other documents', () => {
    const { extraction } = decodeManifests('bad.yaml', `${pod('ok')}---\nkind: Pod\nmetadata: {name: [unclosed\n`);
    expect(extraction.workloads.map((w) => w.name)).toEqual(['ok']);
    expect(extraction.errors).toHaveLength(1);
    expect(extraction.errors[0]).toMatchObject({ source: 'bad.yaml' });
    expect(extraction.errors[0]?.message).toMatch(/^invalid YAML \(document 2\) at line \d+/);
  });

  it('refuses alias bombs', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');
    const { extraction } = decodeManifests('bomb.yaml', bomb);
    expect(extraction.errors[0]?.message).toMatch(/alias|decode/i);
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
