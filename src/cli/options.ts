import { InvalidArgumentError } from 'commander';
import { isSeverity, type Severity } from '../engine/severity.ts';
import { LANGUAGES, type Language } from '../engine/i18n.ts';

export function parseSeverityOption(value: string): Severity {
  if (!isSeverity(value) || value === 'info')
    throw new InvalidArgumentError('expected critical, high, medium or low');
  return value;
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

export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
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
        stream.once('drain', resolve);
        stream.once('close', resolve);
      });
  }
  await new Promise<void>((resolve, reject) =>
    stream.write('', (error) => (error ? reject(error) : resolve())),
  );
}
