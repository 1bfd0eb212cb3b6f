/**
 * Start-up (issue 17): `--help` and a file scan must not load what only other commands use. The CLI runs
 * as a real process with a resolve hook that records every module it loads (test/support/record-modules.ts);
 * no timings are asserted (docs/benchmarks.md has those). Both the sources and the published bundle
 * (scripts/bundle.ts, built here into a temporary directory) are checked.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../../scripts/bundle.ts';
import { cli as sourceCli, root } from '../support/cli.ts';

const recorder = join(root, 'test', 'support', 'record-modules.ts');
const example = join(root, 'examples', 'insecure-deployment.yaml');
const work = mkdtempSync(join(tmpdir(), 'kp-startup-'));

/** Packages that only the operator, cluster commands, or the HTML and YAML renderers need. */
const HEAVY = ['prom-client', 'pino', 'node-cron', 'handlebars', '@kubernetes/client-node', 'yaml'];
/** Our own code that a file scan has no use for. */
const NOT_FOR_A_FILE_SCAN = [
  'src/controller/',
  'src/kube/',
  'src/fleet/',
  'src/sinks/',
  'src/cli/operator.ts',
];

let run = 0;
function loaded(cli: string, args: string[], input?: string): { status: number | null; modules: string[] } {
  const out = join(work, `modules-${run++}.txt`);
  const result = spawnSync(process.execPath, ['--import', recorder, cli, ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', KUBE_PATROL_RECORD_MODULES: out, KUBECONFIG: join(work, 'none') },
  });
  return { status: result.status, modules: readFileSync(out, 'utf8').split('\n').filter(Boolean) };
}

/** The node_modules packages among the loaded modules, by name. */
function packages(modules: readonly string[]): string[] {
  const names = modules.flatMap((url) => {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    return match ? [match[1]!] : [];
  });
  return [...new Set(names)].sort();
}

/** The bundle's chunks among the loaded modules, by name without the hash (`scan-Ab12Cd.cjs` → scan). */
function chunks(modules: readonly string[]): string[] {
  return modules
    .filter((url) => url.startsWith(`file://${bundleDir}/`) && !url.endsWith('/kube-patrol.cjs'))
    .map((url) => url.slice(`file://${bundleDir}/`.length).replace(/(-[\w-]{8})?\.cjs$/, ''))
    .sort();
}

let bundled: string;
let bundleDir: string;
beforeAll(async () => {
  // Inside the project, as in an installed package: the bundle finds package.json, templates/ and the
  // packages it leaves out by walking up from its own directory.
  mkdirSync(join(root, '.cache'), { recursive: true });
  bundleDir = mkdtempSync(join(root, '.cache', 'startup-bundle-'));
  await bundle(bundleDir);
  bundled = join(bundleDir, 'kube-patrol.cjs');
}, 60_000);
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

describe('the bundle', () => {
  it('ships the scan worker entry: --workers 1 scans the examples as one thread does', () => {
    const scan = (workers: string) => {
      const result = spawnSync(
        process.execPath,
        [bundled, 'scan', 'examples', '-o', 'json', '--workers', workers],
        {
          cwd: root,
          encoding: 'utf8',
        },
      );
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      return (JSON.parse(result.stdout) as { findings: unknown[] }).findings;
    };
    const single = scan('0');
    expect(single.length).toBeGreaterThan(0);
    expect(scan('1')).toEqual(single);
  });
});

describe.each([
  ['the sources', () => sourceCli],
  ['the bundle', () => bundled],
])('start-up of %s', (_name, cli) => {
  it('--help loads commander and none of the rules, renderers or heavy packages', () => {
    const { status, modules } = loaded(cli(), ['--help']);
    expect(status).toBe(0);
    expect(packages(modules).filter((p) => p !== 'commander')).toEqual([]);
    if (cli() === sourceCli) {
      expect(modules.filter((m) => m.includes('/src/rules/'))).toEqual([]);
      expect(modules.filter((m) => m.includes('/src/report/render/index.ts'))).toEqual([]);
    } else {
      // The command tree and nothing of the scan (rules, renderers): run.cjs, the cli chunk, the runtime.
      expect(chunks(modules)).toEqual(['cli', 'rolldown-runtime', 'run']);
    }
  });

  it.each([['table'], ['json']])('a one-file scan -o %s loads none of the heavy packages', (format) => {
    const { status, modules } = loaded(cli(), ['scan', example, '-o', format]);
    expect(status).toBe(0);
    const used = packages(modules);
    expect(used.filter((p) => HEAVY.includes(p))).toEqual([]);
    expect(modules.filter((m) => NOT_FOR_A_FILE_SCAN.some((dir) => m.includes(`/${dir}`)))).toEqual([]);
    if (cli() === bundled) expect(chunks(modules)).toEqual(['cli', 'rolldown-runtime', 'run', 'scan']);
  });

  it('the recorder sees what a command does load: -o html brings Handlebars, the operator pino and prom-client', () => {
    const html = loaded(cli(), ['scan', example, '-o', 'html']);
    expect(html.status).toBe(0);
    expect(packages(html.modules)).toContain('handlebars');
    // No kubeconfig: the operator exits 2 after its implementation (logging, metrics) has loaded.
    const operator = loaded(cli(), ['operator', '--once']);
    expect(operator.status).toBe(2);
    expect(packages(operator.modules)).toEqual(expect.arrayContaining(['pino', 'prom-client']));
  });
});
