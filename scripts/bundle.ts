/**
 * The published CLI as a bundle (issue 17): `npm run bundle` writes dist/bundle/, which
 * package.json's `bin` runs. Loading ~300 modules one by one was most of the CLI's start (zod alone is
 * 95 files, about 50 ms unbundled against 3 ms bundled); a few files are read and compiled, and Node's
 * compile cache (src/cli/main.ts) keeps the compiled code between runs.
 *
 * Dynamic imports stay chunks: the code of a command is read only when the command runs. (One file per
 * entry was tried: the bundler then hoists the imports of the packages left outside, so every run would
 * load pino and prom-client again.) Entries share chunks.
 *
 * To add an entry (a worker thread's script, say): add it to ENTRIES. Its output is dist/bundle/<name>.js,
 * beside kube-patrol.js and the chunks (all flat in one directory), so the code that starts it should
 * find it with
 * `new URL(import.meta.url.endsWith('.ts') ? './<name>.ts' : './<name>.js', import.meta.url)` from a
 * module in the same source folder: that resolves in the sources, in tsc's dist/src (same layout) and in
 * the bundle (everything flat in dist/bundle), as long as <name> is the source file's base name
 * (src/cli/workers.ts does this for scan-worker).
 *
 * The packages only some commands use stay outside the bundle and load from node_modules when those
 * commands run (they are dependencies of the package, so npm installs them): the operator's logging,
 * metrics and cron, the Kubernetes client, and the HTML and YAML renderers' libraries. Bundling them
 * would make the file larger for every run and gains nothing for a file scan, which never loads them.
 *
 * `node scripts/bundle.ts [outDir]` (default dist/bundle).
 */
import { chmod, rm } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { join, resolve } from 'node:path';
import { build, type Plugin } from 'rolldown';
import { projectRoot } from '../src/version.ts';

/** Output name (dist/bundle/<name>.js) → source file, from the project root. */
export const ENTRIES: Readonly<Record<string, string>> = {
  'kube-patrol': 'src/cli/main.ts',
  // The manifest scan's worker thread (src/cli/workers.ts finds it beside the module that starts it).
  'scan-worker': 'src/cli/scan-worker.ts',
};

/** Loaded from node_modules at run time, by the commands that need them (see above). */
export const EXTERNAL = ['@kubernetes/client-node', 'handlebars', 'node-cron', 'pino', 'prom-client', 'yaml'];

const BUILTIN_PREFIX = '\0builtin:';

/**
 * Builtins that load more of Node when first asked for (milliseconds for getBuiltinModule in a fresh
 * `node file.mjs`, Node 24): crypto 7 (it loads webcrypto and argon2), child_process 3.7 (net),
 * worker_threads 2.8, fs/promises 1.6, stream/promises 1.6. Their facades load them on first use.
 */
export const LAZY_BUILTINS: ReadonlySet<string> = new Set([
  'node:child_process',
  'node:crypto',
  'node:fs/promises',
  'node:stream/promises',
  'node:worker_threads',
]);

/** A plain function (not a class nor an old-style constructor with methods): safe to call through. */
function isPlainFunction(value: unknown): boolean {
  if (typeof value !== 'function') return false;
  if (Function.prototype.toString.call(value).startsWith('class')) return false;
  const prototype = (value as { prototype?: object }).prototype;
  return !prototype || Object.getOwnPropertyNames(prototype).every((key) => key === 'constructor');
}

/**
 * The facade module of one builtin. Local names are `$`-prefixed, which no export of a builtin is.
 * - Every builtin: loaded with `process.getBuiltinModule`; each export is read once, as the ESM facade
 *   would, and the read is marked pure, so an export nobody imports is dropped with its read.
 * - A lazy builtin (LAZY_BUILTINS): its plain functions are wrappers that load the module on their first
 *   call, and its default export (commander's `childProcess.spawn`) is a proxy that loads it on the first
 *   property read. Its other exports (classes, values) are read at load, which loads the module then.
 */
