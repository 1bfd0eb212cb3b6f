import { createHash, randomBytes } from 'node:crypto';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { KubeApiError, type KubeApi, type RequestOptions } from '../kube/client.ts';
import type { InspectionReport } from '../report/model.ts';
import {
  DEFAULT_STORED_LIMITS,
  ReportIntegrityError,
  storedFileText,
  type PartsManifest,
  type StoredConfigMap,
} from '../report/stored.ts';
import { encodeReport, payloadBytes, type EncodedReport } from './configmap-encoding.ts';
import { ConfigMapReportSink, readStoredReport } from './configmap.ts';

type CM = {
  metadata: {
    name: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    creationTimestamp?: string;
  };
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
};

/** ConfigMaps in memory with resourceVersion checks (409), the 1 MiB limit, and scripted failures. */
function fakeConfigMaps(fail: (method: string, name: string) => boolean = () => false) {
  const store = new Map<string, CM>();
  let rv = 0;
  const api: KubeApi = {
    async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
      const name = /\/configmaps\/([^/?]+)$/.exec(path)?.[1];
      const body = options.body as CM | undefined;
      if (fail(method, name ?? body?.metadata.name ?? ''))
        throw new KubeApiError(method, path, 500, 'InternalError', 'injected');
      if (body && payloadBytes({ data: body.data ?? {}, binaryData: body.binaryData ?? {} }) > 1024 * 1024)
        throw new KubeApiError(method, path, 422, 'Invalid', 'too long');
      switch (method) {
        case 'GET': {
          if (!name)
            return {
              items: [...store.values()].filter((cm) =>
                String(options.query?.['labelSelector'] ?? '')
                  .split(',')
                  .every((s) => !s || cm.metadata.labels?.[s.split('=')[0]!] === s.split('=')[1]),
              ),
            } as T;
          const cm = store.get(name);
          if (!cm) throw new KubeApiError(method, path, 404, 'NotFound', name);
          return structuredClone(cm) as T;
        }
        case 'POST':
          if (store.has(body!.metadata.name)) throw new KubeApiError(method, path, 409, 'AlreadyExists', '');
          store.set(body!.metadata.name, {
            ...structuredClone(body!),
            metadata: {
              ...body!.metadata,
              resourceVersion: String(++rv),
              creationTimestamp: new Date().toISOString(),
            },
          });
          return body as T;
        case 'PUT': {
          const current = store.get(name!);
          if (!current || current.metadata.resourceVersion !== body!.metadata.resourceVersion)
            throw new KubeApiError(method, path, 409, 'Conflict', 'modified');
          store.set(name!, {
            ...structuredClone(body!),
            metadata: { ...body!.metadata, resourceVersion: String(++rv) },
          });
          return body as T;
        }
        case 'DELETE':
          store.delete(name!);
          return {} as T;
      }
      throw new Error(method);
    },
    async watch() {},
  };
  return { api, store };
}

function report(findings: number, generatedAt = new Date().toISOString()): InspectionReport {
  return {
    apiVersion: 'kube-patrol.io/v1alpha1',
    kind: 'InspectionReport',
    metadata: {
      generatedAt,
      source: 'cluster',
      pssVersion: 'v1.37',
      lang: 'en',
      tool: { name: 'kube-patrol', version: '0' },
    },
    summary: {
      score: 50,
      workloads: 1,
      findings,
      exempted: 0,
      bySeverity: { critical: 0, high: 0, medium: findings, low: 0, info: 0 },
      skipped: {},
    },
    rules: [],
    workloads: [],
    findings: [],
    errors: [],
  };
}

/**
 * One file read back through the stored-report reader (src/report/stored.ts), with the parts list taken
 * as written: these tests name parts freely, the reader's own tests check the names.
 */
async function decodeFile(
  main: { data?: Record<string, string>; binaryData?: Record<string, string> },
  key: string,
  readPart: (cm: string) => Promise<Partial<StoredConfigMap>>,
): Promise<string | undefined> {
  const manifest = main.data?.['parts.json']
    ? (JSON.parse(main.data['parts.json']) as PartsManifest)
    : { files: {} };
  const text = await storedFileText(
    {
      main: { metadata: { name: 'main' }, ...main },
      manifest,
      readPart: async (cm) => ({ metadata: { name: cm }, ...(await readPart(cm)) }),
      limits: DEFAULT_STORED_LIMITS,
    },
    key,
    new AbortController().signal,
  );
  if (text === undefined) return undefined;
  let joined = '';
  for await (const piece of text) joined += piece;
  return joined;
}

/** Random text compresses badly: a reliable way to force the split layout. */
const noise = (bytes: number) => randomBytes(bytes / 2).toString('hex');

