/** `scan --workers` as a user runs it: the CLI process from the sources, its real worker threads. */
import { describe, expect, it } from 'vitest';
import type { InspectionReport } from '../../src/report/model.ts';
import { kp } from '../support/cli.ts';

/** The report without the one field that differs between any two runs (and the clock). */
function timeless(stdout: string): string {
  const report = JSON.parse(stdout) as InspectionReport;
  return JSON.stringify({ ...report, metadata: { ...report.metadata, durationMs: 0, generatedAt: '' } });
}

describe('kube-patrol scan --workers', () => {
  it('gives the report of a single-threaded scan, JSON and SARIF, from the flag and from the environment', () => {
    // Manifests of every sort in this repository, Helm templates among them (errors on stderr, exit 2).
    const args = ['scan', 'examples/', 'manifests/', 'charts/', '--fail-on', 'critical'];
    const single = kp([...args, '-o', 'json', '--workers', '0']);
    const flag = kp([...args, '-o', 'json', '--workers', '2']);
    const env = kp([...args, '-o', 'json'], undefined, { KUBE_PATROL_WORKERS: '3' });
    expect(single.status).toBe(2);
    expect(single.stderr).not.toBe('');
    expect(JSON.parse(single.stdout).findings.length).toBeGreaterThan(0);
    for (const run of [flag, env]) {
      expect(run.status).toBe(single.status);
      expect(run.stderr).toBe(single.stderr);
      expect(timeless(run.stdout)).toBe(timeless(single.stdout));
    }
    // SARIF names the time the scan ended, the only difference between two runs.
    const sarif = (workers: string) =>
      kp([...args, '-o', 'sarif', '--workers', workers]).stdout.replace(/"(start|end)TimeUtc": "[^"]*"/g, '');
    expect(sarif('2')).toBe(sarif('0'));
  }, 120_000);

  it('refuses a --workers that is not auto or a count, and names a bad environment value', () => {
    const bad = kp(['scan', 'examples/', '--workers', 'many']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('expected auto or a number of worker threads');
    const env = kp(['scan', 'examples/', '-o', 'json'], undefined, { KUBE_PATROL_WORKERS: '-1' });
    expect(env.stderr).toContain('KUBE_PATROL_WORKERS=-1 is not auto or a number of worker threads: ignored');
    expect(JSON.parse(env.stdout).summary.workloads).toBeGreaterThan(0);
  }, 60_000);
});
