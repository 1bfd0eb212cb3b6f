import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip, gunzipSync } from 'node:zlib';

/**
 * How one report is laid out in ConfigMaps (DESIGN.md "ConfigMap report"): plain `data` when it fits,
 * gzip in `binaryData` when that fits, else gzip split across numbered part ConfigMaps. The summary is
 * always plain `data` in the main ConfigMap. Pure: no API calls, so the size rules are unit-tested.
 */
export type Storage = 'data' | 'gzip' | 'split';

export interface ConfigMapPayload {
  data: Record<string, string>;
  binaryData: Record<string, string>;
}

export interface PartRef {
  /** Name of the part ConfigMap. */
  readonly configMap: string;
  /** Key inside its binaryData. */
  readonly key: string;
}

/** Where the pieces of each split file are, in order, and how to check the reassembled bytes. */
export interface PartsManifest {
  readonly files: Record<string, { readonly parts: readonly PartRef[]; readonly bytes: number; readonly sha256: string }>;
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
  for (const [key, value] of Object.entries(payload.binaryData)) total += key.length + Math.floor((value.length * 3) / 4);
  return total;
}

export const SUMMARY_KEY = 'summary.json';
export const PARTS_KEY = 'parts.json';
export const HISTORY_KEY = 'history.json';

/** A rendered file: its text, or a function yielding it in pieces (rendered only when its turn comes). */
export type FileSource = string | (() => Iterable<string>);

/** Rendering a file failed (as opposed to storing it). */
export class RenderError extends Error {
  override readonly name = 'RenderError';
}

