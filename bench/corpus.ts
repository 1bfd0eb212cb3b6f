/**
 * Precision on a real-world corpus (docs/precision.md): scans a directory of other projects' manifests
 * (bench/corpus-extract.sh) with the default settings, as a new user would, and prints the findings
 * per workload by severity and the PSS verdicts.
 *
 *   node bench/corpus.ts [CORPUS] [--json OUT]     scan; OUT keeps the per-workload figures
 *   node bench/corpus.ts --compare BEFORE AFTER    compare two such files: the numbers side by side,
 *                                                  and every workload whose PSS findings differ
 *
 * It only uses `scanManifests`, `resolveSettings` and the registry, so the same file also runs on older checkouts
 * (the "before" of docs/precision.md). Exit status 1 when --compare finds a changed PSS verdict.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { createRegistry } from '../src/engine/registry.ts';
import { resolveSettings } from '../src/pipeline/settings.ts';
import { ALL_RULES } from '../src/rules/index.ts';
import { scanManifests } from '../src/pipeline/scan-manifests.ts';

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'] as const;
type SeverityName = (typeof SEVERITY_ORDER)[number];
type Verdict = 'restricted' | 'baseline' | 'privileged';

export interface CorpusWorkload {
  /** Repository (first folder of the corpus), kind, namespace/name and file: unique enough to pair runs. */
  readonly key: string;
  readonly repo: string;
  readonly kind: string;
  readonly findings: Readonly<Record<SeverityName, number>>;
  readonly exempted: number;
  /** Every PSS finding, exempted or not (an exemption does not change what upstream decides). */
  readonly pss: readonly string[];
  readonly verdict: Verdict;
  /** Unexempted findings per rule. */
  readonly rules: Readonly<Record<string, number>>;
}

export interface CorpusRun {
  readonly corpus: string;
  readonly files: number;
  readonly errors: number;
  readonly workloads: CorpusWorkload[];
}

function zeroCounts(): Record<SeverityName, number> {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
}

export async function scanCorpus(corpus: string): Promise<CorpusRun> {
  const settings = resolveSettings(createRegistry(ALL_RULES), {}, {}, new Date());
  const { report } = await scanManifests([corpus], settings);
  const byKey = new Map<string, CorpusWorkload & { findings: Record<SeverityName, number> }>();
  const keyOf = (w: { kind: string; namespace: string | null; name: string }, file: string): string =>
    `${file} ${w.kind} ${w.namespace ?? '-'}/${w.name}`;
  for (const w of report.workloads) {
    const file = relative(corpus, w.source?.file ?? '?');
    const key = keyOf(w, file);
    // Same object twice in one file (rare: copies in a List) counts once.
    if (byKey.has(key)) continue;
    byKey.set(key, {
      key,
      repo: file.split(sep)[0] ?? '?',
      kind: w.kind,
      findings: zeroCounts(),
      exempted: 0,
      pss: [],
      verdict: 'restricted',
      rules: {},
    });
  }
  for (const f of report.findings) {
    const file = relative(corpus, f.source?.file ?? '?');
    const entry = byKey.get(keyOf(f.workload, file));
    if (!entry) continue;
    if (f.pss) {
      (entry.pss as string[]).push(
        `${f.pss.level}/${f.pss.check} ${f.path}${f.missing ? `+${f.missing}` : ''}`,
      );
      const level = f.pss.level;
      const verdict: Verdict = level === 'baseline' ? 'privileged' : 'baseline';
      if (entry.verdict === 'restricted' || verdict === 'privileged')
        (entry as { verdict: Verdict }).verdict = verdict;
    }
    if (f.exempted && !f.exemptionExpired) {
      (entry as { exempted: number }).exempted += 1;
      continue;
    }
    entry.findings[f.severity as SeverityName] += 1;
    const rules = entry.rules as Record<string, number>;
    rules[f.ruleId] = (rules[f.ruleId] ?? 0) + 1;
  }
  for (const entry of byKey.values()) (entry.pss as string[]).sort();
  return { corpus, files: countFiles(report), errors: report.errors.length, workloads: [...byKey.values()] };
}

function countFiles(report: { workloads: readonly { source?: { file: string } }[] }): number {
  return new Set(report.workloads.map((w) => w.source?.file)).size;
}

interface Summary {
  workloads: number;
  files: number;
  errors: number;
  findings: number;
  exempted: number;
  perWorkload: number;
  bySeverity: Record<SeverityName, number>;
  lowInfoShare: number;
  verdicts: Record<Verdict, number>;
  restrictedPassingPerWorkload: number;
  daemonSetPerWorkload: number;
  topRules: [string, number][];
}