describe('encodeReport', () => {
  it('keeps small reports as plain data, larger ones gzipped, then brotli, and splits what brotli cannot fit', async () => {
    const name = (i: number) => `r-part-${i}`;
    const readPart = (encoded: EncodedReport) => async (cm: string) => encoded.parts.get(cm)!;
    expect((await encodeReport('{}', { 'report.json': 'x'.repeat(1000) }, 20_000, name)).storage).toBe(
      'data',
    );
    const gz = await encodeReport('{}', { 'report.json': 'x'.repeat(100_000) }, 20_000, name);
    expect(gz.storage).toBe('gzip');
    expect(Object.keys(gz.main.binaryData)).toEqual(['report.json.gz']);
    expect(gunzipSync(Buffer.from(gz.main.binaryData['report.json.gz']!, 'base64')).toString()).toBe(
      'x'.repeat(100_000),
    );

    // A block repeated further apart than gzip's 32 KiB window: gzip cannot use the repeats, brotli can.
    const block = noise(40_000);
    const repeated = { 'report.json': block.repeat(4), 'report.html': block.repeat(2) };
    // The JSON in pieces, as the operator renders it: gzip is abandoned once it outgrows the budget.
    const br = await encodeReport(
      '{}',
      { 'report.json': () => [block, block, block, block], 'report.html': repeated['report.html'] },
      60_000,
      name,
    );
    expect(br.storage).toBe('brotli');
    expect(br.parts.size).toBe(0);
    expect(Object.keys(br.main.binaryData)).toEqual(['report.json.br', 'report.html.br']);
    expect(payloadBytes(br.main)).toBeLessThanOrEqual(60_000);
    expect(
      brotliDecompressSync(Buffer.from(br.main.binaryData['report.html.br']!, 'base64')).toString(),
    ).toBe(repeated['report.html']);
    expect(await decodeFile(br.main, 'report.json', readPart(br))).toBe(repeated['report.json']);

    const big = { 'report.json': noise(70_000), 'report.html': noise(30_000) };
    const split = await encodeReport('{"s":1}', big, 20_000, name);
    expect(split.storage).toBe('split');
    expect(split.parts.size).toBeGreaterThanOrEqual(3); // hex compresses to about half
    expect(Object.keys(JSON.parse(split.main.data['parts.json']!).files)).toEqual([
      'report.json.br',
      'report.html.br',
    ]);
    for (const payload of [split.main, ...split.parts.values()])
      expect(payloadBytes(payload)).toBeLessThanOrEqual(20_000);
    expect(await decodeFile(split.main, 'report.json', readPart(split))).toBe(big['report.json']);
    expect(await decodeFile(split.main, 'report.html', readPart(split))).toBe(big['report.html']);
    expect(split.main.data['summary.json']).toBe('{"s":1}');
  });

  it('reads back the gzip split parts that earlier builds wrote', async () => {
    const text = noise(30_000);
    const gz = gzipSync(text);
    const half = Math.ceil(gz.length / 2);
    const files = {
      'report.json.gz': {
        parts: [
          { configMap: 'p1', key: 'report.json.gz' },
          { configMap: 'p2', key: 'report.json.gz' },
        ],
        bytes: gz.length,
        sha256: createHash('sha256').update(gz).digest('hex'),
      },
    };
    const parts = new Map([
      ['p1', gz.subarray(0, half)],
      ['p2', gz.subarray(half)],
    ]);
    const main = { data: { 'summary.json': '{}', 'parts.json': JSON.stringify({ files }) }, binaryData: {} };
    expect(
      await decodeFile(main, 'report.json', async (cm: string) => ({
        binaryData: { 'report.json.gz': parts.get(cm)!.toString('base64') },
      })),
    ).toBe(text);
  });

  it('refuses a reassembled file that does not match its manifest (never silently truncated)', async () => {
    const split = await encodeReport('{}', { 'report.json': noise(60_000) }, 20_000, (i) => `p${i}`);
    const readPart = async (cm: string) =>
      cm === 'p2'
        ? { binaryData: { 'report.json.br': Buffer.from('short').toString('base64') } }
        : split.parts.get(cm)!;
    await expect(decodeFile(split.main, 'report.json', readPart)).rejects.toBeInstanceOf(
      ReportIntegrityError,
    );
  });

  it('keeps surrogate pairs intact across compression slices', async () => {
    const text = `${'a'.repeat((1 << 20) - 1)}😀${'b'.repeat(10)}`;
    const gz = await encodeReport('{}', { 'report.json': text }, 100_000, (i) => `p${i}`);
    expect(await decodeFile(gz.main, 'report.json', async () => ({}))).toBe(text);
  });
});

