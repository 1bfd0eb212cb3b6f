import type { Command } from 'commander';
import type { Language } from '../../engine/i18n.ts';
import { parseLanguageOption } from '../options.ts';
import type { LoadRegistry } from '../program.ts';

export function registerRulesCommand(program: Command, registry: LoadRegistry): void {
  program
    .command('rules')
    .argument('[id]', 'a rule id: print its documentation')
    .description("list the rules, or print one rule's documentation")
    .option('--lang <lang>', 'en or zh-CN', parseLanguageOption, 'en')
    .action(async (id: string | undefined, options: { lang: Language }) => {
      const { runRules } = await import('../rules.ts');
      process.exitCode = await runRules(await registry(), id, options.lang);
    });
}
