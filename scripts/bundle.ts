/**
 * The published CLI as a bundle (issue 17): `npm run bundle` writes dist/bundle/, whose kube-patrol.cjs
 * package.json's `bin` runs. Loading ~300 modules one by one was most of the CLI's start (zod alone is
 * 95 files, about 50 ms unbundled against 3 ms bundled); a few files are read and compiled.
 *
 * Two builds:
 * - **The chunks**, CommonJS (`*.cjs`, strict): run.cjs (the CLI), scan-worker.cjs (a scan worker thread's
 *   entry) and the chunks they share. The entry loads them through its code-cache loader
 *   (src/cli/code-cache.ts, ADR 0013), which keeps what V8 compiled during a run for the next one; Node's
 *   own compile cache keeps only each module's top-level code. CommonJS because only a vm.Script's code
 *   cache can be made after the code ran (an ES module's, vm.SourceTextModule, needs a flag).
 * - **The entry**, kube-patrol.cjs (src/cli/bundle-main.ts): the loader, built on its own so that it shares
 *   no chunk with what it loads, and told the build's digest, which names the cache directory.
 *
 * Dynamic imports stay chunks: the code of a command is read only when the command runs. (One file per
 * entry was tried: the bundler then hoists the imports of the packages left outside, so every run would
 * load pino and prom-client again.) Entries share chunks.
 *
 * To add an entry (a worker thread's script, say): add it to ENTRIES. Its output is
 * dist/bundle/<name>.cjs, beside the chunks (all flat in one directory), so the code that starts it should
 * find it as `./<name>` plus the extension of its own import.meta.url from a module in the same source
 * folder: that resolves in the sources (.ts), in tsc's dist/src (.js, same layout) and in the bundle
 * (.cjs, everything flat), as long as <name> is the source file's base name (src/cli/workers.ts does this
 * for scan-worker). An entry has no top-level await (CommonJS has none).
 *
 * The packages only some commands use stay outside the bundle and load from node_modules when those
 * commands run (they are dependencies of the package, so npm installs them): the operator's logging,
 * metrics and cron, the Kubernetes client, and the HTML and YAML renderers' libraries. Bundling them
 * would make the file larger for every run and gains nothing for a file scan, which never loads them.
 *
 * `node scripts/bundle.ts [outDir]` (default dist/bundle).
 */
import { createHash } from 'node:crypto';
import { chmod, rm } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { join, resolve } from 'node:path';
import { build, type Plugin } from 'rolldown';
import { projectRoot } from '../src/version.ts';

/** Output name (dist/bundle/<name>.cjs) → source file, from the project root. */
export const ENTRIES: Readonly<Record<string, string>> = {
  // The CLI: the entry (kube-patrol.cjs) loads it.
  run: 'src/cli/run.ts',
  // The manifest scan's worker thread (src/cli/workers.ts finds it beside the module that starts it).
  'scan-worker': 'src/cli/scan-worker.ts',
};

/** The bin: the code-cache loader (src/cli/bundle-main.ts), built apart from the chunks. */
export const MAIN = { name: 'kube-patrol', source: 'src/cli/bundle-main.ts' } as const;

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
  // Warnings fail the build: an unresolved import or an eval would otherwise surface only at run time.
  const onLog = (level: string, log: { message: string }) => {
    if (level === 'warn') throw new Error(`bundle: ${log.message}`);
  };
  const result = await build({
    input: Object.fromEntries(Object.entries(ENTRIES).map(([name, source]) => [name, join(root, source)])),
    platform: 'node',
    plugins: [builtinsPlugin(new Set(Object.values(ENTRIES).map((source) => join(root, source))))],
    external: (id) => EXTERNAL.some((pkg) => id === pkg || id.startsWith(`${pkg}/`)),
    onLog,
    output: {
      dir: outDir,
      format: 'cjs',
      // The sources are ES modules, strict throughout; so are their chunks.
      strict: true,
      entryFileNames: '[name].cjs',
      // Flat, beside the entries: the code that starts a worker is in a chunk, and finds the worker's
      // entry relative to its own import.meta.url.
      chunkFileNames: '[name]-[hash].cjs',
      // Two chunks carry what the measured paths need, instead of the ~25 small ones automatic splitting
      // makes (each module file costs a resolve, a read and a compile): `cli` is the command tree that
      // every run builds (--help loads run.cjs and it), `scan` is everything else a manifest scan runs,
      // the rules included. Each takes the static imports of its root with it; the other commands'
      // chunks require both. run.ts stays a chunk of its own: loading it parses the command line, and
      // the worker entry shares chunks with the CLI.
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
  const files = result.output.map((chunk) => join(outDir, chunk.fileName));
  // The build's digest names its cache directory: a chunk's code cache is never offered to another build.
  // From the build's own output (what it wrote), in file-name order.
  const digest = createHash('sha256');
  for (const out of [...result.output].sort((a, b) => (a.fileName < b.fileName ? -1 : 1)))
    digest.update(out.fileName).update(out.type === 'chunk' ? out.code : out.source);
  const main = await build({
    input: { [MAIN.name]: join(root, MAIN.source) },
    platform: 'node',
    onLog,
    transform: { define: { KUBE_PATROL_BUILD: JSON.stringify(digest.digest('hex').slice(0, 16)) } },
    output: {
      dir: outDir,
      format: 'cjs',
      strict: true,
      entryFileNames: '[name].cjs',
      sourcemap: false,
      comments: { legal: true, annotation: false, jsdoc: false },
    },
  });
  // The entry's hashbang line survives bundling; `npm install` makes bin files executable, a local run
  // (`dist/bundle/kube-patrol.cjs --help`) needs this.
  await chmod(join(outDir, `${MAIN.name}.cjs`), 0o755);
  return [...files, ...main.output.map((chunk) => join(outDir, chunk.fileName))];
}

if (import.meta.main) {
  const outDir = resolve(process.argv[2] ?? join(projectRoot(), 'dist', 'bundle'));
  for (const file of await bundle(outDir)) console.log(file);
}