describe('ConfigMapReportSink', () => {
  const options = { namespace: 'kp', name: 'kube-patrol-report', history: 3, maxConfigMapBytes: 20_000 };

  it('keeps the last N reports with their index, pruning older ones and their parts', async () => {
    const { api, store } = fakeConfigMaps();
    const sink = new ConfigMapReportSink(api, options);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await sink.write(report(i), { 'report.json': i % 2 ? noise(50_000) : `{"n":${i}}` })).scanId);
    const stored = await readStoredReport(api, 'kp', 'kube-patrol-report');
    expect(stored.history.map((h) => h.scanId)).toEqual(ids.slice(2).reverse());
    expect(stored.summary.scanId).toBe(ids[4]);
    expect(await stored.file('report.json')).toBe('{"n":4}');
    const older = await readStoredReport(api, 'kp', 'kube-patrol-report', ids[3]);
    expect(older.summary.storage).toBe('split');
    expect((await older.file('report.json'))!.length).toBe(50_000);
    const scans = new Set([...store.values()].map((cm) => cm.metadata.labels?.['kube-patrol.io/scan-id']));
    expect(scans).toEqual(new Set(ids.slice(2)));
  });

  it('a failed write leaves the previous report and removes what it had created', async () => {
    let failPointer = false;
    const { api, store } = fakeConfigMaps(
      (method, name) => failPointer && method === 'PUT' && name === 'kube-patrol-report',
    );
    const sink = new ConfigMapReportSink(api, options);
    const first = await sink.write(report(1), { 'report.json': '{"n":1}' });
    const before = [...store.keys()].sort();
    failPointer = true;
    await expect(sink.write(report(2), { 'report.json': noise(60_000) })).rejects.toThrow(/injected/);
    expect([...store.keys()].sort()).toEqual(before);
    const stored = await readStoredReport(api, 'kp', 'kube-patrol-report');
    expect(stored.summary.scanId).toBe(first.scanId);
    expect(await stored.file('report.json')).toBe('{"n":1}');
  });

  it('retries a 409 Conflict with a fresh read, keeping the history written in between', async () => {
    const { api } = fakeConfigMaps();
    const other = new ConfigMapReportSink(api, options);
    let raced = false;
    const racing: KubeApi = {
      watch: api.watch,
      request: async <T>(method: string, path: string, opts?: RequestOptions): Promise<T> => {
        if (method === 'PUT' && !raced) {
          raced = true;
          await other.write(report(9), { 'report.json': '{"other":true}' });
        }
        return api.request<T>(method, path, opts);
      },
    };
    await other.write(report(0), { 'report.json': '{}' });
    const result = await new ConfigMapReportSink(racing, options).write(report(1), {
      'report.json': '{"mine":true}',
    });
    expect(result.conflicts).toBe(1);
    expect(result.history).toHaveLength(3); // mine, the racing one, the first
    expect(await (await readStoredReport(api, 'kp', 'kube-patrol-report')).file('report.json')).toBe(
      '{"mine":true}',
    );
  });
});

describe('StoredReport.diffBase', () => {
  const options = { namespace: 'kp', name: 'kube-patrol-report', history: 3, maxConfigMapBytes: 20_000 };
  const withFindings = (count: number): InspectionReport => {
    const base = report(count);
    const workloads = [0, 1, 2].map((i) => ({
      kind: 'Deployment',
      namespace: i === 2 ? null : `ns-${i}`,
      name: `app-${i}`,
    }));
    const findings = Array.from({ length: count }, (_, i) => ({
      id: i.toString(16).padStart(16, '0'),
      ruleId: `rule-${i % 7}`,
      severity: 'medium' as const,
      category: 'pod-security' as const,
      pss: null,
      workload: workloads[i % 3]!,
      container: i % 5 === 0 ? null : 'app',
      // Distinct per finding, as in a cluster report (an id repeated is refused past a limit).
      path: `spec.containers[${i % 3}].securityContext.f${i}`,
      messageId: 'm',
      data: { n: i },
      message: `消息 ${i} with "quotes", a \\ and\na newline ${noise(16)}`,
      remediation: 'fix it',
      ...(i % 11 === 0 ? { exempted: { by: 'annotation' as const, reason: 'ok' } } : {}),
    }));
    return { ...base, findings } as unknown as InspectionReport;
  };

  it('reads the unexempted findings of a report as it streams, the same as from the whole report', async () => {
    const { renderJsonChunks } = await import('../report/render/json.ts');
    const { diffBaseOf } = await import('../report/diff.ts');
    const { withCurrentIds } = await import('../report/finding-ids.ts');
    for (const count of [0, 40, 1500]) {
      const { api } = fakeConfigMaps();
      const full = withFindings(count);
      await new ConfigMapReportSink(api, {
        ...options,
        maxConfigMapBytes: count > 1000 ? 20_000 : 900_000,
      }).write(full, { 'report.json': () => renderJsonChunks(full, 7) });
      const stored = await readStoredReport(api, 'kp', 'kube-patrol-report');
      if (count > 1000) expect(stored.summary.storage).toBe('split');
      const base = await stored.diffBase();
      // The fixture's ids are not made by findingId (as from an earlier version): they are derived anew.
      expect(base).toEqual(diffBaseOf({ ...full, findings: withCurrentIds(full.findings) }));
      expect(base.findings.length).toBe(full.findings.filter((f) => !f.exempted).length);
    }
  });
});
