import { constants } from 'node:fs';
import { lstat, open, readdir, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { extname, join } from 'node:path';
import { emptyExtraction, extractWorkloads, type Extraction } from '../workloads/extract.ts';
import { decodeYamlDocuments } from '../shared/kube-yaml/documents.ts';
import { DEFAULT_MAX_FILE_BYTES } from './limits.ts';

// Here as well, for the callers that read files (the CLI's option help reads limits.ts alone).
export { DEFAULT_MAX_FILE_BYTES };

export const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface ManifestOptions {
  /** Files, pipes and stdin larger than this are reported as errors instead of read. */
  readonly maxFileBytes?: number;
  /** Reads standard input for the path `-`, refusing more than `maxBytes` (throws InputTooLargeError). */
  readonly readStdin?: (maxBytes: number) => Promise<Buffer | string>;
}

/** One input file, decoded into workloads (or errors). */
export interface ManifestFile {
  readonly file: string;
  readonly extraction: Extraction;
}

/** Thrown by a bounded read when the input has more bytes than allowed. */
export class InputTooLargeError extends Error {
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    super(`input is larger than ${mib(maxBytes)} MiB`);
    this.name = 'InputTooLargeError';
    this.maxBytes = maxBytes;
  }
}

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}

function tooLarge(size: string, maxBytes: number): string {
  return `file is too large (${size} MiB; the limit is ${mib(maxBytes)} MiB): raise it with --max-file-size`;
}

/**
 * Reads a stream (stdin, a named pipe) up to `maxBytes` and no further: a pipe has no size to check
 * first, so it is counted while read, and reading stops (InputTooLargeError) once it is over.
 */
