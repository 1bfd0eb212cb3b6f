/** `npm run bench`: prints benchmark figures (docs/benchmarks.md explains them). */
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/version.ts';
import { benchCluster } from './cluster.ts';
import { benchFiles, cliNodeFlags, compileCli } from './files.ts';
import { benchRbac, printRbacBench } from './rbac.ts';
import { benchWorkers, printWorkersBench } from './workers.ts';
import {
  bundleCli,
  findPeers,
  scanCommands,
  timeCommands,
  writeWorkloadFiles,
  type Command,
  type TimingRun,
} from './startup.ts';

const count = Number(process.env['BENCH_WORKLOADS'] ?? 10_000);
const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const cpu = cpus();
console.log(
  `kube-patrol benchmarks: ${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`,
);
console.log(`(medians of ${runs} runs; ratios are the figures to compare across machines)`);

// `npm run bench -- startup peers` runs only those sections; no names: every section (as before, with
// the BENCH_FILES=0 / BENCH_WORKERS=0 / BENCH_CLUSTER=0 / BENCH_RBAC=0 switches).
const SECTIONS = ['files', 'workers', 'cluster', 'rbac', 'startup', 'peers'] as const;
const asked = process.argv.slice(2);
for (const name of asked)
  if (!(SECTIONS as readonly string[]).includes(name))
    throw new Error(`unknown section "${name}" (sections: ${SECTIONS.join(', ')})`);
const wanted = (name: (typeof SECTIONS)[number], envSwitch?: string) =>
  asked.length > 0 ? asked.includes(name) : envSwitch === undefined || process.env[envSwitch] !== '0';

const root = projectRoot();
const needsTsc =
  wanted('files', 'BENCH_FILES') ||
  wanted('workers', 'BENCH_WORKERS') ||
  wanted('cluster', 'BENCH_CLUSTER') ||
  wanted('startup');
