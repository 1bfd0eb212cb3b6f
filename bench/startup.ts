/**
 * Start-up and peers (issue 17): the published CLI (the bundle of scripts/bundle.ts) beside a bare
 * `node -e ''`, and beside kube-score and Polaris when they are installed, on one manifest file and on
 * the generated 10,000-workload set. Every figure of a table comes from one run of the tool, so the
 * ratios hold on a busy machine better than the times; the load average is printed with them.
 *
 * Timing: this file's harness, which interleaves the commands (one run of each in turn, N rounds) so
 * that a burst of load on a shared machine falls on all of them alike; or, with BENCH_HYPERFINE=1,
 * hyperfine (Debian package), which runs each command's N runs in one block. On the 2-vCPU machine of
 * docs/benchmarks.md, with others' jobs coming and going, hyperfine twice timed the scan with the
 * compile cache off as faster than with it on (the load had changed between the blocks); the harness
 * never did. Medians either way.
 *
 * Peers are found in $KUBE_PATROL_PEERS (a directory holding kube-score and/or polaris), else in
 * ~/.cache/kube-patrol/peers, else on PATH; a peer that is not there is skipped with a note.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { homedir, loadavg, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { bundle } from '../scripts/bundle.ts';
import { cliNodeFlags } from './files.ts';
import { generateWorkloads, toYamlFiles } from './generate.ts';

export interface Command {
  /** What the table calls it. */
  readonly label: string;
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export interface Timed {
  readonly label: string;
  readonly medianMs: number;
  /**
   * Median CPU time (user + system) of the runs, from /usr/bin/time (10 ms resolution): less moved by
   * other jobs on the machine than the wall time, which waits for a CPU.
   */
  readonly cpuMs?: number;
  /** The largest peak RSS of the runs (from /usr/bin/time, with `rss`). */
  readonly peakRssMiB?: number;
  /** A run took longer than the timeout: the command was stopped and has no median. */
  readonly timedOutAfterMs?: number;
}

