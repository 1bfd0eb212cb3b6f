import { exemptionsFromConfig, rulePolicyFromConfig } from '../config/load.ts';
import type { ConfigFile } from '../config/schema.ts';
import type { Language } from '../engine/i18n.ts';
import { parsePssVersion, type PssVersion } from '../engine/pss-version.ts';
import type { RuleRegistry } from '../engine/registry.ts';
import type { AnyRule } from '../engine/rule.ts';
import { activeRules, type EngineOptions } from '../engine/run.ts';
import type { Severity } from '../engine/severity.ts';
import type { ExemptionPresetId } from '../presets/ids.ts';
import { nodeAgentPresets } from '../presets/node-agents.ts';

/** Everything a scan needs besides its input, resolved once from the config file and flags. */
export interface ScanSettings {
  /** Every rule the program knows (whether it runs or not): their docs and ids. */
  readonly registry: RuleRegistry;
  readonly engine: EngineOptions;
  readonly lang: Language;
  readonly failOn?: Severity;
  /** The rules that run (enabled, and applicable to the PSS version). */
  readonly activeRules: readonly AnyRule[];
  readonly severityOverrides: Readonly<Record<string, Severity>>;
}

export interface SettingsFlags {
  /** Inspect nodes too (opt-in rules on nodes). */
  readonly nodes?: boolean;
  readonly pssVersion?: string;
  readonly lang?: Language;
  readonly failOn?: Severity;
}

/** Whether the config leaves a shipped exemption preset on (every preset is on by default). */
function presetEnabled(config: ConfigFile): (id: ExemptionPresetId) => boolean {
  const setting = config.exemptionPresets;
  if (setting === undefined || setting === true) return () => true;
  if (setting === false) return () => false;
  return (id) => (setting as Partial<Record<ExemptionPresetId, boolean>>)[id] ?? true;
}

export function resolveSettings(
  registry: RuleRegistry,
  config: ConfigFile,
  flags: SettingsFlags,
  now: Date,
): ScanSettings {
  const version: PssVersion = parsePssVersion(flags.pssVersion ?? config.pssVersion ?? 'latest');
  const rulePolicy = rulePolicyFromConfig(config);
  // `nodes` (config) or `--nodes` turns on the node inspection: every rule on nodes not switched off.
  if (flags.nodes ?? config.nodes)
    for (const rule of registry.rules)
      if (rule.meta.subject === 'node' && rulePolicy[rule.meta.id]?.enabled !== false)
        rulePolicy[rule.meta.id] = { ...rulePolicy[rule.meta.id], enabled: true };
  const lang = flags.lang ?? config.lang ?? 'en';
  const engine: EngineOptions = {
    rules: registry.rules,
    version,
    rulePolicy,
    exemptions: exemptionsFromConfig(config),
    presets: nodeAgentPresets(lang, presetEnabled(config)),
    knownRuleIds: registry.knownIds,
    now,
  };
  const severityOverrides: Record<string, Severity> = {};
  for (const [id, policy] of Object.entries(rulePolicy))
    if (policy.severity) severityOverrides[id] = policy.severity;
  const failOn = flags.failOn ?? config.failOn;
  return {
    registry,
    engine,
    lang,
    ...(failOn ? { failOn } : {}),
    activeRules: activeRules(engine).map((r) => r.rule),
    severityOverrides,
  };
}