export function builtinFacade(name: string, exports: Readonly<Record<string, unknown>>): string {
  const lazy = LAZY_BUILTINS.has(name);
  const names = Object.keys(exports).filter((key) => key !== 'default' && /^[A-Za-z_$][\w$]*$/.test(key));
  const lines = lazy
    ? [
        'let $module;',
        `const $load = () => ($module ??= process.getBuiltinModule(${JSON.stringify(name)}));`,
        'export default /* @__PURE__ */ new Proxy({}, {',
        '  get: (_, key) => $load()[key],',
        '  has: (_, key) => key in $load(),',
        '});',
      ]
    : [
        `const $module = process.getBuiltinModule(${JSON.stringify(name)});`,
        'const $load = () => $module;',
        'export default $module;',
      ];
  lines.push('const $read = (key) => $load()[key];');
  names.forEach((key, i) => {
    const quoted = JSON.stringify(key);
    if (lazy && isPlainFunction(exports[key]))
      lines.push(`function $${i}(...args) { return $load()[${quoted}].apply(this, args); }`);
    else lines.push(`const $${i} = /* @__PURE__ */ $read(${quoted});`);
    lines.push(`export { $${i} as ${key} };`);
  });
  return lines.join('\n');
}

/**
 * Node's own modules through `process.getBuiltinModule` instead of `import`. An ESM import of a builtin
 * builds its module facade, which reads every export, and reading some exports loads more of Node:
 * `import ... from 'node:process'` costs about 7 ms, 'node:fs' 4.5 ms (its ReadStream getter loads the
 * streams), 'node:util' 4 ms, where getBuiltinModule costs under 0.1 ms for each (Node 24, a fresh
 * process). See builtinFacade for the module that replaces each builtin.
 */
export function builtinsPlugin(entries: ReadonlySet<string>): Plugin {
  return {
    name: 'kube-patrol:builtins',
    resolveId(source, importer) {
      // An entry's own imports stay imports: a facade shared with a chunk would make the entry load that
      // chunk (main.ts's node:module would pull in the scan chunk for --help).
      if (!isBuiltin(source) || entries.has(importer ?? '')) return null;
      return {
        id: BUILTIN_PREFIX + (source.startsWith('node:') ? source : `node:${source}`),
        moduleSideEffects: false,
      };
    },
    async load(id) {
      if (!id.startsWith(BUILTIN_PREFIX)) return null;
      const name = id.slice(BUILTIN_PREFIX.length);
      return builtinFacade(name, (await import(name)) as Record<string, unknown>);
    },
  };
}

export async function bundle(outDir: string): Promise<string[]> {
  const root = projectRoot();
  await rm(outDir, { recursive: true, force: true });
  const result = await build({
    input: Object.fromEntries(Object.entries(ENTRIES).map(([name, source]) => [name, join(root, source)])),
    platform: 'node',
    plugins: [builtinsPlugin(new Set(Object.values(ENTRIES).map((source) => join(root, source))))],
    external: (id) => EXTERNAL.some((pkg) => id === pkg || id.startsWith(`${pkg}/`)),
    // Warnings fail the build: an unresolved import or an eval would otherwise surface only at run time.
    onLog: (level, log) => {
      if (level === 'warn') throw new Error(`bundle: ${log.message}`);
    },
    output: {
      dir: outDir,
      format: 'esm',
      entryFileNames: '[name].js',
      // Flat, beside the entries: the code that starts a worker is in a chunk, and finds the worker's
      // entry relative to its own import.meta.url.
      chunkFileNames: '[name]-[hash].js',
      // Two chunks carry what the measured paths need, instead of the ~25 small ones automatic splitting
      // makes (each module file costs a resolve, a read and a link): `cli` is the command tree that every
      // run builds (--help loads the entry, run.ts and it), `scan` is everything else a manifest scan
      // runs, the rules included. Each takes the static imports of its root with it; the other commands'
      // chunks import from both. run.ts stays a chunk of its own: importing it parses the command line,
      // and the worker entry shares chunks with the CLI.
      codeSplitting: {
        groups: [
          { name: 'cli', test: /[\\/]src[\\/]cli[\\/]program\.ts$/, priority: 2 },
          {
            name: 'scan',
            test: /[\\/]src[\\/](cli[\\/]scan|rules[\\/]index|engine[\\/]registry)\.ts$/,
            priority: 1,
          },
        ],
      },
      sourcemap: false,
      comments: { legal: true, annotation: false, jsdoc: false },
    },
  });
  // The entry's hashbang line survives bundling; `npm install` makes bin files executable, a local run
  // (`dist/bundle/kube-patrol.js --help`) needs this.
  await chmod(join(outDir, 'kube-patrol.js'), 0o755);
  return result.output.map((chunk) => join(outDir, chunk.fileName));
}

if (import.meta.main) {
  const outDir = resolve(process.argv[2] ?? join(projectRoot(), 'dist', 'bundle'));
  for (const file of await bundle(outDir)) console.log(file);
}