export interface TimingRun {
  readonly tool: 'hyperfine' | 'harness';
  readonly runs: number;
  /** 1-minute load average before and after the runs. */
  readonly load: readonly [number, number];
  readonly results: readonly Timed[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** An executable's path: in $KUBE_PATROL_PEERS, ~/.cache/kube-patrol/peers, or on PATH. */
export function findPeer(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [
    ...(env['KUBE_PATROL_PEERS'] ? [env['KUBE_PATROL_PEERS']] : []),
    join(homedir(), '.cache', 'kube-patrol', 'peers'),
    ...(env['PATH'] ?? '').split(delimiter).filter(Boolean),
  ];
  return dirs.map((dir) => join(dir, name)).find((file) => existsSync(file));
}

function hyperfine(): string | undefined {
  return process.env['BENCH_HYPERFINE'] === '1' ? findOnPath('hyperfine') : undefined;
}

function findOnPath(name: string): string | undefined {
  return (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find((file) => existsSync(file));
}

/** A command line as hyperfine's --shell=none reads it (shell-like words, single-quoted). */
function quoted(command: Command): string {
  const words = [...Object.entries(command.env ?? {}).map(([k, v]) => `${k}=${v}`), ...command.argv];
  const prefix = command.env && Object.keys(command.env).length > 0 ? ['env'] : [];
  return [...prefix, ...words].map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(' ');
}

/** One run: its wall time, and its CPU time and peak RSS when /usr/bin/time is there; undefined: timed out. */
function runOnce(
  command: Command,
  timeoutMs: number | undefined,
): { ms: number; cpuMs?: number; rssMiB?: number } | undefined {
  const timed = existsSync('/usr/bin/time');
  const argv = timed ? ['/usr/bin/time', '-f', 'KP_TIME %U %S %M', ...command.argv] : command.argv;
  const start = performance.now();
  const result = spawnSync(argv[0] as string, argv.slice(1), {
    stdio: ['ignore', 'ignore', timed ? 'pipe' : 'ignore'],
    encoding: 'utf8',
    env: { ...process.env, ...command.env },
    ...(timeoutMs ? { timeout: timeoutMs, killSignal: 'SIGKILL' as const } : {}),
  });
  const ms = performance.now() - start;
  if ((result.error as { code?: string } | undefined)?.code === 'ETIMEDOUT') return undefined;
  if (result.error) throw new Error(`${command.label}: ${result.error.message}`);
  const match = timed ? /KP_TIME ([\d.]+) ([\d.]+) (\d+)/.exec(result.stderr) : null;
  if (!match) return { ms };
  return { ms, cpuMs: (Number(match[1]) + Number(match[2])) * 1000, rssMiB: Number(match[3]) / 1024 };
}

/**
 * Times the commands side by side: medians of `runs` runs each after `warmup` runs (which also fill
 * Node's compile cache, as a user's first run does). Exit statuses are ignored: a scan with findings
 * exits 1 by design, and peers have their own conventions. The harness runs each command under
 * /usr/bin/time when it is installed (CPU time, peak RSS with `rss`). With `rss` or `timeoutMs` the
 * harness is used even with BENCH_HYPERFINE=1; a command whose run exceeds the timeout is stopped and not
 * run again.
 */
export function timeCommands(
  commands: readonly Command[],
  runs: number,
  warmup: number,
  options: { rss?: boolean; timeoutMs?: number } = {},
): TimingRun {
  const before = loadavg()[0] as number;
  const tool = options.rss || options.timeoutMs ? undefined : hyperfine();
  let medians: number[];
  let cpuMedians: (number | undefined)[] = [];
  const peaks = commands.map(() => 0);
  const timedOut = new Set<number>();
  if (tool) {
    const dir = mkdtempSync(join(tmpdir(), 'kp-hyperfine-'));
    const out = join(dir, 'result.json');
    const run = spawnSync(
      tool,
      [
        '--shell=none',
        '--ignore-failure',
        '--style=none',
        `--warmup=${warmup}`,
        `--runs=${runs}`,
        `--export-json=${out}`,
        ...commands.map(quoted),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`hyperfine failed: ${run.stderr}`);
    const parsed = JSON.parse(readFileSync(out, 'utf8')) as { results: { median: number }[] };
    medians = parsed.results.map((r) => r.median * 1000);
    rmSync(dir, { recursive: true, force: true });
  } else {
    const samples = commands.map(() => [] as number[]);
    const cpu = commands.map(() => [] as number[]);
    for (let round = 0; round < warmup + runs; round++) {
      // A different command first in each round: none always runs right after a cold start of another.
      for (let k = 0; k < commands.length; k++) {
        const i = (k + round) % commands.length;
        if (timedOut.has(i)) continue;
        const run = runOnce(commands[i] as Command, options.timeoutMs);
        if (!run) {
          timedOut.add(i);
          continue;
        }
        if (round >= warmup) {
          (samples[i] as number[]).push(run.ms);
          if (run.cpuMs !== undefined) (cpu[i] as number[]).push(run.cpuMs);
        }
        if (options.rss) peaks[i] = Math.max(peaks[i] as number, run.rssMiB ?? 0);
      }
    }
    medians = samples.map((values, i) => (timedOut.has(i) || values.length === 0 ? NaN : median(values)));
    cpuMedians = cpu.map((values) => (values.length > 0 ? median(values) : undefined));
  }
  const results = commands.map((command, i) => ({
    label: command.label,
    medianMs: medians[i] as number,
    ...(cpuMedians[i] !== undefined ? { cpuMs: cpuMedians[i] } : {}),
    ...(peaks[i] ? { peakRssMiB: peaks[i] } : {}),
    ...(timedOut.has(i) && options.timeoutMs ? { timedOutAfterMs: options.timeoutMs } : {}),
  }));
  return { tool: tool ? 'hyperfine' : 'harness', runs, load: [before, loadavg()[0] as number], results };
}

/** The published CLI, bundled into .cache/bench-bundle (never a stale dist/). */
export async function bundleCli(root: string): Promise<Command['argv']> {
  const dir = join(root, '.cache', 'bench-bundle');
  await bundle(dir);
  const cli = join(dir, 'kube-patrol.cjs');
  // As the bin runs: the flags of its `#!/usr/bin/env -S node ...` line.
  return [process.execPath, ...cliNodeFlags(cli), cli];
}

export interface Peers {
  readonly kubeScore?: string;
  readonly polaris?: string;
}

export function findPeers(): Peers {
  const kubeScore = findPeer('kube-score');
  const polaris = findPeer('polaris');
  return { ...(kubeScore ? { kubeScore } : {}), ...(polaris ? { polaris } : {}) };
}

/** The same scan by each tool: JSON to stdout (discarded), every file or the directory as input. */
export function scanCommands(
  cli: readonly string[],
  peers: Peers,
  input: { label: string; files: readonly string[]; dir?: string },
): Command[] {
  const paths = input.dir ? [input.dir] : input.files;
  return [
    { label: `kube-patrol scan ${input.label} -o json`, argv: [...cli, 'scan', ...paths, '-o', 'json'] },
    ...(peers.kubeScore
      ? [
          {
            label: `kube-score score ${input.label} -o json`,
            argv: [peers.kubeScore, 'score', ...input.files, '-o', 'json'],
          },
        ]
      : []),
    ...(peers.polaris
      ? [
          {
            label: `polaris audit --audit-path ${input.label} --format json`,
            argv: [
              peers.polaris,
              'audit',
              '--audit-path',
              input.dir ?? (input.files[0] as string),
              '--format',
              'json',
            ],
          },
        ]
      : []),
  ];
}

/** The generated workloads as files (bench/generate.ts, 100 per file), in a fresh temporary directory. */
export async function writeWorkloadFiles(count: number): Promise<{ dir: string; files: string[] }> {
  const dir = join(tmpdir(), `kube-patrol-bench-peers-${count}`);
  rmSync(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const texts = toYamlFiles(generateWorkloads(count), 100);
  await Promise.all(
    texts.map((text, i) => writeFile(join(dir, `workloads-${String(i).padStart(4, '0')}.yaml`), text)),
  );
  const files = (await readdir(dir)).sort().map((name) => join(dir, name));
  return { dir, files };
}
