/** The CLI as a user runs it: a real process, real files, exit codes per the contract. */
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kp } from '../support/cli.ts';
import type { InspectionReport } from '../../src/report/model.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kp-cli-'));
  await writeFile(join(dir, 'invalid.yaml'), 'kind: Pod\nmetadata: {name: [oops\n');
  await writeFile(
    join(dir, 'wrong-types.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata: {name: wrong}\nspec:\n  containers: "x"\n',
  );
  await writeFile(
    join(dir, 'no-spec.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nospec}\n',
  );
  await writeFile(join(dir, 'bad-config.yaml'), 'rules:\n  privilegd: off\n');
  await writeFile(
    join(dir, 'bad-key-config.yaml'),
    'exemptions:\n  - rules: [privileged]\n    reason: x\n    namespace: [a]\n',
  );
});

describe('kube-patrol scan', () => {
  it('scans the examples: findings for the insecure ones, none at PSS level for the hardened one', () => {
    const { status, stdout } = kp(['scan', 'examples/', '-o', 'json']);
    expect(status).toBe(0);
    const report = JSON.parse(stdout) as InspectionReport;
    expect(report.kind).toBe('InspectionReport');
    expect(report.metadata.source).toBe('manifests');
    const byWorkload = (name: string) =>
      report.findings.filter((f) => f.workload.name === name && !f.exempted);
    expect(byWorkload('web').length).toBeGreaterThan(0);
    expect(byWorkload('api').filter((f) => f.pss !== null)).toEqual([]);
    // examples/00-namespaces.yaml and payments: inspected by namespace-pss-unenforced, no longer skipped.
    expect(report.summary.skipped).toEqual({});
    expect(report.summary.objects).toBe(3);
    const privileged = report.findings.find((f) => f.ruleId === 'privileged');
    expect(privileged).toMatchObject({
      workload: { kind: 'Deployment', namespace: 'shop', name: 'web' },
      container: 'log-shipper',
      path: 'spec.template.spec.containers[1].securityContext.privileged',
      source: { file: 'examples/insecure-deployment.yaml', line: 34 },
    });
  });

  it('exits 1 when a finding is at or above --fail-on, 0 when none is', () => {
    expect(kp(['scan', 'examples/insecure-deployment.yaml', '--fail-on', 'critical']).status).toBe(1);
    expect(kp(['scan', 'examples/hardened-deployment.yaml', '--fail-on', 'high']).status).toBe(0);
  });

  it('reads stdin with -', () => {
    const input =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: s}\nspec:\n  containers:\n    - {name: a, image: x, securityContext: {privileged: true}}\n';
    const { status, stdout } = kp(['scan', '-', '-o', 'json', '--fail-on', 'critical'], input);
    expect(status).toBe(1);
    expect(
      (JSON.parse(stdout) as InspectionReport).findings.some(
        (f) => f.ruleId === 'privileged' && f.source?.file === '-',
      ),
    ).toBe(true);
  });

  it('exits 2 on unreadable input, names each bad file, and still scans the rest', () => {
    const { status, stdout, stderr } = kp([
      'scan',
      dir,
      'examples/insecure-deployment.yaml',
      'missing.yaml',
      '-o',
      'json',
    ]);
    expect(status).toBe(2);
    const report = JSON.parse(stdout) as InspectionReport;
    const sources = report.errors.map((e) => e.source);
    expect(sources).toContain('missing.yaml');
    expect(sources).toContain(join(dir, 'invalid.yaml'));
    expect(sources).toContain(`${join(dir, 'wrong-types.yaml')} (Pod wrong)`);
    expect(sources).toContain(`${join(dir, 'no-spec.yaml')} (Deployment nospec)`);
    expect(report.errors.find((e) => e.source.includes('wrong-types'))?.message).toMatch(/spec\.containers/);
    expect(report.findings.some((f) => f.workload.name === 'web')).toBe(true);
    expect(stderr).toContain('missing.yaml: no such file or directory');
    expect(stderr).toContain('invalid.yaml');
  });

  it('exits 2 with the bad key named for an invalid config', () => {
    const unknownRule = kp(['scan', 'examples/', '--config', join(dir, 'bad-config.yaml')]);
    expect(unknownRule.status).toBe(2);
    expect(unknownRule.stderr).toContain('rules.privilegd: unknown rule id');
    const unknownKey = kp(['scan', 'examples/', '--config', join(dir, 'bad-key-config.yaml')]);
    expect(unknownKey.status).toBe(2);
    expect(unknownKey.stderr).toContain('exemptions[0].namespace: unknown key');
  });

  it('exits 2 on a bad flag value', () => {
    expect(kp(['scan', 'examples/', '--pss-version', 'v1.2']).status).toBe(2);
    expect(kp(['scan', 'examples/', '--fail-on', 'severe']).status).toBe(2);
  });

  it('applies config severity overrides and exemptions', async () => {
    const config = join(dir, 'config.yaml');
    await writeFile(
      config,
      'rules:\n  privileged: low\nexemptions:\n  - rules: [privileged]\n    namespaces: [monitoring]\n    reason: node agent\n',
    );
    const report = JSON.parse(
      kp(['scan', 'examples/', '-o', 'json', '--config', config]).stdout,
    ) as InspectionReport;
    expect(report.findings.filter((f) => f.ruleId === 'privileged').map((f) => f.severity)).toEqual(['low']);
    expect(report.rules.find((r) => r.id === 'privileged')?.severity).toBe('low');
  });

  it('writes report.json into --out-dir', async () => {
    const out = join(dir, 'out');
    expect(kp(['scan', 'examples/', '--out-dir', out, '-o', 'table']).status).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as InspectionReport;
    expect(report.summary.workloads).toBe(5);
  });

  it('prints a table grouped by workload', () => {
    const { stdout } = kp(['scan', 'examples/insecure-deployment.yaml']);
    expect(stdout).toMatch(/^Deployment shop\/web {2}Score \d+/m);
    expect(stdout).toContain('CRITICAL privileged');
    expect(stdout).not.toContain('\u001b[');
  });
});

describe('kube-patrol rules', () => {
  it('lists rules and prints one rule in Chinese', () => {
    expect(kp(['rules']).stdout).toMatch(/^privileged\s+critical\s+baseline\s+Privileged container$/m);
    const doc = kp(['rules', 'privileged', '--lang', 'zh-CN']);
    expect(doc.stdout).toContain('特权容器');
    expect(kp(['rules', 'nope']).status).toBe(2);
  });
});