/** Pieces of at most 1 MiB that never split a surrogate pair (each half would be encoded as U+FFFD). */
function* slices(text: string): Generator<string> {
  const size = 1 << 20;
  for (let start = 0; start < text.length; ) {
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

/**
 * Gzips a file piece by piece, and keeps its plain text only while `plainBudget` bytes allow: a report of
 * tens of MB is never held whole next to its copy (the operator's memory peak is the rendered report).
 */
export async function gzipSource(source: FileSource, plainBudget = 0): Promise<{ gz: Buffer; plain?: string; bytes: number }> {
  const gzip = createGzip();
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = once(gzip, 'end');
  let kept: string[] | undefined = [];
  let bytes = 0;
  for (const piece of pieces(source)) {
    bytes += Buffer.byteLength(piece);
    if (kept && bytes <= plainBudget) kept.push(piece);
    else kept = undefined;
    if (!gzip.write(piece)) await once(gzip, 'drain');
  }
  gzip.end();
  await ended;
  return { gz: Buffer.concat(out), ...(kept ? { plain: kept.join('') } : {}), bytes };
}

export async function gzipString(text: string): Promise<Buffer> {
  return (await gzipSource(text)).gz;
}

/**
 * @param files the files by key (`report.json`, `report.html`), rendered one after the other
 * @param partName name of the i-th part ConfigMap (1-based)
 * @param reserve bytes of `maxBytes` kept for keys written later (the history index)
 */
export async function encodeReport(summaryJson: string, files: Readonly<Record<string, FileSource>>, maxBytes: number, partName: (index: number) => string, reserve = 0): Promise<EncodedReport> {
  const budget = maxBytes - reserve;
  let plainLeft = budget - SUMMARY_KEY.length - Buffer.byteLength(summaryJson);
  const plain: Record<string, string> = {};
  let allPlain = true;
  const gzipped: (readonly [string, Buffer])[] = [];
  for (const [key, source] of Object.entries(files)) {
    const result = await gzipSource(source, allPlain ? plainLeft - key.length : 0);
    gzipped.push([`${key}.gz`, result.gz]);
    if (allPlain && result.plain !== undefined) {
      plain[key] = result.plain;
      plainLeft -= key.length + result.bytes;
    } else allPlain = false;
  }
  if (allPlain) return { storage: 'data', main: { data: { [SUMMARY_KEY]: summaryJson, ...plain }, binaryData: {} }, parts: new Map() };

  const compressed: ConfigMapPayload = {
    data: { [SUMMARY_KEY]: summaryJson },
    binaryData: Object.fromEntries(gzipped.map(([key, bytes]) => [key, bytes.toString('base64')])),
  };
  if (payloadBytes(compressed) <= budget) return { storage: 'gzip', main: compressed, parts: new Map() };

  // Split: each file's gzip bytes in chunks of at most one part's budget, one chunk per part ConfigMap.
  const chunkBytes = maxBytes - 256;
  const parts = new Map<string, ConfigMapPayload>();
  const manifest: { files: Record<string, { parts: PartRef[]; bytes: number; sha256: string }> } = { files: {} };
  for (const [key, bytes] of gzipped) {
    const refs: PartRef[] = [];
    for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
      const configMap = partName(parts.size + 1);
      parts.set(configMap, { data: {}, binaryData: { [key]: bytes.subarray(offset, offset + chunkBytes).toString('base64') } });
      refs.push({ configMap, key });
    }
    manifest.files[key] = { parts: refs, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  const main: ConfigMapPayload = { data: { [SUMMARY_KEY]: summaryJson, [PARTS_KEY]: JSON.stringify(manifest) }, binaryData: {} };
  if (payloadBytes(main) > budget) throw new Error(`the report summary alone (${payloadBytes(main)} bytes) exceeds the ConfigMap budget of ${budget} bytes`);
  return { storage: 'split', main, parts };
}

export class ReportIntegrityError extends Error {
  override readonly name = 'ReportIntegrityError';
}

/**
 * Reads one file back from a main ConfigMap's payload: plain data, gzip binaryData, or split parts
 * (fetched with `readPart`, checked against the manifest's length and sha256). Undefined when absent.
 */
export async function decodeFile(main: Partial<ConfigMapPayload>, key: string, readPart: (configMap: string) => Promise<Partial<ConfigMapPayload>>): Promise<string | undefined> {
  const plain = main.data?.[key];
  if (plain !== undefined) return plain;
  const gz = await compressedFile(main, key, readPart);
  return gz === undefined ? undefined : gunzipSync(gz).toString('utf8');
}

/**
 * Reads one file back line by line, never holding its whole text: gzip (whole or reassembled from parts)
 * is decompressed as a stream. Undefined when absent.
 */
export async function decodeFileLines(main: Partial<ConfigMapPayload>, key: string, readPart: (configMap: string) => Promise<Partial<ConfigMapPayload>>): Promise<AsyncIterable<string> | undefined> {
  const plain = main.data?.[key];
  if (plain !== undefined) return (async function* () { yield* plain.split('\n'); })();
  const gz = await compressedFile(main, key, readPart);
  if (gz === undefined) return undefined;
  return (async function* () {
    const gunzip = createGunzip();
    gunzip.end(gz);
    // A character split between two chunks is decoded once both halves are in.
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop() ?? '';
      yield* lines;
    }
    yield rest + decoder.end();
  })();
}

/** The gzip bytes of a file stored compressed (whole, or reassembled and checked from split parts). */
async function compressedFile(main: Partial<ConfigMapPayload>, key: string, readPart: (configMap: string) => Promise<Partial<ConfigMapPayload>>): Promise<Buffer | undefined> {
  const gz = main.binaryData?.[`${key}.gz`];
  if (gz !== undefined) return Buffer.from(gz, 'base64');
  const manifestText = main.data?.[PARTS_KEY];
  if (manifestText === undefined) return undefined;
  const entry = (JSON.parse(manifestText) as PartsManifest).files[`${key}.gz`];
  if (!entry) return undefined;
  const chunks: Buffer[] = [];
  for (const ref of entry.parts) {
    const part = await readPart(ref.configMap);
    const value = part.binaryData?.[ref.key];
    if (value === undefined) throw new ReportIntegrityError(`part ConfigMap ${ref.configMap} has no ${ref.key}`);
    chunks.push(Buffer.from(value, 'base64'));
  }
  const bytes = Buffer.concat(chunks);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== entry.bytes || sha256 !== entry.sha256) {
    throw new ReportIntegrityError(`${key}: reassembled ${bytes.length} bytes do not match the manifest (${entry.bytes} bytes, sha256 ${entry.sha256.slice(0, 12)}…)`);
  }
  return bytes;
}