export async function readLimited(stream: AsyncIterable<Buffer | string>, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buffer.length;
    if (total > maxBytes) throw new InputTooLargeError(maxBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function errorFile(file: string, message: string, line?: number): ManifestFile {
  const extraction = emptyExtraction();
  extraction.errors.push({ source: file, message, ...(line === undefined ? {} : { line }) });
  return { file, extraction };
}

/** What a directory entry or a path is, when it is not a directory or a regular file. */
function specialKind(info: Stats): string | undefined {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return undefined;
}

/**
 * Expands PATH arguments into files: directories recursively (*.yaml, *.yml, *.json), sorted; hidden
 * directories and node_modules are not entered. Never throws; what cannot be listed becomes an error
 * naming it, and the rest is still expanded.
 *
 * - In a directory, only regular files are read: a named pipe, socket or device called `x.yaml` is
 *   never opened (a FIFO without a writer would block the scan forever) and is reported as skipped.
 *   A path named on the command line is read even when it is a pipe or character device
 *   (`scan <(kustomize build)` passes /dev/fd/63), within the size limit.
 * - Symbolic links are followed. Each real directory (device and inode) is walked once: a link back
 *   to a directory that contains it is a loop, reported and not followed; a second link to a directory
 *   already walked elsewhere is not walked again (its files are read once, under the first path).
 *   A link to nothing is reported.
 * - A directory that cannot be listed (permission denied) is reported, and its siblings still walked.
 */
export async function expandPaths(
  paths: readonly string[],
): Promise<{ files: string[]; errors: ManifestFile[] }> {
  const files: string[] = [];
  const errors: ManifestFile[] = [];
  const walked = new Map<string, string>();
  async function walk(dir: string, info: Stats, ancestors: ReadonlySet<string>): Promise<void> {
    const id = `${info.dev}:${info.ino}`;
    if (ancestors.has(id)) {
      errors.push(
        errorFile(dir, `symbolic link loop back to ${walked.get(id) ?? 'a parent directory'}: not followed`),
      );
      return;
    }
    if (walked.has(id)) return;
    walked.set(id, dir);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      errors.push(errorFile(dir, `cannot list directory: ${describeFsError(error)}`));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const inside = new Set(ancestors).add(id);
    for (const entry of entries) {
      const full = join(dir, entry.name);
      let entryInfo: Stats | undefined;
      if (entry.isSymbolicLink()) {
        try {
          entryInfo = await stat(full);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') {
            if (MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase()))
              errors.push(errorFile(full, 'broken symbolic link'));
          } else if (code === 'ELOOP') errors.push(errorFile(full, 'symbolic link loop: not followed'));
          else errors.push(errorFile(full, describeFsError(error)));
          continue;
        }
      }
      const isDirectory = entryInfo ? entryInfo.isDirectory() : entry.isDirectory();
      if (isDirectory) {
        if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
        try {
          await walk(full, entryInfo ?? (await stat(full)), inside);
        } catch (error) {
          errors.push(errorFile(full, describeFsError(error)));
        }
        continue;
      }
      if (!MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) continue;
      const isFile = entryInfo ? entryInfo.isFile() : entry.isFile();
      if (isFile) {
        files.push(full);
        continue;
      }
      const kind = entryInfo ? specialKind(entryInfo) : await lstat(full).then(specialKind, () => undefined);
      errors.push(errorFile(full, `skipped: ${kind ?? 'not a regular file'}, not a manifest file`));
    }
  }
  for (const path of paths) {
    if (path === '-') {
      files.push('-');
      continue;
    }
    try {
      const info = await stat(path);
      if (info.isDirectory()) await walk(path, info, new Set());
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
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ELOOP') return 'symbolic link loop';
  if (code === 'ENXIO') return 'no such device (a socket or a device without a driver)';
  return error instanceof Error ? error.message : String(error);
}

/** Reads one file (or `-`) and decodes it. Never throws: problems become errors naming the file. */
export async function readManifestFile(file: string, options: ManifestOptions = {}): Promise<ManifestFile> {
  const read = await readManifestText(file, options);
  return typeof read === 'string' ? decodeManifests(file, read) : read;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads one file (or `-`) without decoding it, so that a caller can read the next file while it
 * decodes this one. Never throws: the text, or the file's error.
 *
 * The file is opened non-blocking and checked on the open handle (no window between a check and the
 * open): a regular file within the size limit is read whole; a pipe or character device is read
 * until its end or the size limit (with no writer it is simply empty, never a wait); anything else is
 * refused. Text must be UTF-8 (as the YAML decoder Kubernetes uses requires) and hold no NUL byte.
 */
export async function readManifestText(
  file: string,
  options: ManifestOptions = {},
): Promise<string | ManifestFile> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let bytes: Buffer;
  try {
    if (file === '-') {
      if (!options.readStdin) return errorFile('-', 'standard input is not available');
      bytes = Buffer.from(await options.readStdin(maxBytes));
    } else {
      const read = await readBounded(file, maxBytes);
      if (typeof read === 'string') return errorFile(file, read);
      bytes = read;
    }
  } catch (error) {
    if (error instanceof InputTooLargeError)
      return errorFile(file, tooLarge(`more than ${mib(maxBytes)}`, maxBytes));
    return errorFile(file, describeFsError(error));
  }
  if (bytes.subarray(0, 8192).includes(0)) return errorFile(file, 'not a text file (binary content)');
  try {
    return UTF8.decode(bytes);
  } catch {
    return errorFile(file, 'not valid UTF-8 text');
  }
}

/** The bytes of a file, or why it was not read. */
async function readBounded(file: string, maxBytes: number): Promise<Buffer | string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (info.isDirectory()) return 'is a directory';
    if (info.isFile()) {
      if (info.size > maxBytes) return tooLarge(mib(info.size), maxBytes);
      const bytes = await handle.readFile();
      // The file may have grown between the check and the read.
      if (bytes.length > maxBytes) return tooLarge(mib(bytes.length), maxBytes);
      return bytes;
    }
    if (info.isFIFO() || info.isCharacterDevice()) return await readPipe(handle, maxBytes);
    return `not read: ${specialKind(info) ?? 'not a regular file'}`;
  } finally {
    await handle.close();
  }
}

/** Reads a non-blocking pipe or device to its end, waiting briefly while a writer has nothing yet. */
async function readPipe(handle: FileHandle, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  const buffer = Buffer.alloc(65536);
  for (;;) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    if (bytesRead === 0) return Buffer.concat(chunks);
    total += bytesRead;
    if (total > maxBytes) throw new InputTooLargeError(maxBytes);
    chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
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
