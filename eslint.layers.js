// The layers of src/, written down once (docs/architecture.md). Each folder may import only from the
// folders listed for it; anything else is an upward (or sideways) import and fails `npm run lint`.
// Files at the top of src/ (version.ts) are leaves every layer may use.
export const LAYERS = {
  cli: [
    'fleet',
    'fixes',
    'controller',
    'pipeline',
    'sinks',
    'report',
    'rules',
    'sources',
    'config',
    'engine',
    'kube',
    'workloads',
    'shared',
    'rbac',
    'seccomp',
    'presets',
  ],
  controller: ['pipeline', 'sinks', 'report', 'sources', 'config', 'engine', 'kube', 'workloads', 'shared'],
  // Reads the reports the operators stored in many clusters and renders one page of them.
  fleet: ['sinks', 'report', 'engine', 'kube', 'workloads', 'shared'],
  pipeline: [
    'fixes',
    'sinks',
    'report',
    'sources',
    'config',
    'presets',
    'engine',
    'kube',
    'workloads',
    'shared',
  ],
  // Pure: machine fixes written into manifest text (kube-patrol fix), unified diffs, kustomize patches.
  fixes: ['engine', 'workloads', 'shared'],
  sinks: ['report', 'engine', 'kube', 'workloads', 'shared'],
  report: ['engine', 'workloads', 'shared'],
  rules: ['rbac', 'seccomp', 'engine', 'workloads', 'shared'],
  sources: ['engine', 'kube', 'workloads', 'shared'],
  config: ['presets', 'engine', 'workloads', 'shared'],
  // Shipped exemption presets for node agents: pure data and matchers, handed to the engine by settings.
  presets: ['engine', 'workloads', 'shared'],
  // Domain libraries used by rules and commands (RBAC resolution, seccomp profiles).
  rbac: ['engine', 'workloads', 'shared'],
  seccomp: ['engine', 'workloads', 'shared'],
  engine: ['workloads', 'shared'],
  kube: ['shared'],
  workloads: ['shared'],
  shared: [],
};

/** Node modules that do I/O: the pure layers (engine, rules, workloads, shared) import none of them. */
const IO_MODULES = [
  'fs',
  'fs/promises',
  'net',
  'tls',
  'http',
  'https',
  'http2',
  'child_process',
  'dgram',
  'dns',
  'worker_threads',
  'cluster',
  'readline',
  'process',
];
const PURE = new Set(['engine', 'rules', 'presets', 'fixes', 'workloads', 'shared']);

/** One ESLint config block per layer: its files, and the imports it may not make. */
export function layerConfigs() {
  const folders = Object.keys(LAYERS);
  return folders.map((folder) => {
    const forbidden = folders.filter((other) => other !== folder && !LAYERS[folder].includes(other));
    const patterns = forbidden.map((other) => ({
      group: [`**/${other}/*`, `**/${other}/**`, `../${other}`],
      message: `src/${folder} may not import from src/${other} (layers: eslint.layers.js).`,
    }));
    // Shipped code never imports the test kit or the test runner (dist/ must not contain them).
    patterns.push({
      group: ['**/test/**', 'vitest', 'vitest/*', 'fast-check'],
      message: 'shipped code (src/, not *.test.ts) may not import tests, test support or test runners.',
    });
    const paths = PURE.has(folder)
      ? IO_MODULES.flatMap((name) => [name, `node:${name}`]).map((name) => ({
          name,
          message: `src/${folder} is pure: no I/O module (ADR 0008).`,
        }))
      : [];
    return {
      files: [`src/${folder}/**/*.ts`],
      ignores: ['src/**/*.test.ts'],
      rules: { 'no-restricted-imports': ['error', { patterns, paths }] },
    };
  });
}
