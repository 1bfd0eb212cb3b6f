import type { RuleRegistry } from '../engine/registry.ts';
import { renderRuleDoc } from '../report/render/rule-doc.ts';
import { writeError, writeStdout } from './options.ts';
import type { Language } from '../engine/i18n.ts';

/** `kube-patrol rules [id]`: the table of rules, or one rule's documentation; the exit status. */
export async function runRules(
  registry: RuleRegistry,
  id: string | undefined,
  lang: Language,
): Promise<number> {
  const rules = registry.rules;
  if (id) {
    const rule = rules.find((r) => r.meta.id === id || r.meta.aliases?.includes(id));
    if (!rule) {
      writeError(`unknown rule "${id}" (run \`kube-patrol rules\` for the list)`);
      return 2;
    }
    await writeStdout(renderRuleDoc(rule.meta, lang));
    return 0;
  }
  const rows = rules.map((r) => [
    r.meta.id,
    r.meta.severity,
    r.meta.pss ? `${r.meta.pss.level}` : '-',
    r.meta.title[lang],
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => (row[i] as string).length), 8));
  const header = ['RULE', 'SEVERITY', 'PSS', 'TITLE'];
  const line = (row: string[]) =>
    row.map((cell, i) => (i < 3 ? cell.padEnd((widths[i] as number) + 2) : cell)).join('');
  await writeStdout(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  return 0;
}
