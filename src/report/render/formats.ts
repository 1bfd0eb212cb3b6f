// The format names alone, apart from the renderers: the CLI lists them in its option help without
// loading any renderer (index.ts re-exports them).
export const OUTPUT_FORMATS = [
  'table',
  'line',
  'json',
  'yaml',
  'html',
  'sarif',
  'openreports',
  'policyreports',
] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
