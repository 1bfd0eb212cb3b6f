/**
 * The CLI in pipelines and CI, as a real process: a reader that closes the pipe early, --fail-on's stderr
 * line, the line format, the table's defaults, SARIF from stdin, and scans that inspect nothing.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { InspectionReport } from '../../src/report/model.ts';
import { kp, kpHead } from '../support/cli.ts';
import { assertValidReport } from '../support/report-schema.ts';

// Several CLI processes per test: on a loaded 2-core machine each takes seconds.
vi.setConfig({ testTimeout: 60_000 });

const privilegedPod = (name: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  containers:\n    - {name: a, image: x, securityContext: {privileged: true}}\n`;

let dir: string;
let big: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kp-cli-pipe-'));
  // Far more output than a pipe buffers (64 KiB), so the writer is still writing when the reader leaves.
  big = join(dir, 'big.yaml');
  await writeFile(big, Array.from({ length: 400 }, (_, i) => privilegedPod(`p${i}`)).join('---\n'));
  await mkdir(join(dir, 'empty'));
  await writeFile(
    join(dir, 'service.yaml'),
    'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n',
  );
  await writeFile(
    join(dir, 'expired.yaml'),
    'exemptions:\n  - rules: [privileged]\n    namespaces: [shop]\n    reason: debugging OPS-9\n    expires: 2020-01-31\n',
  );
});

describe('a reader that stops early', () => {
  for (const format of ['json', 'sarif', 'table', 'line', 'html']) {
    it(`scan -o ${format} | head -c 200: status 0 and nothing on stderr`, async () => {
      const { status, got, stderr } = await kpHead(['scan', big, '-o', format, '--fail-on', 'low'], 200);
      expect(got.length).toBe(200);
      expect(stderr).not.toMatch(/EPIPE|Error|at /);
      expect(status).toBe(0);
    });
  }
});

describe('--fail-on', () => {
  it('names on stderr how many findings at which severities tripped it', () => {
    const { status, stdout, stderr } = kp(['scan', 'examples/', '--fail-on', 'high', '-o', 'json']);
    expect(status).toBe(1);
    const { critical, high } = (JSON.parse(stdout) as InspectionReport).summary.bySeverity;
    expect(critical).toBeGreaterThan(0);
    expect(stderr.split('\n')).toContain(
      `kube-patrol: --fail-on high: ${critical + high} unexempted findings at or above high (${critical} critical, ${high} high)`,
    );
    const pass = kp(['scan', 'examples/hardened-deployment.yaml', '--fail-on', 'high']);
    expect(pass.status).toBe(0);
    expect(pass.stderr).not.toContain('--fail-on');
  });
});

describe('-o line and --min-severity', () => {
  it('prints one unexempted finding per line: file:line, severity, rule, workload, message', () => {
    const { status, stdout } = kp(['scan', 'examples/', '-o', 'line']);
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    const report = JSON.parse(kp(['scan', 'examples/', '-o', 'json']).stdout) as InspectionReport;
    expect(lines).toHaveLength(report.summary.findings);
    expect(lines).toContain(
      'examples/insecure-deployment.yaml:34: critical privileged Deployment shop/web[log-shipper]: Container "log-shipper" runs privileged: it has every capability and the host\'s devices.',
    );
    // The annotation-exempted finding of examples/legacy-pod.json is not a line.
    expect(stdout).not.toMatch(/image-tag-mutable Pod default\/legacy/);
  });

  it('filters what is listed, not what is counted', () => {
    const high = kp(['scan', 'examples/', '-o', 'line', '--min-severity', 'high'])
      .stdout.trimEnd()
      .split('\n');
    const counts = (JSON.parse(kp(['scan', 'examples/', '-o', 'json']).stdout) as InspectionReport).summary;
    const { critical, high: highs, medium, low } = counts.bySeverity;
    expect(high).toHaveLength(critical + highs);
    expect(high.every((l) => / (critical|high) /.test(l))).toBe(true);
    const table = kp(['scan', 'examples/', '--min-severity', 'critical']).stdout;
    expect(table).not.toMatch(/^ {2}HIGH /m);
    expect(table).toContain(`Findings: ${counts.findings} (`);
    expect(table).toContain(
      `Not shown: ${highs} high, ${medium} medium, ${low} low (--min-severity low lists them)`,
    );
    expect(kp(['scan', 'examples/', '--min-severity', 'severe']).status).toBe(2);
  });

  it('the table lists medium and up by default, counts the rest, and lists exempted findings apart', () => {
    const { stdout } = kp(['scan', 'examples/']);
    const report = JSON.parse(kp(['scan', 'examples/', '-o', 'json']).stdout) as InspectionReport;
    expect(stdout).not.toMatch(/^ {2}LOW /m);
    expect(stdout).toMatch(/^ {2}MEDIUM /m);
    expect(stdout).toContain(
      `Not shown: ${report.summary.bySeverity.low} low (--min-severity low lists them)`,
    );
    expect(stdout).toContain(`Exempted findings (${report.summary.exempted}):\n`);
    expect(stdout).toMatch(
      /^ {2}image-tag-mutable +Pod default\/legacy \[app\] {2}annotation: Pinned by the release pipeline/m,
    );
    expect(stdout.split('\n').length).toBeLessThan(120);
    expect(kp(['scan', 'examples/', '--min-severity', 'info']).stdout).toMatch(/^ {2}LOW /m);
  });

  it('marks a finding whose exemption expired', () => {
    const { stdout } = kp([
      'scan',
      'examples/insecure-deployment.yaml',
      '--config',
      join(dir, 'expired.yaml'),
    ]);
    expect(stdout).toMatch(/CRITICAL privileged .*\[exemption expired 2020-01-31: debugging OPS-9\]/);
    const line = kp([
      'scan',
      'examples/insecure-deployment.yaml',
      '-o',
      'line',
      '--config',
      join(dir, 'expired.yaml'),
    ]);
    expect(line.stdout).toMatch(/: critical privileged .* \(exemption expired 2020-01-31\)$/m);
  });
});

describe('SARIF from stdin', () => {
  it('names the artifact `stdin`, with the line', () => {
    const { stdout } = kp(['scan', '-', '-o', 'sarif'], privilegedPod('s'));
    const sarif = JSON.parse(stdout) as {
      runs: {
        results: {
          ruleId: string;
          locations: {
            physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number } };
          }[];
        }[];
      }[];
    };
    const result = sarif.runs[0]!.results.find((r) => r.ruleId === 'privileged')!;
    expect(result.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'stdin' },
      region: { startLine: 6 },
    });
  });
});

describe('scans that inspect nothing', () => {
  const cases = [
    ['an empty directory', () => join(dir, 'empty'), 'files read: 0'],
    [
      'a file with only a Service',
      () => join(dir, 'service.yaml'),
      'only objects without a pod template (Service 1)',
    ],
  ] as const;
  for (const [what, path, detail] of cases) {
    it(`${what}: a warning, no score; under --fail-on a failure unless --allow-empty`, () => {
      const plain = kp(['scan', path()]);
      expect(plain.status).toBe(0);
      expect(plain.stderr).toContain('kube-patrol: warning: no workload inspected');
      expect(plain.stdout).toContain('Score: —/100');
      expect(plain.stdout).not.toMatch(/100\/100|No findings/);
      expect(`${plain.stdout}${plain.stderr}`).toContain(detail);
      expect(kp(['scan', path(), '--fail-on', 'high']).status).toBe(2);
      expect(kp(['scan', path(), '--fail-on', 'high']).stderr).toContain('--allow-empty');
      expect(kp(['scan', path(), '--fail-on', 'high', '--allow-empty']).status).toBe(0);
    });
  }

  it('no score in JSON, SARIF and HTML, and no "nothing to fix"', async () => {
    const json = JSON.parse(kp(['scan', join(dir, 'service.yaml'), '-o', 'json']).stdout) as InspectionReport;
    assertValidReport(json);
    expect(json.summary.score).toBeNull();
    expect(json.coverage).toEqual({
      partial: false,
      kindsListed: [],
      denied: [],
      workloadsInspected: 0,
      namespacesSeen: 0,
      filesRead: 1,
    });
    expect(json.summary.scoreWithheld).toBe('empty');
    const sarif = JSON.parse(kp(['scan', join(dir, 'service.yaml'), '-o', 'sarif']).stdout) as {
      runs: {
        properties: Record<string, unknown>;
        invocations: {
          executionSuccessful: boolean;
          toolExecutionNotifications: { message: { text: string } }[];
        }[];
      }[];
    };
    expect(sarif.runs[0]!.properties).toMatchObject({ score: null, scoreWithheld: 'empty' });
    expect(sarif.runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
    expect(sarif.runs[0]!.invocations[0]!.toolExecutionNotifications.map((n) => n.message.text)).toContain(
      'no workload inspected: no verdict',
    );
    const out = join(dir, 'out');
    kp(['scan', join(dir, 'service.yaml'), '--out-dir', out]);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).not.toContain('nothing to fix');
    expect(html).not.toMatch(/class="num">\d+</);
    expect(html).toContain('Nothing was inspected, so there is no verdict.');
  });

  it('a scan with some workloads keeps its score, and says what it covered', () => {
    const json = JSON.parse(kp(['scan', 'examples/', '-o', 'json']).stdout) as InspectionReport;
    // 5 workloads and the 3 Namespaces that namespace-pss-unenforced inspects (objects count in the mean).
    expect(json.summary.score).toBe(54);
    expect(json.coverage).toMatchObject({ partial: false, denied: [], workloadsInspected: 5, filesRead: 5 });
    expect(json.coverage?.kindsListed).toEqual(['CronJob', 'DaemonSet', 'Deployment', 'Pod']);
    expect(kp(['scan', 'examples/']).stdout).toContain('Coverage: workloads inspected: 5 · files read: 5');
  });

  it('a file that cannot be parsed leaves the scan incomplete: no score, exit 2', async () => {
    const bad = join(dir, 'partial');
    await mkdir(bad);
    await writeFile(join(bad, 'ok.yaml'), privilegedPod('ok'));
    await writeFile(join(bad, 'broken.yaml'), 'kind: Pod\nmetadata: {name: [oops\n');
    const { status, stdout } = kp(['scan', bad, '-o', 'json']);
    expect(status).toBe(2);
    const report = JSON.parse(stdout) as InspectionReport;
    expect(report.coverage).toMatchObject({ partial: true, workloadsInspected: 1, filesRead: 2 });
    expect(report.summary.scoreWithheld).toBe('partial');
    expect(report.summary.score).toBeNull();
  });

  it('-n with a PATH is an error, not silently ignored', () => {
    const { status, stderr } = kp(['scan', 'examples/', '-n', 'shop']);
    expect(status).toBe(2);
    expect(stderr).toContain('-n applies to cluster scans');
  });
});
