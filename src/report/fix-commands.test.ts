import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FindingFix } from '../engine/fix.ts';
import { fixCommands, kubectlPatchCommand, shellQuote } from './fix-commands.ts';
import type { ReportFinding } from './model.ts';

/** The words a POSIX shell makes of a command line. */
function shellWords(line: string): string[] {
  const run = spawnSync('sh', ['-c', `set -- ${line}; for w in "$@"; do printf '%s\\0' "$w"; done`], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout.split('\0').slice(0, -1);
}

const finding = (
  ruleId: string,
  fix: FindingFix | undefined,
  over: Partial<ReportFinding> = {},
): ReportFinding =>
  ({
    id: ruleId,
    ruleId,
    severity: 'medium',
    category: 'pod-security',
    pss: null,
    workload: { kind: 'Deployment', namespace: 'shop', name: 'web' },
    container: 'app',
    path: 'spec',
    messageId: 'm',
    data: {},
    message: '',
    remediation: '',
    ...(fix ? { fix } : {}),
    ...over,
  }) as ReportFinding;

describe('shellQuote', () => {
  it('gives back any word through sh, quotes and newlines included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', "'", '"', ' ', '$', '\\', '\n', '*', '{', '-') }), {
          minLength: 1,
          maxLength: 4,
        }),
        (words) => {
          const clean = words.filter((w) => w !== '');
          if (clean.length === 0) return true;
          expect(shellWords(clean.map(shellQuote).join(' '))).toEqual(clean);
          return true;
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('kubectlPatchCommand and fixCommands', () => {
  it('names the resource with its group and passes the patch as one JSON word', () => {
    const patch = { spec: { template: { metadata: { annotations: { "it's": null } } } } };
    const command = kubectlPatchCommand({ kind: 'Deployment', namespace: 'shop', name: 'web' }, patch);
    expect(command.startsWith('kubectl patch deployments.apps web -n shop --type=strategic -p ')).toBe(true);
    const words = shellWords(command);
    expect(JSON.parse(words.at(-1) as string)).toEqual(patch);
    expect(kubectlPatchCommand({ kind: 'Pod', namespace: null, name: 'p' }, {})).toBe(
      "kubectl patch pods p --type=strategic -p '{}'",
    );
  });

  it('combines a workload’s fixes: one command with the safe ones, one with all; exempted findings are left out', () => {
    const safe = (n: string): FindingFix => ({ safety: 'safe', patch: { spec: { [n]: 1 } } });
    const commands = fixCommands([
      finding('a', safe('a')),
      finding('b', { safety: 'review', patch: { spec: { b: 2 } } }),
      finding('c', safe('c'), { exempted: { by: 'config', reason: 'r' } }),
      finding('d', undefined),
      finding('e', safe('e'), { workload: { kind: 'CronJob', namespace: 'shop', name: 'nightly' } }),
    ]);
    expect(commands.map((c) => [c.kind, c.safeRules, c.reviewRules, c.all !== null])).toEqual([
      ['Deployment', ['a'], ['b'], true],
      ['CronJob', ['e'], [], false],
    ]);
    expect(JSON.parse(shellWords(commands[0]?.safe as string).at(-1) as string)).toEqual({ spec: { a: 1 } });
    expect(JSON.parse(shellWords(commands[0]?.all as string).at(-1) as string)).toEqual({
      spec: { a: 1, b: 2 },
    });
    expect(commands[1]?.safe).toMatch(/^kubectl patch cronjobs\.batch nightly -n shop /);
  });
});
