/** `npm run bench`: prints benchmark figures (docs/benchmarks.md explains them). */
import { cpus, platform, release, totalmem } from 'node:os';
import { benchFiles } from './files.ts';

const count = Number(process.env['BENCH_WORKLOADS'] ?? 10_000);
const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const cpu = cpus();
console.log(`kube-patrol benchmarks: ${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`);
console.log(`(medians of ${runs} runs; ratios are the figures to compare across machines)`);

const r = await benchFiles(count, 100, runs);
const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`.padStart(10);
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const ratio = (n: number) => `${(n / r.jsYamlParseMs).toFixed(1)}x`.padStart(6);
const row = (label: string, value: string, extra = '') => console.log(`  ${label.padEnd(44)}${value}${extra ? `   ${extra}` : ''}`);

console.log(`\nfiles: ${r.workloads.toLocaleString('en-US')} workloads in ${r.files} multi-document YAML files (${mib(r.bytes)}); ${r.findings.toLocaleString('en-US')} findings, report.json ${mib(r.reportBytes)}`);
row(`CLI scan -o json > file (wall, ${r.cliBuild})`, ms(r.cli.wallMs), `${ratio(r.cli.wallMs)} the bare parse   peak RSS ${r.cli.peakRssMiB.toFixed(0)} MiB`);
row('  of which start-up (scan of an empty dir)', ms(r.cliStartup.wallMs), `peak RSS ${r.cliStartup.peakRssMiB.toFixed(0)} MiB`);
row('bare parse, js-yaml loadAll', ms(r.jsYamlParseMs), ratio(r.jsYamlParseMs));
row('bare parse, yaml parseAllDocuments + toJS', ms(r.yamlParseMs), ratio(r.yamlParseMs));
row('engine alone (extract + all rules)', `${r.engineWorkloadsPerSecond.toLocaleString('en-US')} workloads/s`.padStart(10));

const s = r.stages;
const total = s.readMs + s.decodeMs + s.engineMs + s.buildMs + s.renderMs + s.writeMs;
const share = (n: number) => `${((100 * n) / total).toFixed(0)}%`.padStart(4);
console.log('\nwhere a scan spends its time (in-process, warm, each stage timed apart; start-up and GC pauses of the CLI excluded):');
row('read files', ms(s.readMs), share(s.readMs));
row('decode (js-yaml, line index, workload checks)', ms(s.decodeMs), share(s.decodeMs));
row('engine (all rules, exemptions, lines)', ms(s.engineMs), share(s.engineMs));
row('report build (ids, messages, sort)', ms(s.buildMs), share(s.buildMs));
row(`JSON render (${mib(s.jsonBytes)})`, ms(s.renderMs), share(s.renderMs));
row('write the JSON to a file', ms(s.writeMs), share(s.writeMs));
row('total', ms(total));
row('render + write in chunks instead (renderJsonChunks)', ms(s.streamedRenderWriteMs), `vs ${ms(s.renderMs + s.writeMs).trim()} as one string`);
