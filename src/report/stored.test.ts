import { gzipSync, brotliCompressSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  brotliFindingBomb,
  brotliWhitespaceBomb,
  brotliZeros,
  findingLine,
} from '../../test/support/bombs.ts';
import { PLANTED_SCAN, plantedSummary } from '../../test/support/planted-report.ts';
import { JsonObjectStream, JsonStreamError } from './json-stream.ts';
import {
  checkedPartsManifest,
  DEFAULT_STORED_LIMITS,
  diffBaseDigest,
  openStoredReport,
  parseStoredHistory,
  StoredReportError,
  type StoredConfigMap,
} from './stored.ts';
import { renderJson, renderJsonChunks } from './render/json.ts';
import type { InspectionReport } from './model.ts';
import { diffBaseOf } from './diff.ts';

const SCAN = PLANTED_SCAN;
const NAME = 'kube-patrol-report';
const summary = plantedSummary;

function report(findings = 1): InspectionReport {
  const workload = { kind: 'Deployment', namespace: 'shop', name: 'web' };
  return {
    apiVersion: 'kube-patrol.io/v1alpha1',
    kind: 'InspectionReport',
    metadata: {
      generatedAt: '2026-12-01T10:15:00.000Z',
      source: 'cluster',
      pssVersion: 'v1.37',
      lang: 'en',
      tool: { name: 'kube-patrol', version: '0.1.0' },
    },
    summary: {
      score: 50,
      workloads: 1,
      findings,
      exempted: 0,
      bySeverity: { critical: findings, high: 0, medium: 0, low: 0, info: 0 },
      skipped: {},
    },
    rules: [],
    workloads: [{ ...workload, score: 50, findings }],
    findings: Array.from({ length: findings }, (_, i) => ({
      id: 'x',
      ruleId: 'privileged',
      severity: 'critical' as const,
      category: 'pod-security' as const,
      pss: null,
      workload,
      container: 'app',
      path: `spec.template.spec.containers[${i}].securityContext.privileged`,
      messageId: 'privileged',
      data: {},
      message: 'Container app is privileged.',
      remediation: 'Set privileged: false.',
    })),
    errors: [],
  };
}

/** ConfigMaps by name, and the names fetched. */
function store(configMaps: StoredConfigMap[]) {
  const fetched: string[] = [];
  const byName = new Map(configMaps.map((cm) => [cm.metadata.name, cm]));
  const read = async (name: string) => {
    fetched.push(name);
    const cm = byName.get(name);
    if (!cm) throw new Error(`no ConfigMap ${name}`);
    return cm;
  };
  return { read, fetched };
}

const main = (data: Record<string, string>, binaryData: Record<string, string> = {}): StoredConfigMap => ({
  metadata: { name: NAME },
  data: { 'summary.json': summary(), ...data },
  binaryData,
});

async function failure(promise: Promise<unknown>): Promise<StoredReportError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoredReportError);
  return error as StoredReportError;
}

function collect(text: string, chunk: number) {
  const values: [string, unknown][] = [];
  const elements: [string, unknown][] = [];
  const parser = new JsonObjectStream({
    descend: new Set(['diff']),
    stream: new Set(['findings', 'diff.new']),
    maxValueChars: 10_000,
    onValue: (p, v) => values.push([p, v]),
    onElement: (p, v) => elements.push([p, v]),
  });
  for (let i = 0; i < text.length; i += chunk) parser.write(text.slice(i, i + chunk));
  parser.end();
  return { values, elements };
}

describe('JsonObjectStream', () => {
  const doc = {
    a: 1,
    s: 'x,}]"\\\n{',
    findings: [{ id: 1, t: ']}' }, 2, 'three', null, [4]],
    diff: { since: 't', new: [{ n: 1 }] },
    nested: { deep: [1, { x: '}' }] },
  };

  it('gives the same members and elements for any layout and any chunking', () => {
    const expected = collect(JSON.stringify(doc), 1 << 20);
    expect(expected.elements).toHaveLength(6);
    expect(Object.fromEntries(expected.values)).toEqual({
      a: 1,
      s: doc.s,
      'diff.since': 't',
      nested: doc.nested,
    });
    fc.assert(
      fc.property(fc.constantFrom(0, 2, '\t', ' \n '), fc.integer({ min: 1, max: 40 }), (indent, chunk) => {
        const text = JSON.stringify(doc, null, indent as number | string);
        expect(collect(text, chunk)).toEqual(expected);
      }),
    );
  });

  it('refuses what is not one JSON object: duplicates, garbage, truncation, overlong values', () => {
    const bad = [
      '{"a":1,"a":2}',
      '{"a":1} x',
      '{"a":1',
      '{"findings":[1,2',
      '[1]',
      '{"a":}',
      '{"a" 1}',
      '{"a":1,}',
      `{"a":"${'x'.repeat(20_000)}"}`,
      '{"a":tru}',
    ];
    for (const text of bad) expect(() => collect(text, 3), text).toThrow(JsonStreamError);
  });

  it('is linear: 64 MiB without a line break in 1 MiB chunks, well under a second per 16 MiB', () => {
    const parser = new JsonObjectStream({
      descend: new Set(),
      stream: new Set(['findings']),
      maxValueChars: 1 << 20,
      onValue: () => undefined,
      onElement: () => undefined,
    });
    const chunk = `${'{"k":"v","n":[1,2,3]},'.repeat((1 << 20) / 22)}`;
    const started = performance.now();
    parser.write('{"findings":[');
    for (let i = 0; i < 64; i++) parser.write(chunk);
    parser.write('0]}');
    parser.end();
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(20_000); // a generous guard; quadratic joining took minutes
  }, 60_000);
});

