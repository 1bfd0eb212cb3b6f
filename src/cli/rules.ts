import type { Command } from 'commander';
import type { RuleRegistry } from '../engine/registry.ts';
import { renderRuleDoc } from '../report/render/rule-doc.ts';
import { parseLanguageOption, writeError, writeStdout } from './options.ts';
import type { Language } from '../engine/i18n.ts';

export function registerRulesCommand(program: Command, registry: RuleRegistry): void {
  program
    .command('rules')
    .argument('[id]', 'a rule id: print its documentation')
    .description("list the rules, or print one rule's documentation")
    .option('--lang <lang>', 'en or zh-CN', parseLanguageOption, 'en')
    .action(async (id: string | undefined, options: { lang: Language }) => {
      const rules = registry.rules;
      if (id) {
        const rule = rules.find((r) => r.meta.id === id || r.meta.aliases?.includes(id));
        if (!rule) {
          writeError(`unknown rule "${id}" (run \`kube-patrol rules\` for the list)`);
          process.exitCode = 2;
          return;
        }
        await writeStdout(renderRuleDoc(rule.meta, options.lang));
        return;
      }
      const rows = rules.map((r) => [
        r.meta.id,
        r.meta.severity,
        r.meta.pss ? `${r.meta.pss.level}` : '-',
        r.meta.title[options.lang],
      ]);
      const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => (row[i] as string).length), 8));
      const header = ['RULE', 'SEVERITY', 'PSS', 'TITLE'];
      const line = (row: string[]) =>
        row.map((cell, i) => (i < 3 ? cell.padEnd((widths[i] as number) + 2) : cell)).join('');
      await writeStdout(`${[line(header), ...rows.map(line)].join('\n')}\n`);
    });
}
