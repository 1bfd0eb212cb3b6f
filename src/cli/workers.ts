import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseWorkersOption, WORKERS_ENV } from './commands/workers-option.ts';
import type { ConfigFile } from '../config/schema.ts';
import type { RuleRegistry } from '../engine/registry.ts';
import type { WorkerOptions } from '../pipeline/parallel-scan.ts';
import type { ScanSettings, SettingsFlags } from '../pipeline/settings.ts';
import { ALL_RULES } from '../rules/index.ts';

export { parseWorkersOption, WORKERS_ENV } from './commands/workers-option.ts';

/**
 * The scan worker entry beside this module, with this module's extension: scan-worker.ts when the
 * sources run, scan-worker.js in the build (dist/src/cli/), scan-worker.cjs next to the bundled CLI's
 * chunks (dist/bundle/, where this code is in a chunk).
 */
export function scanWorkerEntry(): URL {
  const extension = /\.[cm]?[jt]s$/.exec(import.meta.url)?.[0] ?? '.js';
  return new URL(`./scan-worker${extension}`, import.meta.url);
}

/**
 * The worker options of a manifest scan, or undefined for a scan on one thread: `--workers`, else
 * KUBE_PATROL_WORKERS, else auto. Workers rebuild the settings with the shipped rules, so a program built
 * with other rules (tests, tools) scans on one thread; so does one whose worker entry is missing.
 */
export function scanWorkerOptions(
  flag: number | 'auto' | undefined,
  registry: RuleRegistry,
  config: ConfigFile,
  flags: SettingsFlags,
  settings: ScanSettings,
  warn: (message: string) => void,
): WorkerOptions | undefined {
  const fromEnv = process.env[WORKERS_ENV];
  let count = flag;
  if (count === undefined && fromEnv !== undefined && fromEnv !== '') {
    try {
      count = parseWorkersOption(fromEnv);
    } catch {
      warn(`${WORKERS_ENV}=${fromEnv} is not auto or a number of worker threads: ignored`);
    }
  }
  count ??= 'auto';
  if (count === 0) return undefined;
  const shipped =
    registry.rules.length === ALL_RULES.length && registry.rules.every((rule, i) => rule === ALL_RULES[i]);
  if (!shipped) return undefined;
  const entry = scanWorkerEntry();
  if (!existsSync(fileURLToPath(entry))) {
    if (count !== 'auto') warn(`no scan worker at ${fileURLToPath(entry)}: scanning on one thread`);
    return undefined;
  }
  const { nodes, pssVersion, lang, failOn } = flags;
  const recipe = {
    config,
    flags: {
      ...(nodes === undefined ? {} : { nodes }),
      ...(pssVersion === undefined ? {} : { pssVersion }),
      ...(lang === undefined ? {} : { lang }),
      ...(failOn === undefined ? {} : { failOn }),
    },
    now: settings.engine.now,
  };
  return { count, entry, recipe };
}
