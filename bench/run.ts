/** `npm run bench`: prints benchmark figures (docs/benchmarks.md explains them). */
import { cpus, totalmem } from 'node:os';
import { benchFiles } from './files.ts';

const count = Number(process.env['BENCH_WORKLOADS'] ?? 10_000);
console.log(`kube-patrol benchmarks on ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
const files = await benchFiles(count);
const f = (n: number) => n.toFixed(0).padStart(8);
console.log(`\nfiles: ${files.workloads} workloads in ${files.files} multi-document YAML files (${(files.bytes / 2 ** 20).toFixed(1)} MiB)`);
console.log(`  CLI scan -o json (wall, incl. start-up) ${f(files.cliWallMs)} ms   peak RSS ${files.cliPeakRssMiB.toFixed(0)} MiB`);
console.log(`  bare parse, js-yaml loadAll            ${f(files.jsYamlParseMs)} ms   scan/parse ratio ${(files.cliWallMs / files.jsYamlParseMs).toFixed(2)}`);
console.log(`  bare parse, yaml parseAllDocuments     ${f(files.yamlParseMs)} ms   scan/parse ratio ${(files.cliWallMs / files.yamlParseMs).toFixed(2)}`);
console.log(`  engine alone (extract + all rules)     ${f(files.engineWorkloadsPerSecond)} workloads/s   (${files.findings} findings)`);
