/**
 * Golden files of the JSON and SARIF renderers for a fixed input (test/fixtures/golden/input, fixed
 * clock, rules and version). After an intended change: UPDATE_GOLDEN=1 npx vitest run test/unit/report-golden.test.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Language } from '../../src/engine/i18n.ts';
import { renderJson } from '../../src/report/render/json.ts';
import { renderSarif } from '../../src/report/render/sarif.ts';
import {
  FIXTURE_RULE_META,
  GOLDEN_DIR,
  goldenReport,
  NAMESPACE_FIXTURE_REGISTRY,
} from '../support/golden-report.ts';
import { assertValidReport } from '../support/report-schema.ts';
import { assertValidSarif } from '../support/sarif-schema.ts';

const update = process.env['UPDATE_GOLDEN'] === '1';

function expectGolden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, name);
  if (update || !existsSync(file)) {
    writeFileSync(file, actual);
    if (!update) throw new Error(`${name} did not exist and was written: review and commit it`);
    return;
  }
  expect(actual, `${name} differs: if the change is intended, regenerate with UPDATE_GOLDEN=1`).toBe(
    readFileSync(file, 'utf8'),
  );
}

const cases: readonly { lang: Language; suffix: string }[] = [
  { lang: 'en', suffix: '' },
  { lang: 'zh-CN', suffix: '.zh-CN' },
];

describe('golden reports', () => {
  for (const { lang, suffix } of cases) {
    it(`JSON (${lang})`, async () => {
      const json = renderJson(await goldenReport(lang));
      assertValidReport(json);
      expectGolden(`report${suffix}.json`, json);
    });

    it(`SARIF (${lang})`, async () => {
      const sarif = renderSarif(await goldenReport(lang), { rules: FIXTURE_RULE_META });
      assertValidSarif(sarif);
      expectGolden(`report${suffix}.sarif`, sarif);
    });

    it(`JSON with the namespaces' Pod Security advice (${lang})`, async () => {
      const json = renderJson(await goldenReport(lang, NAMESPACE_FIXTURE_REGISTRY));
      assertValidReport(json);
      expect(JSON.parse(json)).toHaveProperty('podSecurity');
      expectGolden(`report.namespaces${suffix}.json`, json);
    });
  }
});
