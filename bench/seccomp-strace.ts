/**
 * `node bench/seccomp-strace.ts`: how fast `kube-patrol seccomp` reads strace output. A long `-f -ttt -T -yy`
 * trace (BENCH_STRACE_MIB, default 100) is made by repeating the real sample
 * src/seccomp/testdata/strace/f-ttt-T-yy.txt (pids shifted per copy). Prints the parser's lines/s and MiB/s
 * on the whole text, then the CLI's wall time and peak RSS (`seccomp profile`, which streams the file).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SYSCALL_TABLES } from '../src/seccomp/data.ts';
import { parseStrace } from '../src/seccomp/strace.ts';
import { projectRoot } from '../src/version.ts';

const targetMiB = Number(process.env['BENCH_STRACE_MIB'] ?? 100);
const sample = readFileSync(join(projectRoot(), 'src/seccomp/testdata/strace/f-ttt-T-yy.txt'), 'utf8');
const copies = Math.max(1, Math.ceil((targetMiB * 2 ** 20) / Buffer.byteLength(sample)));
const parts: string[] = [];
for (let i = 0; i < copies; i++)
  parts.push(sample.replace(/^(\d+)/gm, (pid) => String(Number(pid) + i * 100)));
const text = parts.join('');
const bytes = Buffer.byteLength(text);
const lines = text.split('\n').length;

const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const times: number[] = [];
let heapPeak = 0;
let names = 0;
for (let r = 0; r < runs; r++) {
  const start = performance.now();
  const result = parseStrace([{ file: 'bench.txt', text }], { arch: 'x86_64', tables: SYSCALL_TABLES });
  times.push(performance.now() - start);
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  names = result.syscalls.length;
  if (result.errors.length > 0) throw new Error(`bench trace has errors: ${result.errors[0]?.message}`);
}
const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
const mib = bytes / 2 ** 20;
console.log(
  `seccomp strace parse: ${lines.toLocaleString('en-US')} lines, ${mib.toFixed(1)} MiB, ${names} distinct system calls`,
);
console.log(
  `  median of ${runs}: ${median.toFixed(0)} ms = ${((lines / median) * 1000).toLocaleString('en-US', { maximumFractionDigits: 0 })} lines/s, ${((mib / median) * 1000).toFixed(1)} MiB/s`,
);
console.log(
  `  heap used after parsing the whole text (the text included): ${(heapPeak / 2 ** 20).toFixed(0)} MiB`,
);

const dir = mkdtempSync(join(tmpdir(), 'kp-bench-strace-'));
try {
  const file = join(dir, 'trace.txt');
  writeFileSync(file, text);
  const root = projectRoot();
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      join(root, 'bench/peak-rss.ts'),
      join(root, 'src/cli/main.ts'),
      'seccomp',
      'profile',
      '--from-strace',
      file,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  );
  const wall = performance.now() - started;
  if (run.status !== 0) throw new Error(`the CLI failed: ${run.stderr}`);
  const rss = Number(/PEAK_RSS_KB (\d+)/.exec(run.stderr)?.[1] ?? 0) / 1024;
  console.log(
    `  CLI (seccomp profile, streaming the file): ${wall.toFixed(0)} ms wall, peak RSS ${rss.toFixed(0)} MiB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
