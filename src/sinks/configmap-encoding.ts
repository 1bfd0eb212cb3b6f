import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Transform } from 'node:stream';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
// The layout is read back by src/report/stored.ts, as untrusted input; its names are declared there.
import { PARTS_KEY, SUMMARY_KEY, type PartRef, type Storage } from '../report/stored.ts';

/**
 * How one report is laid out in ConfigMaps (DESIGN.md "ConfigMap report"): plain `data` when it fits,
 * gzip in `binaryData` when that fits (readable with base64 + gunzip), else brotli in `binaryData` when
 * that fits (about half the size of gzip on large reports, ADR 0006), else brotli split across numbered
 * part ConfigMaps. The summary is always plain `data` in the main ConfigMap. Pure: no API calls, so the
 * size rules are unit-tested.
 */

/**
 * Brotli quality 6 with a 4 MiB window: on the cluster benchmark's 34 MB report.json half the size of
 * gzip -6 (454 against 898 KiB) in about the same time (0.4 s); quality 9 is 9% smaller for 30% more
 * time, quality 11 about a quarter smaller for sixty times the time (ADR 0006).
 */
const BROTLI_OPTIONS = {
  params: {
    [constants.BROTLI_PARAM_QUALITY]: 6,
    [constants.BROTLI_PARAM_LGWIN]: 22,
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
  },
};

export interface ConfigMapPayload {
  data: Record<string, string>;
  binaryData: Record<string, string>;
}

export interface EncodedReport {
  readonly storage: Storage;
  /** The main ConfigMap's content (summary.json always in data). */
  readonly main: ConfigMapPayload;
  /** Part ConfigMaps by name (split storage only). */
  readonly parts: ReadonlyMap<string, ConfigMapPayload>;
}

/** What the API server counts against the 1 MiB limit: key and value bytes of data and binaryData. */
export function payloadBytes(payload: ConfigMapPayload): number {
  let total = 0;
  for (const [key, value] of Object.entries(payload.data)) total += key.length + Buffer.byteLength(value);
  for (const [key, value] of Object.entries(payload.binaryData))
    total += key.length + Math.floor((value.length * 3) / 4);
  return total;
}

/** A rendered file: its text, or a function yielding it in pieces (rendered only when its turn comes). */
export type FileSource = string | (() => Iterable<string>);

/** Rendering a file failed (as opposed to storing it). */
export class RenderError extends Error {
  override readonly name = 'RenderError';
}

/** Pieces of at most 1 MiB that never split a surrogate pair (each half would be encoded as U+FFFD). */
function* slices(text: string): Generator<string> {
  const size = 1 << 20;
  for (let start = 0; start < text.length;) {
    let end = Math.min(text.length, start + size);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield text.slice(start, end);
    start = end;
  }
}

function* pieces(source: FileSource): Generator<string> {
  if (typeof source === 'string') {
    yield* slices(source);
    return;
  }
  const iterator = (() => {
    try {
      return source()[Symbol.iterator]();
    } catch (error) {
      throw new RenderError(error instanceof Error ? error.message : String(error), { cause: error });
    }
  })();
  for (;;) {
    let next: IteratorResult<string>;
    try {
      next = iterator.next();
    } catch (error) {
      throw new RenderError(error instanceof Error ? error.message : String(error), { cause: error });
    }
    if (next.done) return;
    yield* slices(next.value);
  }
}

/** A compressing stream whose output is collected, with the bytes so far. */
class Collector {
  readonly chunks: Buffer[] = [];
  bytes = 0;
  readonly ended: Promise<unknown>;
  readonly stream: Transform;
  constructor(stream: Transform) {
    this.stream = stream;
    stream.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.bytes += chunk.length;
    });
    this.ended = once(stream, 'end');
    // Awaited by end(); a stream abandoned before it (destroyed) must not leave an unhandled rejection.
    this.ended.catch(() => undefined);
  }
  async write(piece: string): Promise<void> {
    if (!this.stream.write(piece)) await once(this.stream, 'drain');
  }
  async end(): Promise<Buffer> {
    this.stream.end();
    await this.ended;
    return Buffer.concat(this.chunks);
  }
}

export interface CompressedSource {
  /** The gzip bytes; absent when they grew past `gzipBudget` (compression was then abandoned). */
  readonly gz?: Buffer;
  readonly br: Buffer;
  /** The plain text, when it fit `plainBudget`. */
  readonly plain?: string;
  /** Bytes of the plain text (UTF-8). */
  readonly bytes: number;
}

/**
 * Compresses a file piece by piece, with gzip and brotli at once, so the file is rendered only once. The
 * plain text is kept only while `plainBudget` bytes allow, and gzip only while its output stays within
 * `gzipBudget`: a report of tens of MB is never held whole next to its copy (the operator's memory peak is
 * the rendered report), and a gzip that cannot be used is not finished.
 */
