import { open, readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { emptyExtraction, extractWorkloads, type Extraction } from '../workloads/extract.ts';
import { decodeYamlDocuments } from './yaml-documents.ts';

export const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface ManifestOptions {
  /** Files larger than this are reported as errors instead of read. */
  readonly maxFileBytes?: number;
  /** Reads standard input for the path `-`. */
  readonly readStdin?: () => Promise<string>;
}

/** One input file, decoded into workloads (or errors). */
export interface ManifestFile {
  readonly file: string;
  readonly extraction: Extraction;
}

function errorFile(file: string, message: string, line?: number): ManifestFile {
  const extraction = emptyExtraction();
  extraction.errors.push({ source: file, message, ...(line === undefined ? {} : { line }) });
  return { file, extraction };
}

/** Expands PATH arguments into files: directories recursively (*.yaml, *.yml, *.json), sorted. */
export async function expandPaths(
  paths: readonly string[],
): Promise<{ files: string[]; errors: ManifestFile[] }> {
  const files: string[] = [];
  const errors: ManifestFile[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
        await walk(full);
      } else if (MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
        files.push(full);
      }
    }
  }
  for (const path of paths) {
    if (path === '-') {
      files.push('-');
      continue;
    }
    try {
      const info = await stat(path);
      if (info.isDirectory()) await walk(path);
      else files.push(path);
    } catch (error) {
      errors.push(errorFile(path, describeFsError(error)));
    }
  }
  return { files, errors };
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return error instanceof Error ? error.message : String(error);
}

async function looksBinary(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).includes(0);
  } finally {
    await handle.close();
  }
}

/** Reads and decodes one file (or `-`). Never throws: problems become errors naming the file. */
export async function readManifestFile(file: string, options: ManifestOptions = {}): Promise<ManifestFile> {
  const read = await readManifestText(file, options);
  return typeof read === 'string' ? decodeManifests(file, read) : read;
}

/**
 * Reads one file (or `-`) without decoding it, so that a caller can read the next file while it
 * decodes this one. Never throws: the text, or the file's error.
 */
export async function readManifestText(
  file: string,
  options: ManifestOptions = {},
): Promise<string | ManifestFile> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  try {
    if (file === '-') {
      if (!options.readStdin) return errorFile('-', 'standard input is not available');
      return await options.readStdin();
    }
    const info = await stat(file);
    if (info.size > maxBytes) {
      return errorFile(
        file,
        `file is too large (${(info.size / 1048576).toFixed(1)} MiB; the limit is ${(maxBytes / 1048576).toFixed(1)} MiB)`,
      );
    }
    if (await looksBinary(file)) return errorFile(file, 'not a text file (binary content)');
    return await readFile(file, 'utf8');
  } catch (error) {
    return errorFile(file, describeFsError(error));
  }
}

/** Decodes YAML (multi-document) or JSON text into workloads, keeping line numbers for findings. */
export function decodeManifests(file: string, text: string, collect?: ReadonlySet<string>): ManifestFile {
  const extraction = emptyExtraction(collect);
  if (text.includes('\u0000')) {
    extraction.errors.push({ source: file, message: 'not a text file (binary content)' });
    return { file, extraction };
  }
  const documents = decodeYamlDocuments(text);
  documents.forEach((document, index) => {
    if ('error' in document) {
      const docLabel = documents.length > 1 ? ` (document ${index + 1})` : '';
      const { line } = document;
      extraction.errors.push({
        source: file,
        message: `invalid YAML${docLabel}${line ? ` at line ${line}` : ''}: ${document.error.split('\n')[0] ?? 'parse error'}`,
        ...(line === undefined ? {} : { line }),
      });
      return;
    }
    extractWorkloads(document.value, { file, documentPath: [], lineOf: document.lineOf }, extraction);
  });
  return { file, extraction };
}
