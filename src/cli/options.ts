import { InvalidArgumentError } from 'commander';
import { isSeverity, type Severity } from '../engine/severity.ts';
import { LANGUAGES, type Language } from '../engine/i18n.ts';
import { terminalText } from '../shared/terminal-text.ts';

export function parseSeverityOption(value: string): Severity {
  if (!isSeverity(value) || value === 'info')
    throw new InvalidArgumentError('expected critical, high, medium or low');
  return value;
}

/** `--max-file-size` in MiB (fractions allowed), as bytes. */
export function parseMiBOption(value: string): number {
  const mib = Number(value);
  if (!Number.isFinite(mib) || mib <= 0 || mib > 4096)
    throw new InvalidArgumentError('expected a size in MiB, more than 0 and at most 4096');
  return Math.round(mib * 1048576);
}

/** --min-severity: any severity, info included (info lists everything). */
export function parseMinSeverityOption(value: string): Severity {
  if (!isSeverity(value)) throw new InvalidArgumentError('expected critical, high, medium, low or info');
  return value;
}

export function parseLanguageOption(value: string): Language {
  if (!(LANGUAGES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${LANGUAGES.join(', ')}`);
  return value as Language;
}

/** Standard input, refusing more than `maxBytes` (InputTooLargeError); decoded by the caller. */
export async function readAllStdin(maxBytes: number): Promise<Buffer> {
  // Imported here: the option parsers above are loaded to build the command tree, the manifest reader is not.
  const { readLimited } = await import('../sources/manifests.ts');
  return readLimited(process.stdin, maxBytes);
}

/** Writes to stdout and resolves once the data is flushed (large reports piped to another process). */
export function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

/** Writes text pieces to a stream, waiting for it to drain, and resolves once everything is flushed. */
export async function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    // A reader that went away never drains: wait for 'close' too (the write's error ends the process).
    if (!stream.write(chunk))
      await new Promise<void>((resolve) => {
        // Both listeners go once either fires: a long report waits for drain thousands of times, and
        // 'close' listeners left behind pile up (MaxListenersExceededWarning).
        const done = () => {
          stream.off('drain', done);
          stream.off('close', done);
          resolve();
        };
        stream.once('drain', done);
        stream.once('close', done);
      });
  }
  await new Promise<void>((resolve, reject) =>
    stream.write('', (error) => (error ? reject(error) : resolve())),
  );
}

/**
 * Writes `kube-patrol: <message>` on stderr. Every part of the message may come from a file, the
 * cluster or a stored report, so it is shown with its control characters escaped (terminal-text.ts).
 */
export function writeError(message: string): void {
  process.stderr.write(`kube-patrol: ${terminalText(message)}\n`);
}
