import { execFileSync } from 'node:child_process';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');

/**
 * Builds one tool of hack/testbin (`build.sh <name>`: psa-eval, yaml-eval, ...) if its stamp is stale,
 * and returns the path of the binary. Progress goes to the test's stderr.
 */
export function testbinTool(name: string): string {
  const out = execFileSync('bash', [path.join(repo, 'hack/testbin/build.sh'), name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return path.join(out.trim().split('\n').at(-1) ?? '', name);
}
