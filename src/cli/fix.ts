import { chmod, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { FixSelection } from '../engine/fix.ts';
import type { RuleRegistry } from '../engine/registry.ts';
import type { ManifestFixPlan, WorkloadFix } from '../pipeline/fix-manifests.ts';
import { describeWorkload, workloadKey } from '../workloads/model.ts';
import { terminalText } from '../shared/terminal-text.ts';
import { readAllStdin, writeError, writeStdout } from './options.ts';
import { loadSettings } from './scan.ts';

export interface FixOptions {
  rules?: string;
  includeReview?: boolean;
  diff?: boolean;
  write?: boolean;
  patchesOut?: string;
  config?: string;
  pssVersion?: string;
  maxFileSize?: number;
}

/**
 * Exit status: 0 done (or nothing to fix); 1 without --write, some file would change; 2 an input could not
 * be read, parsed or edited (the other files are still fixed), or the flags are invalid.
 */
export async function runFix(
  registry: RuleRegistry,
  paths: readonly string[],
  options: FixOptions,
): Promise<number> {
  if (options.diff && options.write) {
    writeError('--diff and --write exclude each other: --diff changes nothing');
    return 2;
  }
  if (options.write && paths.includes('-')) {
    writeError('--write cannot rewrite standard input: use --diff or --patches-out');
    return 2;
  }
  const selection = parseRules(registry, options);
  if (typeof selection === 'string') {
    writeError(selection);
    return 2;
  }
  const loaded = await loadSettings(registry, options);
  if (!loaded) return 2;
  const { settings } = loaded;
  // Loaded when the command runs: other commands do not pay for the YAML editor and the diff.
  const [{ planManifestFixes }, { unifiedDiff }] = await Promise.all([
    import('../pipeline/fix-manifests.ts'),
    import('../fixes/unified-diff.ts'),
  ]);
  const plan = await planManifestFixes(paths, settings, selection, {
    readStdin: readAllStdin,
    ...(options.maxFileSize ? { maxFileBytes: options.maxFileSize } : {}),
  });
  for (const error of plan.errors)
    writeError(`${error.source}${error.line ? `:${error.line}` : ''}: ${error.message}`);
  const changed = plan.files.filter((f) => f.after !== null && f.after !== f.before);
  if (options.diff) {
    for (const file of changed)
      await writeStdout(unifiedDiff(`a/${file.file}`, `b/${file.file}`, file.before, file.after as string));
  } else if (options.write) {
    for (const file of changed) await replaceFile(file.file, file.after as string);
  }
  if (options.patchesOut) await writePatches(options.patchesOut, plan);
  const summary = summarise(plan, options);
  if (options.diff) process.stderr.write(summary);
  else await writeStdout(summary);
  if (plan.errors.length > 0) return 2;
  return !options.write && changed.length > 0 ? 1 : 0;
}

function parseRules(registry: RuleRegistry, options: FixOptions): FixSelection | string {
  const includeReview = options.includeReview === true;
  if (options.rules === undefined) return { includeReview };
  const ids = new Set<string>();
  for (const given of options.rules
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean)) {
    const rule = registry.rules.find((r) => r.meta.id === given || r.meta.aliases?.includes(given));
    if (!rule) return `--rules: unknown rule "${given}" (run \`kube-patrol rules\` for the list)`;
    if (!rule.meta.fix)
      return `--rules: rule "${given}" has no machine fix (docs/rules.md lists the ones that do)`;
    ids.add(rule.meta.id);
  }
  return { includeReview, rules: ids };
}

/** Writes next to the file and renames over it, keeping its mode: a failure never leaves half a file. */
async function replaceFile(file: string, text: string): Promise<void> {
  const temporary = join(dirname(file), `.${basename(file)}.kube-patrol-${process.pid}`);
  const { mode } = await stat(file);
  await writeFile(temporary, text, { flag: 'wx' });
  await chmod(temporary, mode & 0o7777);
  await rename(temporary, file);
}

async function writePatches(dir: string, plan: ManifestFixPlan): Promise<void> {
  const [{ patchFileName, patchFileText }, { mergePatches }] = await Promise.all([
    import('../fixes/patch-files.ts'),
    import('../engine/fix.ts'),
  ]);
  // Two manifests of one workload (a file per environment): one patch of both.
  const byWorkload = new Map<string, WorkloadFix[]>();
  for (const file of plan.files)
    for (const fix of file.workloads) {
      const key = workloadKey(fix.workload);
      byWorkload.set(key, [...(byWorkload.get(key) ?? []), fix]);
    }
  if (byWorkload.size === 0) return;
  await mkdir(dir, { recursive: true });
  for (const fixes of byWorkload.values()) {
    const { workload } = fixes[0] as WorkloadFix;
    const rules = [...new Set(fixes.flatMap((f) => f.rules))].sort();
    const text = patchFileText({
      kind: workload.kind,
      namespace: workload.namespace,
      name: workload.name,
      apiVersion: workload.apiVersion,
      patch: mergePatches(fixes.map((f) => f.patch)),
      rules,
    });
    await writeFile(join(dir, patchFileName(workload)), text);
  }
}

function summarise(plan: ManifestFixPlan, options: FixOptions): string {
  const lines: string[] = [];
  let fixes = 0;
  for (const file of plan.files) {
    if (file.after === null) continue;
    for (const { workload, rules: fixed } of file.workloads) {
      fixes += fixed.length;
      const counts = new Map<string, number>();
      for (const id of fixed) counts.set(id, (counts.get(id) ?? 0) + 1);
      const rules = [...counts].map(([id, n]) => (n > 1 ? `${id} ×${n}` : id)).join(', ');
      lines.push(`${terminalText(file.file)}: ${terminalText(describeWorkload(workload))}: ${rules}`);
    }
  }
  const classes = options.includeReview ? 'safe and review' : 'safe';
  const done = options.write ? 'fixed' : 'to fix';
  const files = plan.files.filter((f) => f.after !== null).length;
  lines.push(
    fixes === 0
      ? `nothing to fix (${classes} fixes${options.rules ? ` of ${options.rules}` : ''})`
      : `${fixes} finding${fixes === 1 ? '' : 's'} ${done} (${classes} fixes) in ${files} file${files === 1 ? '' : 's'}`,
  );
  if (!options.write && !options.diff && !options.patchesOut && fixes > 0)
    lines.push(
      '--diff shows the changes, --write makes them, --patches-out DIR writes kustomize patches instead',
    );
  if (options.patchesOut && fixes > 0) lines.push(`patches written to ${terminalText(options.patchesOut)}`);
  return `${lines.join('\n')}\n`;
}
