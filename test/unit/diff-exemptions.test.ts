/**
 * The diff tells a fix from an exemption: two real scans of real manifests (engine, exemptions by
 * annotation and by config with an expiry), diffed as the operator and `report diff` diff them.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../src/config/schema.ts';
import { scanManifests } from '../../src/pipeline/scan-manifests.ts';
import { resolveSettings } from '../../src/pipeline/settings.ts';
import { diffReports } from '../../src/report/diff.ts';
import type { InspectionReport } from '../../src/report/model.ts';
import { renderDiffText } from '../../src/report/render/diff-text.ts';
import { renderHtml } from '../../src/report/render/html.ts';
import { renderJson } from '../../src/report/render/json.ts';
import { parseStoredReport } from '../../src/report/stored.ts';
import { REGISTRY } from '../support/registry.ts';
import { assertValidReport } from '../support/report-schema.ts';

const deployment = (annotations: string, privileged: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
${annotations}spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostNetwork: true
      containers:
        - name: app
          image: registry.example.com/web:latest
          securityContext: {privileged: ${privileged}}
`;

// image-tag-mutable is exempted until 2026-06-30: active at the first scan, expired at the second.
const config: ConfigFile = {
  exemptions: [
    {
      rules: ['image-tag-mutable'],
      namespaces: ['shop'],
      reason: 'tag pinned by the release pipeline',
      expires: new Date('2026-06-30T00:00:00Z'),
    },
  ],
};

let before: InspectionReport;
let after: InspectionReport;

async function scan(dir: string, now: string, previous?: InspectionReport): Promise<InspectionReport> {
  const settings = resolveSettings(REGISTRY, config, {}, new Date(now));
  const { report } = await scanManifests([dir], settings, {}, () => new Date(now));
  expect(report.errors).toEqual([]);
  if (!previous) return report;
  return {
    ...report,
    diff: {
      since: previous.metadata.generatedAt,
      previousScore: previous.summary.score,
      ...diffReports(previous, report, previous.metadata.generatedAt),
    },
  };
}

beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), 'kp-diff-'));
  const v1 = join(root, 'v1');
  const v2 = join(root, 'v2');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(v1);
  await mkdir(v2);
  await writeFile(join(v1, 'web.yaml'), deployment('', true));
  // v2: privileged fixed; hostNetwork only annotated as exempt.
  await writeFile(
    join(v2, 'web.yaml'),
    deployment('  annotations:\n    kube-patrol.io/exempt.host-network: "CNI needs it; OPS-7"\n', false),
  );
  before = await scan(v1, '2026-06-01T00:00:00Z');
  after = await scan(v2, '2026-07-15T00:00:00Z', before);
});

describe('diff: fixes, exemptions and expired exemptions', () => {
  it('puts each change in its own list', () => {
    const diff = after.diff!;
    const rules = (list: readonly { ruleId: string }[] | undefined) =>
      (list ?? []).map((e) => e.ruleId).sort();
    expect(rules(diff.resolved)).toEqual(['privileged']);
    expect(rules(diff.newlyExempted)).toEqual(['host-network']);
    expect(rules(diff.exemptionExpired)).toEqual(['image-tag-mutable']);
    expect(diff.new.map((e) => e.ruleId)).not.toContain('image-tag-mutable');
    expect(diff.newlyExempted![0]!.exempted).toEqual({ by: 'annotation', reason: 'CNI needs it; OPS-7' });
    expect(diff.exemptionExpired![0]!.exemptionExpired).toMatchObject({
      reason: 'tag pinned by the release pipeline',
    });
    // The four lists never share a finding.
    const ids = [diff.new, diff.resolved, diff.newlyExempted!, diff.exemptionExpired!]
      .flat()
      .map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps them apart in JSON (valid against the schema)', () => {
    const json = JSON.parse(renderJson(after)) as InspectionReport;
    assertValidReport(json);
    expect(json.diff?.resolved.map((e) => e.ruleId)).toEqual(['privileged']);
    expect(json.diff?.newlyExempted?.map((e) => e.ruleId)).toEqual(['host-network']);
  });

  it('keeps them apart in a report stored and read back (report get, report diff)', async () => {
    const back = await parseStoredReport([renderJson(after)], 'report.json', new AbortController().signal);
    expect(back.diff?.newlyExempted?.map((e) => e.ruleId)).toEqual(['host-network']);
    expect(back.diff?.newlyExempted?.[0]?.exempted?.reason).toBe('CNI needs it; OPS-7');
    expect(back.diff?.exemptionExpired?.map((e) => e.ruleId)).toEqual(['image-tag-mutable']);
    expect(back.summary.penalty).toBe(after.summary.penalty);
  });

  it('keeps them apart in the HTML: an exemption is not under "Resolved"', () => {
    const html = renderHtml(after, { rules: REGISTRY.meta });
    const section = (id: string) => {
      const start = html.indexOf(`<h3 id="${id}"`);
      expect(start, id).toBeGreaterThan(0);
      return html.slice(start, html.indexOf('</table>', start));
    };
    expect(section('changes-resolved')).toContain('privileged');
    expect(section('changes-resolved')).not.toContain('host-network');
    expect(section('changes-exempted')).toContain('Exempted since last scan (not fixed) (1)');
    expect(section('changes-exempted')).toContain('CNI needs it; OPS-7');
    expect(section('changes-expired')).toContain('image-tag-mutable');
  });

  it('keeps them apart in `report diff` text', () => {
    const text = renderDiffText({
      from: 'a',
      to: 'b',
      score: { from: before.summary.score, to: after.summary.score },
      ...diffReports(before, after, before.metadata.generatedAt),
    });
    expect(text).toMatch(/1 resolved, 1 newly exempted, 1 exemption expired/);
    const block = (title: string) => text.slice(text.indexOf(title)).split('\n\n')[0]!;
    expect(block('Resolved')).toContain('privileged');
    expect(block('Resolved')).not.toContain('host-network');
    expect(block('Newly exempted (not fixed):')).toContain('host-network');
    expect(block('Newly exempted (not fixed):')).toContain('annotation: CNI needs it; OPS-7');
    expect(block('Exemption expired')).toContain('image-tag-mutable');
  });

  it('does not call an exemption that had expired before the earlier scan a change', () => {
    // Same input twice after the expiry: the finding was unexempted both times.
    const again = diffReports(after, after, after.metadata.generatedAt);
    expect(again).toEqual({ new: [], resolved: [], newlyExempted: [], exemptionExpired: [] });
  });
});
