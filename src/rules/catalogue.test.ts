/**
 * Meta-tests of the rule catalogue: every folder is a registered rule with tests, examples and docs;
 * every registered rule has a folder; metadata is complete in every language; examples behave as
 * they say; the generated reference is up to date.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../engine/i18n.ts';
import type { AnyRule } from '../engine/rule.ts';
import { runAnyRule } from '../../test/support/rule-kit.ts';
import { projectRoot } from '../version.ts';
import { RULES_REFERENCE_FILES, renderRulesReference } from '../../scripts/rules-reference.ts';
import { ALL_RULES } from './index.ts';

const root = projectRoot();
const rulesDir = join(root, 'src', 'rules');
const rules = ALL_RULES as readonly AnyRule[];
const folders = readdirSync(rulesDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

describe('rule catalogue', () => {
  it('registers exactly the rule folders, sorted by id', () => {
    const ids = rules.map((r) => r.meta.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(folders);
  });

  it('has unique ids and aliases', () => {
    const all = rules.flatMap((r) => [r.meta.id, ...(r.meta.aliases ?? [])]);
    expect(new Set(all).size).toBe(all.length);
  });

  for (const rule of rules) {
    const { meta } = rule;
    describe(meta.id, () => {
      it('is kebab-case and has rule.ts, rule.test.ts and examples.yaml', () => {
        expect(meta.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        for (const file of ['rule.ts', 'rule.test.ts', 'examples.yaml'])
          expect(existsSync(join(rulesDir, meta.id, file)), file).toBe(true);
      });

      it('has complete metadata in every language', () => {
        for (const lang of LANGUAGES) {
          expect(meta.title[lang].trim(), `title ${lang}`).not.toBe('');
          expect(meta.docs.why[lang].trim(), `why ${lang}`).not.toBe('');
          expect(meta.docs.fix[lang].trim(), `fix ${lang}`).not.toBe('');
          for (const [id, message] of Object.entries(meta.messages))
            expect((message as Record<string, string>)[lang]?.trim(), `message ${id} ${lang}`).toBeTruthy();
        }
        for (const lang of LANGUAGES) {
          // The severity review: every rule says why its default is what it is.
          expect(meta.docs.severity?.[lang]?.trim(), `severity rationale ${lang}`).toBeTruthy();
          for (const [name, option] of Object.entries(meta.options ?? {}))
            expect(option.description[lang].trim(), `option ${name} ${lang}`).not.toBe('');
        }
        expect(meta.docs.severity?.['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
        // A machine fix is documented in every language (docs/rules.md shows it).
        if (meta.fix) {
          for (const lang of LANGUAGES) expect(meta.fix.description[lang].trim(), `fix ${lang}`).not.toBe('');
          expect(meta.fix.description['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
        }
        expect(Object.keys(meta.messages).length).toBeGreaterThan(0);
        expect(meta.docs.references.length).toBeGreaterThan(0);
        expect(() => parse(meta.docs.snippet)).not.toThrow();
        // Chinese text is written in Chinese, not left in English.
        expect(meta.title['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
        expect(meta.docs.fix['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      });

      it('PSS rules name their level and upstream check', () => {
        if (meta.category === 'pod-security') expect(meta.pss).not.toBeNull();
        else expect(meta.pss).toBeNull();
      });

      const examples = parse(readFileSync(join(rulesDir, meta.id, 'examples.yaml'), 'utf8')) as {
        description: string;
        expect: 'fails' | 'passes';
        version?: string;
        object: unknown;
        /** other objects of the scan, for rules that read facts */
        facts?: unknown[];
      }[];
      it('has at least one failing and one passing example', () => {
        expect(examples.some((e) => e.expect === 'fails')).toBe(true);
        expect(examples.some((e) => e.expect === 'passes')).toBe(true);
      });
      for (const example of examples) {
        it(`example ${example.expect}: ${example.description}`, () => {
          const findings = runAnyRule(
            rule,
            example.object as Record<string, unknown>,
            example.version,
            example.facts as Record<string, unknown>[] | undefined,
          );
          if (example.expect === 'fails') expect(findings.length).toBeGreaterThan(0);
          else expect(findings).toEqual([]);
        });
      }
    });
  }

  it('docs/rules.md and docs/rules.zh-CN.md are generated from the metadata (run `npm run docs`)', () => {
    for (const lang of LANGUAGES) {
      const file = join(root, RULES_REFERENCE_FILES[lang]);
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file, 'utf8'), `${file} is stale: run npm run docs`).toBe(
        renderRulesReference(rules, lang),
      );
    }
  });
});
