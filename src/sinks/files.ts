import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Writes rendered files (`report.json`, `report.html`, ...) into `dir`; returns their absolute paths. */
export async function writeReportFiles(
  dir: string,
  files: Readonly<Record<string, string>>,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const path = resolve(join(dir, name));
    await writeFile(path, content);
    written.push(path);
  }
  return written;
}
