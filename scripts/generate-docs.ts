import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LANGUAGES } from '../src/engine/i18n.ts';
import { ALL_RULES } from '../src/rules/index.ts';
import { projectRoot } from '../src/version.ts';
import { PRESETS_REFERENCE_FILES, renderPresetsReference } from './presets-reference.ts';
import { RULES_REFERENCE_FILES, renderRulesReference } from './rules-reference.ts';

for (const lang of LANGUAGES) {
  const file = join(projectRoot(), RULES_REFERENCE_FILES[lang]);
  await writeFile(file, renderRulesReference(ALL_RULES, lang));
  console.log(`wrote ${file}`);
}
for (const lang of LANGUAGES) {
  const file = join(projectRoot(), PRESETS_REFERENCE_FILES[lang]);
  await writeFile(file, renderPresetsReference(lang));
  console.log(`wrote ${file}`);
}
