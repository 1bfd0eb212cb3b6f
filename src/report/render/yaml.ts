import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { InspectionReport } from '../model.ts';

// The yaml package is loaded on the first YAML rendering, not with the renderers every scan imports (a
// table or JSON scan never needs it); a synchronous require keeps the renderers synchronous.
const loadModule = createRequire(import.meta.url);
let yamlModule: typeof Yaml | undefined;

/** One YAML document of the value: no line folding, no anchors for repeated objects. */
export function yamlDocument(value: unknown): string {
  yamlModule ??= loadModule('yaml') as typeof Yaml;
  return yamlModule.stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

export function renderYaml(report: InspectionReport): string {
  return yamlDocument(report);
}
