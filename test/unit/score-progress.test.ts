/**
 * A fix always shows: a workload with more than 100 points of findings sits at score 0, and removing one
 * critical leaves it there; the points lost (summary.penalty, the table's figure) still go down by 40.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanManifests } from '../../src/pipeline/scan-manifests.ts';
import { resolveSettings } from '../../src/pipeline/settings.ts';
import { renderTable } from '../../src/report/render/table.ts';
import { REGISTRY } from '../support/registry.ts';
import { assertValidReport } from '../support/report-schema.ts';

const pod = (privileged: boolean) => `apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: ops}
spec:
  hostPID: true
  hostNetwork: true
  hostIPC: true
  containers:
    - name: a
      image: agent:latest
      securityContext:
        privileged: ${privileged}
        capabilities: {add: [SYS_ADMIN]}
`;

async function scan(text: string) {
  const dir = await mkdtemp(join(tmpdir(), 'kp-score-'));
  await writeFile(join(dir, 'pod.yaml'), text);
  const settings = resolveSettings(REGISTRY, {}, {}, new Date('2026-12-01T00:00:00Z'));
  return (await scanManifests([dir], settings)).report;
}

describe('score progress past the floor', () => {
  it('points lost fall by the fixed rule even when the score stays at 0', async () => {
    const before = await scan(pod(true));
    const after = await scan(pod(false));
    assertValidReport(JSON.parse(JSON.stringify(after)));
    expect(before.workloads[0]!.score).toBe(0);
    expect(after.workloads[0]!.score).toBe(0);
    expect(before.summary.penalty).toBeGreaterThan(100);
    expect(before.summary.penalty! - after.summary.penalty!).toBe(40); // privileged: critical
    const table = renderTable(after, { color: false, minSeverity: 'info' });
    expect(table).toMatch(
      new RegExp(`^Pod ops/agent {2}Score 0 \\(${after.summary.penalty} points lost\\)`, 'm'),
    );
    expect(table).toContain(`Score: 0/100 (${after.summary.penalty} points lost)`);
  });

  it('a scan that inspected nothing has no points either', async () => {
    const report = await scan('apiVersion: v1\nkind: Service\nmetadata: {name: s}\n');
    expect(report.summary.score).toBeNull();
    expect(report.summary.penalty).toBeUndefined();
  });
});
