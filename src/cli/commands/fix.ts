import type { Command } from 'commander';
import { DEFAULT_MAX_FILE_BYTES } from '../../sources/limits.ts';
import type { FixOptions } from '../fix.ts';
import { parseMiBOption } from '../options.ts';
import type { LoadRegistry } from '../program.ts';

export function registerFixCommand(program: Command, registry: LoadRegistry): void {
  program
    .command('fix')
    .argument('<path...>', 'files or directories of manifests (*.yaml, *.yml, *.json), or - for stdin')
    .description(
      "apply the rules' machine fixes to manifest files: safe ones by default; without --write or --diff, say what would change",
    )
    .option('--rules <ids>', 'only these rules (comma-separated ids)')
    .option('--include-review', 'also apply fixes of class review (they may break the app: read the diff)')
    .option('--diff', 'print a unified diff of the changes; change nothing')
    .option('--write', 'rewrite the files in place')
    .option(
      '--patches-out <dir>',
      'write one strategic-merge patch per workload into DIR, for a kustomize overlay (files are not changed unless --write)',
    )
    .option('--config <file>', 'config file (rules, severities, exemptions), as for scan')
    .option('--pss-version <version>', 'Pod Security Standards version: latest or v1.25 and up')
    .option(
      '--max-file-size <MiB>',
      `largest manifest file, pipe or standard input read, in MiB (default ${DEFAULT_MAX_FILE_BYTES / 1048576})`,
      parseMiBOption,
    )
    .action(async (paths: string[], options: FixOptions) => {
      const { runFix } = await import('../fix.ts');
      process.exitCode = await runFix(await registry(), paths, options);
    });
}
