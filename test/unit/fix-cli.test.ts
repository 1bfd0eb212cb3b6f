/**
 * `kube-patrol fix` as a user runs it, on a copy of examples/ (issue 16's "done when"): --write removes
 * every safe finding and the files change only where a fix applies; --diff changes nothing and its diff
 * turns the files into what --write writes; a file that cannot be parsed is left alone, the others fixed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InspectionReport } from '../../src/report/model.ts';
import { kp, root } from '../support/cli.ts';

function copyExamples(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kp-fix-'));
  cpSync(join(root, 'examples'), join(dir, 'deploy'), { recursive: true });
  return join(dir, 'deploy');
}

function scan(dir: string, inputErrors = false): InspectionReport {
  const result = kp(['scan', dir, '-o', 'json']);
  if (!inputErrors) expect(result.status, result.stderr).not.toBe(2);
  return JSON.parse(result.stdout) as InspectionReport;
}

function texts(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

/** Findings by rule, workload and container (a fix may move a finding to another field of the same). */
function tally(findings: InspectionReport['findings']): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) {
    const key = `${f.ruleId} ${f.workload.kind}/${f.workload.namespace ?? ''}/${f.workload.name} ${f.container ?? '-'}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function removedLines(before: string, after: string): string[] {
  const kept = new Set(after.split('\n'));
  return before.split('\n').filter((line) => !kept.has(line));
}

// Each case runs the CLI several times.
describe('kube-patrol fix on the examples', { timeout: 60_000 }, () => {
  it('--write removes every safe finding, and only those; files change only where a fix applies', () => {
    const dir = copyExamples();
    const original = texts(dir);
    const before = scan(dir);
    const safe = before.findings.filter((f) => f.fix?.safety === 'safe' && !f.exempted);
    expect(safe.length).toBeGreaterThanOrEqual(5);

    const run = kp(['fix', dir, '--write']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`${safe.length} findings fixed \\(safe fixes\\) in 3 files`));

    const after = scan(dir);
    expect(after.findings.filter((f) => f.fix?.safety === 'safe' && !f.exempted)).toEqual([]);
    expect(tally(after.findings)).toEqual(tally(before.findings.filter((f) => !safe.includes(f))));

    const fixed = texts(dir);
    // No fix applies to these: byte-identical.
    expect(fixed.get('00-namespaces.yaml')).toBe(original.get('00-namespaces.yaml'));
    expect(fixed.get('hardened-deployment.yaml')).toBe(original.get('hardened-deployment.yaml'));
    // The only lines gone are the deprecated annotation and the JSON lines that gained a comma.
    const removed = Object.fromEntries(
      [...original].map(([name, text]) => [name, removedLines(text, fixed.get(name) as string)]),
    );
    expect(removed).toEqual({
      '00-namespaces.yaml': [],
      'hardened-deployment.yaml': [],
      'insecure-daemonset.yaml': [],
      'insecure-deployment.yaml': [
        '      annotations:',
        '        seccomp.security.alpha.kubernetes.io/pod: runtime/default',
      ],
      'legacy-pod.json': [
        '      "container.apparmor.security.beta.kubernetes.io/app": "unconfined",',
        '          "procMount": "Unmasked"',
        '    ]',
      ],
    });
    // Every line added sets a fixed field (or closes what one opened).
    const added = [...original].flatMap(([name, text]) => removedLines(fixed.get(name) as string, text));
    for (const line of added)
      expect(line).toMatch(
        /securityContext|seccompProfile|type: RuntimeDefault|"type": "(RuntimeDefault|Unconfined)"|allowPrivilegeEscalation|appArmorProfile|"procMount": "Unmasked",|^\s*[}\]],?$/,
      );

    // Fixed once, nothing is left to fix: a second run changes nothing.
    const again = kp(['fix', dir, '--write']);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/nothing to fix/);
    expect(texts(dir)).toEqual(fixed);
  });

  it('--diff changes nothing, exits 1, and its diff applied with patch -p1 gives what --write writes', () => {
    const dir = copyExamples();
    const original = texts(dir);
    // Run from inside the copy so that the diff's paths are relative to it.
    const inside = spawnSync(
      process.execPath,
      [join(root, 'src/cli/main.ts'), 'fix', '.', '--diff', '--include-review'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    expect(inside.status).toBe(1);
    expect(inside.stdout).toMatch(
      /^--- a\/insecure-daemonset\.yaml\n\+\+\+ b\/insecure-daemonset\.yaml\n@@ /,
    );
    expect(texts(dir)).toEqual(original);

    const written = copyExamples();
    expect(kp(['fix', written, '--write', '--include-review']).status).toBe(0);
    const applied = spawnSync('patch', ['-p1', '--quiet'], {
      cwd: dir,
      input: inside.stdout,
      encoding: 'utf8',
    });
    expect(applied.status, applied.stderr + applied.stdout).toBe(0);
    expect(texts(dir)).toEqual(texts(written));
    // With review fixes too, no finding that has a fix is left.
    expect(scan(written).findings.filter((f) => f.fix && !f.exempted)).toEqual([]);
  });

  it('without --diff or --write says what would change and changes nothing', () => {
    const dir = copyExamples();
    const original = texts(dir);
    const run = kp(['fix', dir]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      'insecure-deployment.yaml: Deployment shop/web: privilege-escalation, seccomp-annotation-deprecated, seccomp-profile-missing',
    );
    expect(run.stdout).toMatch(/--diff shows the changes, --write makes them/);
    expect(texts(dir)).toEqual(original);
  });

  it('--rules fixes only those rules; an unknown rule or one without a fix is an error', () => {
    const dir = copyExamples();
    const run = kp(['fix', dir, '--write', '--rules', 'privilege-escalation']);
    expect(run.status).toBe(0);
    const after = scan(dir);
    expect(
      after.findings.filter((f) => f.ruleId === 'privilege-escalation' && f.fix?.safety === 'safe'),
    ).toEqual([]);
    expect(
      after.findings.some((f) => f.ruleId === 'seccomp-profile-missing' && f.fix?.safety === 'safe'),
    ).toBe(true);
    expect(kp(['fix', dir, '--rules', 'no-such-rule'])).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/unknown rule "no-such-rule"/),
    });
    expect(kp(['fix', dir, '--rules', 'host-pid'])).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/"host-pid" has no machine fix/),
    });
    expect(kp(['fix', dir, '--diff', '--write'])).toMatchObject({ status: 2 });
    expect(kp(['fix', '-', '--write'], '')).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/standard input/),
    });
  });

  it('leaves a file that cannot be parsed untouched, names it, fixes the others and exits 2', () => {
    const dir = copyExamples();
    const broken = 'apiVersion: v1\nkind: Pod\nmetadata: { name: broken\nspec: [\n';
    writeFileSync(join(dir, 'broken.yaml'), broken);
    const run = kp(['fix', dir, '--write']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/broken\.yaml(:\d+)?: invalid YAML/);
    expect(readFileSync(join(dir, 'broken.yaml'), 'utf8')).toBe(broken);
    expect(scan(dir, true).findings.filter((f) => f.fix?.safety === 'safe' && !f.exempted)).toEqual([]);
  });

  it('reads standard input for --diff', () => {
    const text = readFileSync(join(root, 'examples/insecure-deployment.yaml'), 'utf8');
    const run = kp(['fix', '-', '--diff'], text);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^--- a\/-\n\+\+\+ b\/-\n/);
    expect(run.stdout).toContain(
      '             runAsUser: 0\n             capabilities:\n               add: ["NET_ADMIN", "SYS_TIME"]\n+            allowPrivilegeEscalation: false\n',
    );
  });
});
