import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../engine/registry.ts';
import { resolveSettings } from '../pipeline/settings.ts';
import { ALL_RULES } from '../rules/index.ts';
import { decodeYamlDocuments } from '../shared/kube-yaml/documents.ts';
import {
  ConfigError,
  decodeConfigText,
  loadConfigFile,
  rulePolicyFromConfig,
  validateConfig,
} from './load.ts';

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

const known = new Set(['privileged', 'read-only-root-fs', 'image-tag-mutable']);

function config(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'kp-config-')), 'config.yaml');
  writeFileSync(file, text);
  return loadConfigFile(file, known);
}

describe('config files: one YAML reading for config and manifests (#11)', () => {
  it('decodes a config exactly as a manifest is decoded (YAML 1.1 scalars, as Kubernetes)', () => {
    const text = 'a: yes\nb: on\nc: 0755\nd: 1_000\ne: 2027-06-30\nf: ~\ng: "off"\nh: 0x1F\n';
    const manifest = decodeYamlDocuments(text)[0];
    expect(manifest && 'value' in manifest ? manifest.value : manifest).toEqual(
      decodeConfigText('c.yaml', text),
    );
    expect(decodeConfigText('c.yaml', text)).toEqual({
      a: true,
      b: true,
      c: 493,
      d: 1000,
      e: '2027-06-30',
      f: null,
      g: 'off',
      h: 31,
    });
  });

  it('`off`, which YAML 1.1 reads as false, still turns a rule off; `enabled: yes` is true', async () => {
    const loaded = await config(
      'rules:\n  privileged: off\n  read-only-root-fs: "off"\n  image-tag-mutable: {enabled: yes, severity: low}\n',
    );
    expect(rulePolicyFromConfig(loaded)).toEqual({
      privileged: { enabled: false },
      'read-only-root-fs': { enabled: false },
      'image-tag-mutable': { enabled: true, severity: 'low' },
    });
  });

  it('exemption dates, globs and reasons read as before', async () => {
    const loaded = await config(
      'exemptions:\n  - rules: [privileged]\n    names: ["cilium*"]\n    reason: CNI agent\n    expires: 2027-06-30\n',
    );
    expect(loaded.exemptions?.[0]?.expires).toEqual(new Date('2027-06-30T00:00:00Z'));
  });

  it('a YAML error names the file and the line; two documents are refused', async () => {
    await expect(config('rules:\n  privileged: [off\n')).rejects.toThrow(
      /^.*config\.yaml: invalid YAML at line 2: /,
    );
    await expect(config('lang: en\n---\nlang: zh-CN\n')).rejects.toBeInstanceOf(ConfigError);
  });
});

const policyRules = new Set(['privileged', 'probes-missing']);

function problem(raw: unknown): string {
  try {
    validateConfig('kp.yaml', raw, policyRules, undefined, KNOWN_RULE_OPTIONS);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config errors', () => {
  it('name the allowed values, for enums and for the rule policy union alike', () => {
    expect(problem({ lang: 'fr' })).toBe('kp.yaml: lang: Invalid option: expected one of "en"|"zh-CN"');
    expect(problem({ failOn: 'severe' })).toContain(
      'failOn: Invalid option: expected one of "critical"|"high"',
    );
    const policy = problem({ rules: { 'probes-missing': 'hgh' } });
    expect(policy).toContain(
      'rules.probes-missing: expected "off", or false, or "critical"|"high"|"medium"|"low"|"info", or an object',
    );
    expect(policy).not.toContain('Invalid input');
    // A bad field inside the object form is named where it is.
    expect(problem({ rules: { privileged: { severity: 'hgh' } } })).toContain(
      'rules.privileged.severity: Invalid option: expected one of "critical"',
    );
  });

  it('still accepts each form of a rule policy', () => {
    expect(
      validateConfig(
        'kp.yaml',
        { rules: { privileged: 'off', 'probes-missing': { severity: 'info' } } },
        policyRules,
      ).rules,
    ).toEqual({ privileged: 'off', 'probes-missing': { severity: 'info' } });
    expect(validateConfig('kp.yaml', { rules: { privileged: 'low' } }, policyRules).rules).toEqual({
      privileged: 'low',
    });
  });
});
