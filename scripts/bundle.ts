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
import { join, resolve } from 'node:path';
import { build } from 'rolldown';
import { projectRoot } from '../src/version.ts';

/** Output name (dist/bundle/<name>.js) → source file, from the project root. */
export const ENTRIES: Readonly<Record<string, string>> = {
  'kube-patrol': 'src/cli/main.ts',
  // The manifest scan's worker thread (src/cli/workers.ts finds it beside the module that starts it).
  'scan-worker': 'src/cli/scan-worker.ts',
};

/** Loaded from node_modules at run time, by the commands that need them (see above). */
export const EXTERNAL = ['@kubernetes/client-node', 'handlebars', 'node-cron', 'pino', 'prom-client', 'yaml'];

export async function bundle(outDir: string): Promise<string[]> {
  const root = projectRoot();
  await rm(outDir, { recursive: true, force: true });
  const result = await build({
    input: Object.fromEntries(Object.entries(ENTRIES).map(([name, source]) => [name, join(root, source)])),
    platform: 'node',
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
