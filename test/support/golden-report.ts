/**
 * A fixed report for golden and renderer tests: fixed files, rules, clock, version and exemptions, so
 * the same input always gives the same bytes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Language } from '../../src/engine/i18n.ts';
import type { ConfigExemption } from '../../src/engine/exemptions.ts';
import { parsePssVersion } from '../../src/engine/pss-version.ts';
import type { AnyRule, RuleMeta } from '../../src/engine/rule.ts';
import { createInspector, type EngineOptions, type WorkloadResult } from '../../src/engine/run.ts';
import { buildReport } from '../../src/report/build.ts';
import type { InspectionReport, ReportError } from '../../src/report/model.ts';
import { privileged } from '../../src/rules/privileged/rule.ts';
import { decodeManifests } from '../../src/sources/manifests.ts';
import { projectRoot } from '../../src/version.ts';
import { fixtureHostNetwork, fixtureMutableImage, fixtureReadOnlyRootFs } from './fixture-rules.ts';

export const GOLDEN_DIR = join(projectRoot(), 'test', 'fixtures', 'golden');
export const FIXED_CLOCK = new Date('2026-03-01T08:30:00.000Z');
export const FIXED_PREVIOUS_CLOCK = new Date('2026-02-28T08:30:00.000Z');
export const FIXED_TOOL_VERSION = '0.0.0-golden';

export const FIXTURE_RULES: readonly AnyRule[] = [
  fixtureHostNetwork,
  fixtureMutableImage,
  fixtureReadOnlyRootFs,
  privileged,
];
export const FIXTURE_RULE_META: readonly RuleMeta[] = FIXTURE_RULES.map((r) => r.meta);

const EXEMPTIONS: readonly ConfigExemption[] = [
  {
    rules: ['fixture-read-only-root-fs'],
    namespaces: ['batch'],
    containers: ['report'],
    reason: 'writes its report to /tmp until v2',
    expires: new Date('2026-12-31T00:00:00.000Z'),
  },
  {
    rules: ['fixture-read-only-root-fs'],
    namespaces: ['shop'],
    names: ['debug'],
    reason: 'debug pod, removed after the incident',
    expires: new Date('2026-02-01T00:00:00.000Z'),
  },
];

function scanDir(
  dir: 'input' | 'previous',
  lang: Language,
  now: Date,
  previous?: InspectionReport,
): InspectionReport {
  const engine: EngineOptions = {
    rules: FIXTURE_RULES,
    version: parsePssVersion('v1.33'),
    exemptions: EXEMPTIONS,
    now,
  };
  const inspector = createInspector(engine);
  const results: WorkloadResult[] = [];
  const errors: ReportError[] = [];
  const skipped = new Map<string, number>();
  for (const name of readdirSync(join(GOLDEN_DIR, dir)).sort()) {
    // Labelled with a stable relative path, as a scan from the project root would label it.
    const file = `test/fixtures/golden/${dir}/${name}`;
    const { extraction } = decodeManifests(file, readFileSync(join(GOLDEN_DIR, dir, name), 'utf8'));
    errors.push(...extraction.errors);
    for (const [kind, count] of extraction.skipped) skipped.set(kind, (skipped.get(kind) ?? 0) + count);
    for (const workload of extraction.workloads) results.push(inspector(workload, errors));
  }
  // A fixed input error (the wording of parser errors belongs to the YAML library, not to this test).
  if (dir === 'input')
    errors.push({ source: 'test/fixtures/golden/input/unreadable.yaml', message: 'permission denied' });
  return buildReport({
    results,
    errors,
    skipped,
    rules: FIXTURE_RULES,
    lang,
    source: 'manifests',
    pssVersion: engine.version,
    generatedAt: now,
    toolVersion: FIXED_TOOL_VERSION,
    durationMs: 42,
    ...(previous ? { previous } : {}),
  });
}

/** The golden report: test/fixtures/golden/input, with a diff against test/fixtures/golden/previous. */
export function goldenReport(lang: Language = 'en'): InspectionReport {
  const previous = scanDir('previous', lang, FIXED_PREVIOUS_CLOCK);
  return scanDir('input', lang, FIXED_CLOCK, previous);
}
