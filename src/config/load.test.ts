import { describe, expect, it } from 'vitest';
import { createRegistry } from '../engine/registry.ts';
import { resolveSettings } from '../pipeline/settings.ts';
import { ALL_RULES } from '../rules/index.ts';
import { ConfigError, rulePolicyFromConfig, validateConfig } from './load.ts';

const REGISTRY = createRegistry(ALL_RULES);
const KNOWN_RULE_IDS = REGISTRY.knownIds;
const KNOWN_RULE_OPTIONS = REGISTRY.knownOptions;

const validate = (raw: unknown) =>
  validateConfig('config.yaml', raw, KNOWN_RULE_IDS, undefined, KNOWN_RULE_OPTIONS);

describe('rule options in the config', () => {
  it('accepts a declared option and hands it to the engine', () => {
    const config = validate({ rules: { 'resources-missing': { options: { requireCpuLimit: true } } } });
    expect(rulePolicyFromConfig(config)['resources-missing']).toEqual({
      enabled: true,
      options: { requireCpuLimit: true },
    });
  });

  it('names an unknown option and the known ones', () => {
    expect(() => validate({ rules: { 'resources-missing': { options: { cpuLimits: true } } } })).toThrow(
      /rules\.resources-missing\.options\.cpuLimits: unknown option \(known: requireCpuLimit\)/,
    );
    expect(() => validate({ rules: { privileged: { options: { x: true } } } })).toThrow(
      /rules\.privileged\.options\.x: unknown option \(this rule has none\)/,
    );
  });

  it('never ignores an option silently, even when the caller knows no options', () => {
    expect(() =>
      validateConfig(
        'c.yaml',
        { rules: { 'resources-missing': { options: { requireCpuLimit: true } } } },
        KNOWN_RULE_IDS,
      ),
    ).toThrow(ConfigError);
  });

  it('rejects option values that are not booleans', () => {
    expect(() =>
      validate({ rules: { 'resources-missing': { options: { requireCpuLimit: 'yes' } } } }),
    ).toThrow(/requireCpuLimit/);
  });
});

describe('exemptionPresets in the config', () => {
  it('accepts true, false and a map of known presets', () => {
    expect(validate({ exemptionPresets: false }).exemptionPresets).toBe(false);
    expect(validate({ exemptionPresets: true }).exemptionPresets).toBe(true);
    expect(validate({ exemptionPresets: { cni: false, 'csi-node': true } }).exemptionPresets).toEqual({
      cni: false,
      'csi-node': true,
    });
  });

  it('names an unknown preset', () => {
    expect(() => validate({ exemptionPresets: { calico: false } })).toThrow(
      /exemptionPresets.*calico: unknown key/,
    );
  });

  it('turns presets on by default and off as asked', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const ids = (config: object) =>
      (resolveSettings(REGISTRY, config, {}, now).engine.presets ?? []).map((p) => p.id).sort();
    expect(ids({})).toEqual(['cni', 'csi-node', 'kube-proxy', 'log-shipper', 'node-exporter']);
    expect(ids({ exemptionPresets: false })).toEqual([]);
    expect(ids({ exemptionPresets: { cni: false, 'log-shipper': false } })).toEqual([
      'csi-node',
      'kube-proxy',
      'node-exporter',
    ]);
  });
});
