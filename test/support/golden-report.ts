/**
 * A fixed report for golden and renderer tests: fixed files, rules, clock, version and exemptions, so
 * the same input always gives the same bytes.
 */
import { join } from 'node:path';
import type { Language } from '../../src/engine/i18n.ts';
import type { ConfigFile } from '../../src/config/schema.ts';
import { createRegistry } from '../../src/engine/registry.ts';
import type { AnyRule, RuleMeta } from '../../src/engine/rule.ts';
import { resolveSettings } from '../../src/pipeline/settings.ts';
import { scanManifests } from '../../src/pipeline/scan-manifests.ts';
import type { InspectionReport, ReportError } from '../../src/report/model.ts';
import { namespacePssUnenforced } from '../../src/rules/namespace-pss-unenforced/rule.ts';
import { privileged } from '../../src/rules/privileged/rule.ts';
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

export const FIXTURE_REGISTRY = createRegistry(FIXTURE_RULES);

const EXEMPTIONS: NonNullable<ConfigFile['exemptions']> = [
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

/** Scans one fixture directory with the CLI's settings and pipeline, the fixture rules and a fixed clock. */
async function scanDir(
  dir: 'input' | 'previous',
  lang: Language,
  now: Date,
  previous?: InspectionReport,
  registry = FIXTURE_REGISTRY,
): Promise<InspectionReport> {
  const settings = resolveSettings(registry, { pssVersion: 'v1.33', exemptions: EXEMPTIONS }, { lang }, now);
  // A relative path (tests run from the project root), so files are labelled as a scan from there labels them.
  const { report } = await scanManifests(
    [`test/fixtures/golden/${dir}`],
    settings,
    { toolVersion: FIXED_TOOL_VERSION, ...(previous ? { previous } : {}) },
    () => now,
  );
  // A fixed input error (the wording of parser errors belongs to the YAML library, not to this test), and a
  // fixed duration.
  const errors: ReportError[] =
    dir === 'input'
      ? [
          ...report.errors,
          { source: 'test/fixtures/golden/input/unreadable.yaml', message: 'permission denied' },
        ]
      : [...report.errors];
  return { ...report, metadata: { ...report.metadata, durationMs: 42 }, errors };
}

/** The golden report: test/fixtures/golden/input, with a diff against test/fixtures/golden/previous. */
export async function goldenReport(
  lang: Language = 'en',
  registry = FIXTURE_REGISTRY,
): Promise<InspectionReport> {
  const previous = await scanDir('previous', lang, FIXED_PREVIOUS_CLOCK, undefined, registry);
  return scanDir('input', lang, FIXED_CLOCK, previous, registry);
}

/** The fixture rules and namespace-pss-unenforced: the golden report with the namespaces' advice. */
export const NAMESPACE_FIXTURE_REGISTRY = createRegistry([...FIXTURE_RULES, namespacePssUnenforced]);