function summarise(run: CorpusRun): Summary {
  const bySeverity = zeroCounts();
  const verdicts: Record<Verdict, number> = { restricted: 0, baseline: 0, privileged: 0 };
  const rules = new Map<string, number>();
  let exempted = 0;
  let restrictedFindings = 0;
  let daemonSets = 0;
  let daemonSetFindings = 0;
  for (const w of run.workloads) {
    let total = 0;
    for (const s of SEVERITY_ORDER) {
      bySeverity[s] += w.findings[s];
      total += w.findings[s];
    }
    exempted += w.exempted;
    verdicts[w.verdict] += 1;
    if (w.verdict === 'restricted') restrictedFindings += total;
    if (w.kind === 'DaemonSet') {
      daemonSets += 1;
      daemonSetFindings += total;
    }
    for (const [rule, n] of Object.entries(w.rules)) rules.set(rule, (rules.get(rule) ?? 0) + n);
  }
  const findings = SEVERITY_ORDER.reduce((sum, s) => sum + bySeverity[s], 0);
  const per = (n: number, d: number): number => (d === 0 ? 0 : Math.round((n / d) * 100) / 100);
  return {
    workloads: run.workloads.length,
    files: run.files,
    errors: run.errors,
    findings,
    exempted,
    perWorkload: per(findings, run.workloads.length),
    bySeverity,
    lowInfoShare: per(bySeverity.low + bySeverity.info, findings),
    verdicts,
    restrictedPassingPerWorkload: per(restrictedFindings, verdicts.restricted),
    daemonSetPerWorkload: per(daemonSetFindings, daemonSets),
    topRules: [...rules.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 12),
  };
}

function printSummary(label: string, s: Summary): void {
  console.log(`## ${label}`);
  console.log(`workloads ${s.workloads} (in ${s.files} files), errors ${s.errors}`);
  console.log(
    `unexempted findings ${s.findings} (${s.perWorkload} per workload), exempted ${s.exempted}, low+info share ${Math.round(s.lowInfoShare * 100)}%`,
  );
  console.log(`by severity: ${SEVERITY_ORDER.map((x) => `${x} ${s.bySeverity[x]}`).join(', ')}`);
  console.log(
    `PSS verdicts: restricted ${s.verdicts.restricted}, baseline ${s.verdicts.baseline}, privileged ${s.verdicts.privileged}`,
  );
  console.log(`findings per workload that passes restricted: ${s.restrictedPassingPerWorkload}`);
  console.log(`findings per DaemonSet: ${s.daemonSetPerWorkload}`);
  console.log(`top rules: ${s.topRules.map(([r, n]) => `${r} ${n}`).join(', ')}`);
}

function printPerRepo(run: CorpusRun): void {
  const repos = new Map<string, { workloads: number; findings: number }>();
  for (const w of run.workloads) {
    const entry = repos.get(w.repo) ?? { workloads: 0, findings: 0 };
    entry.workloads += 1;
    entry.findings += SEVERITY_ORDER.reduce((sum, s) => sum + w.findings[s], 0);
    repos.set(w.repo, entry);
  }
  console.log('per repository (workloads, findings per workload):');
  for (const [repo, e] of [...repos.entries()].sort())
    console.log(`  ${repo}: ${e.workloads}, ${Math.round((e.findings / e.workloads) * 100) / 100}`);
}

/** Workloads whose PSS findings (or verdict) differ between two runs, and workloads in only one. */
export function comparePss(before: CorpusRun, after: CorpusRun): string[] {
  const problems: string[] = [];
  const afterByKey = new Map(after.workloads.map((w) => [w.key, w]));
  for (const b of before.workloads) {
    const a = afterByKey.get(b.key);
    if (!a) {
      problems.push(`${b.key}: missing after`);
      continue;
    }
    if (a.verdict !== b.verdict) problems.push(`${b.key}: verdict ${b.verdict} -> ${a.verdict}`);
    const lost = b.pss.filter((x) => !a.pss.includes(x));
    const gained = a.pss.filter((x) => !b.pss.includes(x));
    if (lost.length > 0 || gained.length > 0)
      problems.push(`${b.key}: PSS findings -[${lost.join('; ')}] +[${gained.join('; ')}]`);
    afterByKey.delete(b.key);
  }
  for (const key of afterByKey.keys()) problems.push(`${key}: only after`);
  return problems;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--compare') {
    const [beforeFile, afterFile] = argv.slice(1);
    if (!beforeFile || !afterFile) throw new Error('usage: --compare BEFORE.json AFTER.json');
    const before = JSON.parse(await readFile(beforeFile, 'utf8')) as CorpusRun;
    const after = JSON.parse(await readFile(afterFile, 'utf8')) as CorpusRun;
    printSummary(`before (${beforeFile})`, summarise(before));
    printSummary(`after (${afterFile})`, summarise(after));
    const problems = comparePss(before, after);
    console.log(`PSS findings compared on ${before.workloads.length} workloads: ${problems.length} differ`);
    for (const p of problems) console.log(`  ${p}`);
    return problems.length === 0 ? 0 : 1;
  }
  const jsonAt = argv.indexOf('--json');
  const out = jsonAt === -1 ? undefined : argv[jsonAt + 1];
  const positional = argv.filter((_, i) => i !== jsonAt && i !== jsonAt + 1);
  const corpus = positional[0] ?? join(homedir(), '.cache', 'kube-patrol', 'corpus');
  const run = await scanCorpus(corpus);
  printSummary(corpus, summarise(run));
  printPerRepo(run);
  if (out) await writeFile(out, JSON.stringify(run));
  return 0;
}

if (import.meta.filename === process.argv[1]) process.exitCode = await main(process.argv.slice(2));
