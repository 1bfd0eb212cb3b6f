// The upstream report CRDs (OpenReports and wgpolicyk8s PolicyReports) fetched from their Go modules by
// hack/tools/build.sh crds, and installed on the test control plane so that its schema validation checks
// every report object kube-patrol writes.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../harness/controlplane.ts';
import { applyServerSide } from './kustomize.ts';

export const REPORT_CRDS = [
  'reports.openreports.io',
  'clusterreports.openreports.io',
  'policyreports.wgpolicyk8s.io',
  'clusterpolicyreports.wgpolicyk8s.io',
] as const;

/** The directory of the four CRD files (fetched on first use; cached). */
export function reportCrdDir(): string {
  const out = execFileSync(join(repoRoot, 'hack', 'tools', 'build.sh'), ['crds'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').at(-1)!;
}

/** Applies the CRDs (idempotent) and waits until the API server serves them. */
export function installReportCrds(kubeconfig: string): void {
  const dir = reportCrdDir();
  const yaml = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `---\n${readFileSync(join(dir, f), 'utf8')}`)
    .join('\n');
  const applied = applyServerSide(kubeconfig, yaml);
  if (applied.status !== 0) throw new Error(`applying the report CRDs failed:\n${applied.stderr}`);
  const wait = spawnSync(
    'kubectl',
    [
      '--kubeconfig',
      kubeconfig,
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      ...REPORT_CRDS.map((c) => `crd/${c}`),
    ],
    { encoding: 'utf8' },
  );
  if (wait.status !== 0) throw new Error(`the report CRDs did not become established:\n${wait.stderr}`);
}