export async function compressSource(
  source: FileSource,
  plainBudget = 0,
  gzipBudget = Infinity,
): Promise<CompressedSource> {
  let gzip: Collector | undefined = gzipBudget > 0 ? new Collector(createGzip()) : undefined;
  const brotli = new Collector(createBrotliCompress(BROTLI_OPTIONS));
  let kept: string[] | undefined = [];
  let bytes = 0;
  for (const piece of pieces(source)) {
    bytes += Buffer.byteLength(piece);
    if (kept && bytes <= plainBudget) kept.push(piece);
    else kept = undefined;
    if (gzip && gzip.bytes > gzipBudget) {
      gzip.stream.destroy();
      gzip = undefined;
    }
    await Promise.all([gzip?.write(piece), brotli.write(piece)]);
  }
  const [gz, br] = await Promise.all([gzip?.end(), brotli.end()]);
  return {
    ...(gz && gz.length <= gzipBudget ? { gz } : {}),
    br,
    ...(kept ? { plain: kept.join('') } : {}),
    bytes,
  };
}

/**
 * @param files the files by key (`report.json`, `report.html`), rendered one after the other
 * @param partName name of the i-th part ConfigMap (1-based)
 * @param reserve bytes of `maxBytes` kept for keys written later (the history index)
 */
export async function encodeReport(
  summaryJson: string,
  files: Readonly<Record<string, FileSource>>,
  maxBytes: number,
  partName: (index: number) => string,
  reserve = 0,
): Promise<EncodedReport> {
  const budget = maxBytes - reserve;
  const summaryBytes = SUMMARY_KEY.length + Buffer.byteLength(summaryJson);
  let plainLeft = budget - summaryBytes;
  let gzipLeft = budget - summaryBytes;
  const plain: Record<string, string> = {};
  const gzipped: Record<string, string> = {};
  let allPlain = true;
  let allGzip = true;
  const brotli: (readonly [string, Buffer])[] = [];
  for (const [key, source] of Object.entries(files)) {
    // `<key>.gz`; binaryData travels as base64, but the API server counts the decoded bytes.
    const keyBytes = key.length + 3;
    const result = await compressSource(
      source,
      allPlain ? plainLeft - key.length : 0,
      allGzip ? gzipLeft - keyBytes : 0,
    );
    brotli.push([`${key}.br`, result.br]);
    if (allPlain && result.plain !== undefined) {
      plain[key] = result.plain;
      plainLeft -= key.length + result.bytes;
    } else allPlain = false;
    if (allGzip && result.gz) {
      gzipped[`${key}.gz`] = result.gz.toString('base64');
      gzipLeft -= keyBytes + result.gz.length;
    } else allGzip = false;
  }
  if (allPlain)
    return {
      storage: 'data',
      main: { data: { [SUMMARY_KEY]: summaryJson, ...plain }, binaryData: {} },
      parts: new Map(),
    };
  if (allGzip)
    return {
      storage: 'gzip',
      main: { data: { [SUMMARY_KEY]: summaryJson }, binaryData: gzipped },
      parts: new Map(),
    };

  const compressed: ConfigMapPayload = {
    data: { [SUMMARY_KEY]: summaryJson },
    binaryData: Object.fromEntries(brotli.map(([key, bytes]) => [key, bytes.toString('base64')])),
  };
  if (payloadBytes(compressed) <= budget) return { storage: 'brotli', main: compressed, parts: new Map() };

  // Split: each file's brotli bytes in chunks of at most one part's budget, one chunk per part ConfigMap.
  const chunkBytes = maxBytes - 256;
  const parts = new Map<string, ConfigMapPayload>();
  const manifest: { files: Record<string, { parts: PartRef[]; bytes: number; sha256: string }> } = {
    files: {},
  };
  for (const [key, bytes] of brotli) {
    const refs: PartRef[] = [];
    for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
      const configMap = partName(parts.size + 1);
      parts.set(configMap, {
        data: {},
        binaryData: { [key]: bytes.subarray(offset, offset + chunkBytes).toString('base64') },
      });
      refs.push({ configMap, key });
    }
    manifest.files[key] = {
      parts: refs,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  }
  const main: ConfigMapPayload = {
    data: { [SUMMARY_KEY]: summaryJson, [PARTS_KEY]: JSON.stringify(manifest) },
    binaryData: {},
  };
  if (payloadBytes(main) > budget)
    throw new Error(
      `the report summary alone (${payloadBytes(main)} bytes) exceeds the ConfigMap budget of ${budget} bytes`,
    );
  return { storage: 'split', main, parts };
}
