import type { ReportDiffEntry } from '../model.ts';
import type { DiffLists } from '../diff.ts';
import { safe } from './table.ts';

/** `report diff`: two stored scans compared; JSON output is this object as it is. */
export interface ScanDiff extends DiffLists {
  readonly from: string;
  readonly to: string;
  readonly score: { readonly from: number | null; readonly to: number | null };
  /** Points lost (summary.penalty) of each scan, when both reports have it. */
  readonly penalty?: { readonly from: number; readonly to: number };
}

function describeEntry(entry: ReportDiffEntry): string {
  const w = entry.workload;
  return safe(
    `${entry.severity.padEnd(8)} ${entry.ruleId.padEnd(30)} ${w.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.name}${entry.container ? ` [${entry.container}]` : ''}`,
  );
}

const score = (n: number | null) => (n === null ? '-' : String(n));

/**
 * The diff as text. A finding that left the unexempted list because someone exempted it is not a fix:
 * it gets its own section with the reason, and so does one that came back because its exemption expired.
 */
export function renderDiffText(diff: ScanDiff): string {
  const lines = [
    `Scan ${diff.from} → ${diff.to}: score ${score(diff.score.from)} → ${score(diff.score.to)}` +
      (diff.penalty ? ` (points lost ${diff.penalty.from} → ${diff.penalty.to})` : '') +
      ', ' +
      `${diff.new.length} new, ${diff.resolved.length} resolved, ${diff.newlyExempted.length} newly exempted, ` +
      `${diff.exemptionExpired.length} exemption expired`,
  ];
  const section = (
    title: string,
    marker: string,
    entries: readonly ReportDiffEntry[],
    note: (e: ReportDiffEntry) => string,
  ) => {
    if (entries.length > 0)
      lines.push('', title, ...entries.map((e) => `  ${marker} ${describeEntry(e)}${note(e)}`));
  };
  section('New:', '+', diff.new, () => '');
  section('Exemption expired (counts again):', '!', diff.exemptionExpired, (e) =>
    e.exemptionExpired
      ? safe(`  (expired ${(e.exemptionExpired.expires ?? '').slice(0, 10)}: ${e.exemptionExpired.reason})`)
      : '',
  );
  section('Resolved (no longer found):', '-', diff.resolved, () => '');
  section('Newly exempted (not fixed):', '~', diff.newlyExempted, (e) =>
    e.exempted ? safe(`  (${e.exempted.by}: ${e.exempted.reason})`) : '',
  );
  return `${lines.join('\n')}\n`;
}