const compiled = needsTsc ? compileCli(root) : { cli: '', build: 'src' as const };
const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`.padStart(10);
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
// A label longer than its column still gets a space before the value.
const row = (label: string, value: string, extra = '') =>
  console.log(`  ${label.padEnd(44)} ${value}${extra ? `   ${extra}` : ''}`);

if (wanted('files', 'BENCH_FILES')) await filesBench();
if (wanted('workers', 'BENCH_WORKERS'))
  printWorkersBench(
    await benchWorkers(
      compiled.cli,
      root,
      count,
      runs,
      process.env['BENCH_WORKER_SIZES']?.split(',').map(Number),
    ),
    row,
    compiled.build,
  );
if (wanted('cluster', 'BENCH_CLUSTER')) await clusterBench();
if (wanted('rbac', 'BENCH_RBAC')) printRbacBench(benchRbac(), row);
if (wanted('startup') || wanted('peers')) {
  const cli = await bundleCli(root);
  const peers = findPeers();
  if (wanted('startup')) startupBench(cli, peers);
  if (wanted('peers')) await peersBench(cli, peers);
}

function printTiming(run: TimingRun, baseline: string, others: readonly string[] = []): void {
  const base = run.results.find((r) => r.label === baseline)?.medianMs;
  const vs = (ms: number, label: string) => {
    const other = run.results.find((r) => r.label === label);
    return other && !other.timedOutAfterMs
      ? `${(ms / other.medianMs).toFixed(2)}x ${label.split(' ')[0]}`
      : '';
  };
  for (const r of run.results) {
    const extra = [
      base !== undefined ? `${(r.medianMs / base).toFixed(2)}x` : '',
      base !== undefined && r.label !== baseline
        ? `${r.medianMs - base >= 0 ? '+' : ''}${Math.round(r.medianMs - base)} ms`
        : '',
      ...others.filter((o) => o !== r.label).map((o) => vs(r.medianMs, o)),
      r.cpuMs !== undefined ? `cpu ${Math.round(r.cpuMs)} ms` : '',
      r.peakRssMiB !== undefined ? `peak RSS ${r.peakRssMiB.toFixed(0)} MiB` : '',
    ].filter(Boolean);
    if (r.timedOutAfterMs)
      row(
        r.label,
        `> ${Math.round(r.timedOutAfterMs / 1000)} s`.padStart(10),
        'stopped (BENCH_PEER_TIMEOUT)',
      );
    else row(r.label, ms(r.medianMs), extra.join('   '));
  }
  console.log(
    `  (${run.tool}, median of ${run.runs} runs each; load average ${run.load[0].toFixed(2)} before, ${run.load[1].toFixed(2)} after, ${cpu.length} CPUs)`,
  );
}

function peerNote(peers: ReturnType<typeof findPeers>): void {
  const missing = [!peers.kubeScore && 'kube-score', !peers.polaris && 'polaris'].filter(Boolean);
  if (missing.length > 0)
    console.log(
      `  skipped: ${missing.join(', ')} not installed (looked in $KUBE_PATROL_PEERS, ~/.cache/kube-patrol/peers, PATH)`,
    );
}

function startupBench(cli: readonly string[], peers: ReturnType<typeof findPeers>): void {
  const one = join(root, 'examples', 'insecure-deployment.yaml');
  const bare = "node -e ''";
  const scanOne = 'kube-patrol scan FILE -o json';
  const commands: Command[] = [
    { label: bare, argv: [process.execPath, '-e', ''] },
    { label: 'kube-patrol --help', argv: [...cli, '--help'] },
    { label: scanOne, argv: [...cli, 'scan', one, '-o', 'json'] },
    // The levers, in the same run: without the compile cache, and unbundled (tsc's dist/src).
    {
      label: '  the same, compile cache off',
      argv: [...cli, 'scan', one, '-o', 'json'],
      env: { NODE_DISABLE_COMPILE_CACHE: '1' },
    },
    ...(compiled.build === 'dist'
      ? [
          {
            label: '  the same, unbundled (tsc dist/src)',
            argv: [process.execPath, ...cliNodeFlags(compiled.cli), compiled.cli, 'scan', one, '-o', 'json'],
          },
        ]
      : []),
    ...scanCommands(cli, peers, { label: 'FILE', files: [one] }).slice(1),
  ];
  const runs = Number(process.env['BENCH_STARTUP_RUNS'] ?? 30);
  console.log(`\nstart-up: FILE = examples/insecure-deployment.yaml (1 Deployment, 2 containers)`);
  printTiming(
    timeCommands(commands, runs, 3),
    bare,
    commands.filter((c) => /^(kube-score|polaris)/.test(c.label)).map((c) => c.label),
  );
  peerNote(peers);
}

async function peersBench(cli: readonly string[], peers: ReturnType<typeof findPeers>): Promise<void> {
  const workloads = Number(process.env['BENCH_PEERS_WORKLOADS'] ?? count);
  const set = await writeWorkloadFiles(workloads);
  const commands = scanCommands(cli, peers, { label: 'DIR', files: set.files, dir: set.dir });
  console.log(
    `\npeers: DIR = ${workloads.toLocaleString('en-US')} generated workloads in ${set.files.length} files (bench/generate.ts)`,
  );
  printTiming(
    timeCommands(commands, runs, 0, {
      rss: true,
      timeoutMs: Number(process.env['BENCH_PEER_TIMEOUT'] ?? 300) * 1000,
    }),
    commands[0]!.label,
    commands.slice(1).map((c) => c.label),
  );
  peerNote(peers);
}

async function filesBench(): Promise<void> {
  const r = await benchFiles(count, 100, runs, compiled);
  const ratio = (n: number) => `${(n / r.jsYamlParseMs).toFixed(1)}x`.padStart(6);

  console.log(
    `\nfiles: ${r.workloads.toLocaleString('en-US')} workloads in ${r.files} multi-document YAML files (${mib(r.bytes)}); ${r.findings.toLocaleString('en-US')} findings, report.json ${mib(r.reportBytes)}`,
  );
  row(
    `CLI scan -o json > file (wall, ${r.cliBuild})`,
    ms(r.cli.wallMs),
    `${ratio(r.cli.wallMs)} the bare parse   peak RSS ${r.cli.peakRssMiB.toFixed(0)} MiB`,
  );
  row(
    '  of which start-up (scan of an empty dir)',
    ms(r.cliStartup.wallMs),
    `peak RSS ${r.cliStartup.peakRssMiB.toFixed(0)} MiB`,
  );
  row('bare parse, js-yaml loadAll', ms(r.jsYamlParseMs), ratio(r.jsYamlParseMs));
  row('bare parse, yaml parseAllDocuments + toJS', ms(r.yamlParseMs), ratio(r.yamlParseMs));
  row(
    'engine alone (extract + all rules)',
    `${r.engineWorkloadsPerSecond.toLocaleString('en-US')} workloads/s`.padStart(10),
  );

  const s = r.stages;
  const total = s.readMs + s.decodeMs + s.engineMs + s.buildMs + s.renderMs + s.writeMs;
  const share = (n: number) => `${((100 * n) / total).toFixed(0)}%`.padStart(4);
  console.log(
    '\nwhere a scan spends its time (in-process, warm, each stage timed apart; start-up and GC pauses of the CLI excluded):',
  );
  row('read files', ms(s.readMs), share(s.readMs));
  row('decode (js-yaml, line index, workload checks)', ms(s.decodeMs), share(s.decodeMs));
  row('engine + report findings (rules, ids, text)', ms(s.engineMs), share(s.engineMs));
  row('report assembly (sort, summary)', ms(s.buildMs), share(s.buildMs));
  row(`JSON render (${mib(s.jsonBytes)})`, ms(s.renderMs), share(s.renderMs));
  row('write the JSON to a file', ms(s.writeMs), share(s.writeMs));
  row('total', ms(total));
  row(
    'render + write in chunks instead (renderJsonChunks)',
    ms(s.streamedRenderWriteMs),
    `vs ${ms(s.renderMs + s.writeMs).trim()} as one string`,
  );
}

async function clusterBench(): Promise<void> {
  const c = await benchCluster(compiled.cli, root, count, runs);
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  const vsList = (n: number) => `${(n / c.kubectl.wallMs).toFixed(2)}x the kubectl list`;
  console.log(
    `\ncluster: ${c.pods.toLocaleString('en-US')} pods, ${c.controllers.toLocaleString('en-US')} controllers (${c.objects.toLocaleString('en-US')} objects with owned ReplicaSets/Jobs and namespaces), seeded in ${ms(c.seedMs).trim()}`,
  );
  row(
    'kubectl get <7 kinds> -A -o json (wall)',
    ms(c.kubectl.wallMs),
    `1.00x   ${c.kubectl.requests} requests   peak RSS n/a   ${mib(c.kubectl.bytes)} of JSON`,
  );
  row(
    `CLI scan -o json > file (wall, ${compiled.build})`,
    ms(c.scan.wallMs),
    `${vsList(c.scan.wallMs)}   ${c.scan.requests} requests   peak RSS ${c.scan.peakRssMiB.toFixed(0)} MiB`,
  );
  row(
    '  report.json',
    mib(c.scan.bytes).padStart(10),
    `gzip ${kib(c.scan.gzipBytes)}   ${c.scan.workloads.toLocaleString('en-US')} workloads, ${c.scan.findings.toLocaleString('en-US')} findings`,
  );
  row(
    'operator --once (wall, list + render + write)',
    ms(c.operator.wallMs),
    `${vsList(c.operator.wallMs)}   ${c.operator.requests} requests   peak RSS ${c.operator.peakRssMiB.toFixed(0)} MiB   scan ${ms(c.operator.scanMs).trim()}`,
  );
  row(
    '  ConfigMap kube-patrol-report',
    kib(c.operator.configMapBytes).padStart(10),
    `storage ${c.operator.storage}${c.operator.parts ? ` (${c.operator.parts} part ConfigMaps)` : ''}   ${Object.entries(
      c.operator.stored,
    )
      .map(([key, bytes]) => `${key} ${kib(bytes)}`)
      .join('   ')}`,
  );
}
