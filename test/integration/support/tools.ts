// Ecosystem tools built from their Go modules by hack/tools/build.sh (cached under
// ~/.cache/kube-patrol/tools; the first build prints its progress and time on stderr).
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../harness/controlplane.ts';

export type Tool = 'helm' | 'promtool' | 'actionlint';

/** The first build can take many minutes on a small machine (helm ~15 min on 2 busy cores). */
export const TOOL_BUILD_TIMEOUT_MS = 40 * 60_000;

export function buildTool(tool: Tool): string {
  const out = execFileSync(join(repoRoot, 'hack', 'tools', 'build.sh'), [tool], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').at(-1)!;
}

export function run(
  bin: string,
  args: readonly string[],
  options: { cwd?: string; input?: string } = {},
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(bin, args, {
    cwd: options.cwd ?? repoRoot,
    encoding: 'utf8',
    input: options.input,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