describe('openStoredReport: planted reports', () => {
  it('summary.json with files: null is refused with the field named', async () => {
    const { read } = store([
      { metadata: { name: NAME }, data: { 'summary.json': summary({ files: null }) } },
    ]);
    const error = await failure(openStoredReport(read, NAME));
    expect(error.problem).toBe('schema');
    expect(error.message).toMatch(/summary\.json: files/);
  });

  it('report.json of {} is refused (not an InspectionReport)', async () => {
    const { read } = store([main({ 'report.json': '{}' })]);
    const stored = await openStoredReport(read, NAME);
    expect((await failure(stored.diffBase())).problem).toBe('schema');
    expect((await failure(stored.report())).problem).toBe('schema');
  });

  it('a corrupt gzip is refused as corrupt', async () => {
    const gz = gzipSync(renderJson(report()));
    gz.fill(0x55, gz.length >> 1, (gz.length >> 1) + 2);
    const { read } = store([main({}, { 'report.json.gz': gz.toString('base64') })]);
    const stored = await openStoredReport(read, NAME);
    expect((await failure(stored.diffBase())).problem).toMatch(/corrupt|schema/);
  });

  it('a 1 GiB brotli bomb of repeated finding lines stops early, in bounded time and memory', async () => {
    const bomb = await brotliFindingBomb(1 << 30);
    expect(bomb.length).toBeLessThan(16 * 1024);
    const { read } = store([main({}, { 'report.json.br': bomb.toString('base64') })]);
    const stored = await openStoredReport(read, NAME);
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    const error = await failure(stored.diffBase());
    const full = await failure(stored.report());
    const ms = performance.now() - started;
    expect(error.message).toMatch(/metadata|repeat|more than/);
    expect(full.problem).toMatch(/schema|limit/);
    expect(ms).toBeLessThan(30_000);
    // Held: at most a thousand findings (generous: RSS of a shared test worker is noisy).
    expect(process.memoryUsage().rss - rss).toBeLessThan(256 * 2 ** 20);
  }, 60_000);

  it('a report whose findings list is 1 GiB of spaces stops at the byte cap', async () => {
    const bomb = await brotliWhitespaceBomb(1 << 30);
    const { read } = store([main({}, { 'report.json.br': bomb.toString('base64') })]);
    const stored = await openStoredReport(read, NAME, {
      limits: { ...DEFAULT_STORED_LIMITS, maxTextBytes: 32 << 20 },
    });
    const error = await failure(stored.diffBase());
    expect(error.problem).toBe('limit');
    expect(error.message).toMatch(/decompresses to more than 33554432 bytes/);
  }, 60_000);

  it('brotli of 64 MiB of zeros is refused at once (no line joining)', async () => {
    const zeros = await brotliZeros(64 << 20);
    const { read } = store([main({}, { 'report.json.br': zeros.toString('base64') })]);
    const started = performance.now();
    const error = await failure((await openStoredReport(read, NAME)).diffBase());
    expect(error.problem).toBe('corrupt');
    expect(performance.now() - started).toBeLessThan(5000);
  }, 60_000);

  it('a parts list naming one part 1,000 times is refused before any part is fetched', async () => {
    const part = `${NAME}-${SCAN}-part-1`;
    const manifest = {
      files: {
        'report.json.br': {
          parts: Array.from({ length: 1000 }, () => ({ configMap: part, key: 'report.json.br' })),
          bytes: 700_000 * 1000,
          sha256: 'a'.repeat(64),
        },
      },
    };
    const { read, fetched } = store([
      main({ 'parts.json': JSON.stringify(manifest), 'summary.json': summary({ storage: 'split' }) }),
      { metadata: { name: part }, binaryData: { 'report.json.br': 'A'.repeat(933_000) } },
    ]);
    const error = await failure(openStoredReport(read, NAME));
    expect(error.problem).toBe('limit');
    expect(fetched).toEqual([NAME]);
    // Within the count, still one part named twice, or a name of another report, is refused.
    const twice = {
      files: {
        'report.json.br': {
          ...manifest.files['report.json.br'],
          parts: manifest.files['report.json.br'].parts.slice(0, 2),
          bytes: 10,
        },
      },
    };
    expect(() =>
      checkedPartsManifest(
        main({ 'parts.json': JSON.stringify(twice) }),
        NAME,
        { scanId: SCAN },
        DEFAULT_STORED_LIMITS,
      ),
    ).toThrow(/listed twice/);
    const foreign = {
      files: {
        'report.json.br': {
          parts: [{ configMap: 'kube-patrol-config', key: 'report.json.br' }],
          bytes: 10,
          sha256: 'a'.repeat(64),
        },
      },
    };
    expect(() =>
      checkedPartsManifest(
        main({ 'parts.json': JSON.stringify(foreign) }),
        NAME,
        { scanId: SCAN },
        DEFAULT_STORED_LIMITS,
      ),
    ).toThrow(/expected kube-patrol-report-/);
  });

  it('reads a valid report the same whatever its layout, plain or compressed', async () => {
    const r = report(3);
    const compact = JSON.stringify(r);
    const large = Array.from(renderJsonChunks(r, 1)).join('');
    for (const stored of [
      main({ 'report.json': compact }),
      main({ 'report.json': renderJson(r) }),
      main({}, { 'report.json.br': brotliCompressSync(large).toString('base64') }),
      main({}, { 'report.json.gz': gzipSync(compact).toString('base64') }),
    ]) {
      const opened = await openStoredReport(store([stored]).read, NAME);
      const full = await opened.report();
      expect(full.findings).toHaveLength(3);
      expect(full.findings[0]!.id).toHaveLength(20); // derived anew
      expect(await opened.diffBase()).toEqual(diffBaseOf(full));
    }
  });

  it("keeps the namespaces' Pod Security advice, and refuses an entry that is not one", async () => {
    const advice = {
      namespace: 'shop',
      workloads: 2,
      failingBaseline: 0,
      failingRestricted: 1,
      level: 'baseline' as const,
      enforce: null,
      namespaceRead: true,
      command: 'kubectl label --overwrite namespace shop pod-security.kubernetes.io/enforce=baseline',
    };
    const r: InspectionReport = { ...report(1), podSecurity: { version: 'v1.37', namespaces: [advice] } };
    const opened = await openStoredReport(store([main({ 'report.json': renderJson(r) })]).read, NAME);
    expect((await opened.report()).podSecurity).toEqual(r.podSecurity);
    const bad = JSON.stringify({
      ...r,
      podSecurity: { version: 'v1.37', namespaces: [{ ...advice, level: 'x' }] },
    });
    const refused = await openStoredReport(store([main({ 'report.json': bad })]).read, NAME);
    await expect(refused.report()).rejects.toThrow(/podSecurity\.namespaces/);
  });

  it('a time-bounded read: a part that never comes is abandoned as a timeout', async () => {
    const manifest = {
      files: {
        'report.json.br': {
          parts: [{ configMap: `${NAME}-${SCAN}-part-1`, key: 'report.json.br' }],
          bytes: 10,
          sha256: 'a'.repeat(64),
        },
      },
    };
    const read = async (name: string, signal: AbortSignal) => {
      if (name === NAME) return main({ 'parts.json': JSON.stringify(manifest) });
      return new Promise<StoredConfigMap>((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason as Error)),
      );
    };
    const stored = await openStoredReport(read, NAME, {
      limits: { ...DEFAULT_STORED_LIMITS, timeoutMs: 200 },
    });
    const error = await stored.diffBase().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(StoredReportError);
    expect((error as StoredReportError).problem).toBe('timeout');
  });

  it('a history keeps only valid entries of this report', () => {
    const entry = (scanId: string, configMap = `${NAME}-${scanId}`) => ({
      scanId,
      generatedAt: '2026-12-01T10:15:00.000Z',
      configMap,
      score: 50,
      findings: 1,
      bySeverity: { critical: 1, high: 0, medium: 0, low: 0, info: 0 },
    });
    const text = JSON.stringify([
      entry(SCAN),
      entry('20261201-101400-a1b2', 'kube-patrol-config'),
      { ...entry('20261201-101300-a1b2'), score: '\u001b[2J' },
      entry(SCAN),
      null,
    ]);
    const { entries, dropped } = parseStoredHistory(text, NAME);
    expect(entries.map((e) => e.scanId)).toEqual([SCAN]);
    expect(dropped).toBe(4);
  });

  it('the digest changes when a finding is added or removed, not with the order', () => {
    const finding = (id: string) => ({ id }) as never;
    const base = { generatedAt: 't', score: 1, findings: [finding('a'), finding('b')] };
    expect(diffBaseDigest(base)).toBe(diffBaseDigest({ ...base, findings: [finding('b'), finding('a')] }));
    expect(diffBaseDigest(base)).not.toBe(diffBaseDigest({ ...base, findings: [finding('a')] }));
  });

  it('finding lines from the bomb helper are what the schema accepts', () => {
    expect(() => JSON.parse(findingLine().trim().replace(/,$/, ''))).not.toThrow();
  });
});
