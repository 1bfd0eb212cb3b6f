import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import type { ConfigExemption } from '../engine/exemptions.ts';
import type { RulePolicy } from '../engine/run.ts';
import { formatPath, type PathSegment } from '../shared/field-path.ts';
import { decodeYamlDocuments } from '../shared/kube-yaml/documents.ts';
import { configSchema, type ConfigFile } from './schema.ts';

export class ConfigError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ConfigError';
    this.file = file;
  }
}

/**
 * A union (`rules.<id>`: off, a severity or an object) fails as a whole; when one branch got further
 * into the value (an object with a bad key), its own issues say more than "invalid input".
 */
function deepestBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const branch = issue.errors.find((issues) => issues.some((i) => i.path.length > 0));
  if (!branch) return [{ ...issue, message: unionForms(issue) }];
  return branch.flatMap((inner) => deepestBranch({ ...inner, path: [...issue.path, ...inner.path] }));
}

/** What a union accepts, from its branches' own complaints: zod alone says only "Invalid input". */
function unionForms(issue: z.core.$ZodIssue & { code: 'invalid_union' }): string {
  const forms: string[] = [];
  for (const issues of issue.errors)
    for (const inner of issues) {
      if (inner.code === 'invalid_value') forms.push(inner.values.map((v) => JSON.stringify(v)).join('|'));
      else if (inner.code === 'invalid_type')
        forms.push(`${/^[aeiou]/.test(inner.expected) ? 'an' : 'a'} ${inner.expected}`);
    }
  return forms.length > 0 ? `expected ${forms.join(', or ')}` : issue.message;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .flatMap(deepestBranch)
    .map((issue) => {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const at = formatPath(issue.path as PathSegment[]);
      if (keys.length > 0) return `${keys.map((k) => (at ? `${at}.${k}` : k)).join(', ')}: unknown key`;
      return `${at || '(top level)'}: ${issue.message}`;
    })
    .join('; ');
}

/** Option names each rule declares, by rule id (rules without options may be absent). */
export type KnownRuleOptions = ReadonlyMap<string, ReadonlySet<string>>;

/** Validates a decoded config object against the schema, the known rule ids and their options. */
export function validateConfig<T extends z.ZodType<ConfigFile>>(
  file: string,
  raw: unknown,
  knownRuleIds: ReadonlySet<string>,
  schema?: T,
  knownRuleOptions?: KnownRuleOptions,
): z.infer<T> {
  const result = (schema ?? configSchema()).safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(file, describeIssues(result.error));
  const config = result.data as z.infer<T>;
  const unknown: string[] = [];
  for (const [id, policy] of Object.entries(config.rules ?? {})) {
    if (!knownRuleIds.has(id)) unknown.push(`rules.${id}: unknown rule id`);
    else if (typeof policy === 'object' && policy.options) {
      const known = knownRuleOptions?.get(id);
      for (const name of Object.keys(policy.options))
        if (!known?.has(name))
          unknown.push(
            `rules.${id}.options.${name}: unknown option${known && known.size > 0 ? ` (known: ${[...known].join(', ')})` : ' (this rule has none)'}`,
          );
    }
  }
  (config.exemptions ?? []).forEach((exemption, i) => {
    for (const id of exemption.rules)
      if (id !== '*' && !knownRuleIds.has(id))
        unknown.push(`exemptions[${i}].rules: unknown rule id "${id}"`);
  });
  if (unknown.length > 0)
    throw new ConfigError(file, `${unknown.join('; ')} (run \`kube-patrol rules\` for the list)`);
  return config;
}

export async function loadConfigFile<T extends z.ZodType<ConfigFile>>(
  file: string,
  knownRuleIds: ReadonlySet<string>,
  schema?: T,
  knownRuleOptions?: KnownRuleOptions,
): Promise<z.infer<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      file,
      `cannot read: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`,
    );
  }
  return validateConfig(file, decodeConfigText(file, text), knownRuleIds, schema, knownRuleOptions);
}

/**
 * A config file is decoded exactly as a manifest is (sigs.k8s.io/yaml semantics, shared/kube-yaml/documents.ts):
 * one YAML reading in the whole tool, so `privileged: yes` in a manifest and `enabled: yes` in the
 * config mean the same, and the config that an operator keeps in a ConfigMap reads as the cluster would.
 * A plain `off` is therefore false, which a rule policy accepts as "off" (schema.ts).
 */
export function decodeConfigText(file: string, text: string): unknown {
  const documents = decodeYamlDocuments(text).filter((d) => 'error' in d || d.value !== null);
  const [first, second] = documents;
  if (first && 'error' in first)
    throw new ConfigError(file, `invalid YAML${first.line ? ` at line ${first.line}` : ''}: ${first.error}`);
  if (second) throw new ConfigError(file, 'expected one YAML document, found more');
  return first?.value;
}

export function rulePolicyFromConfig(config: ConfigFile): Record<string, RulePolicy> {
  const out: Record<string, RulePolicy> = {};
  for (const [id, policy] of Object.entries(config.rules ?? {})) {
    if (policy === 'off') out[id] = { enabled: false };
    else if (typeof policy === 'string') out[id] = { enabled: true, severity: policy };
    else
      out[id] = {
        enabled: policy.enabled ?? true,
        ...(policy.severity ? { severity: policy.severity } : {}),
        ...(policy.options ? { options: policy.options } : {}),
      };
  }
  return out;
}

export function exemptionsFromConfig(config: ConfigFile): ConfigExemption[] {
  return (config.exemptions ?? []).map((e) => ({
    rules: e.rules,
    reason: e.reason,
    ...(e.namespaces ? { namespaces: e.namespaces } : {}),
    ...(e.names ? { names: e.names } : {}),
    ...(e.kinds ? { kinds: e.kinds } : {}),
    ...(e.containers ? { containers: e.containers } : {}),
    ...(e.expires ? { expires: e.expires } : {}),
  }));
}
