/** The CLI as a user runs it, for tests: a real process from the sources, its status and output. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/version.ts';

export const root = projectRoot();
export const cli = join(root, 'src', 'cli', 'main.ts');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `kube-patrol ARGS` from the project root (NO_COLOR), with `input` on stdin. */
export function kp(args: readonly string[], input?: string, env: NodeJS.ProcessEnv = {}): CliResult {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs the CLI with stdout on a real pipe, reads `bytes` of it and closes the read end, as `| head -c`
 * does: the writer meets a closed pipe while it still has output.
 */
export function kpHead(
  args: readonly string[],
  bytes: number,
): Promise<{ status: number | null; got: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let got = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.length >= bytes) child.stdout.destroy();
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, got: got.slice(0, bytes), stderr }));
  });
}

/** `scan ARGS --out-dir TMP`: the path of the report.html it wrote (exit 0 or 1 expected). */
export function scanToHtml(args: readonly string[]): string {
  const out = mkdtempSync(join(tmpdir(), 'kp-html-'));
  const result = spawnSync(process.execPath, [cli, 'scan', ...args, '--out-dir', out, '-o', 'json'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0 && result.status !== 1)
    throw new Error(`scan failed (${result.status}): ${result.stderr}`);
  return join(out, 'report.html');
}
