import type { InspectionReport } from '../model.ts';

/**
 * Reports with more findings than this are written one array entry per line (see renderJsonChunks): a
 * scan of thousands of workloads gives a report of 100+ MB, and fully indented JSON is a quarter
 * bigger and twice as slow to produce, for a file nobody reads from top to bottom.
 */
export const LARGE_REPORT_FINDINGS = 1000;

/** The report as JSON text (see renderJsonChunks for the layout). */
export function renderJson(report: InspectionReport): string {
  return Array.from(renderJsonChunks(report, 1)).join('');
}

/**
 * The report as JSON, in pieces that concatenate to renderJson's text, so that a large report can be
 * written out without holding all of it as one string. Small reports are indented throughout; large
 * ones keep the indented outline but write each array entry (finding, workload, error, rule) on one
 * line, which stays friendly to grep and diff. Both are the same JSON value.
 *
 * @param entriesPerChunk array entries joined into one piece (1 avoids building any piece twice)
 */
export function* renderJsonChunks(report: InspectionReport, entriesPerChunk = 1000): Generator<string> {
  if (report.findings.length <= LARGE_REPORT_FINDINGS) {
    yield `${JSON.stringify(report, null, 2)}\n`;
    return;
  }
  yield* outline(report, '', Math.max(1, entriesPerChunk));
  yield '\n';
}

function* outline(value: unknown, indent: string, entriesPerChunk: number): Generator<string> {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[\n';
    let piece = '';
    for (let i = 0; i < value.length; i++) {
      piece += `${i > 0 ? ',\n' : ''}${inner}${JSON.stringify(value[i]) ?? 'null'}`;
      if ((i + 1) % entriesPerChunk === 0) {
        yield piece;
        piece = '';
      }
    }
    if (piece !== '') yield piece;
    yield `\n${indent}]`;
    return;
  }
  if (value !== null && typeof value === 'object') {
    let first = true;
    for (const [key, entry] of Object.entries(value)) {
      if (entry === undefined || typeof entry === 'function') continue;
      yield `${first ? '{\n' : ',\n'}${inner}${JSON.stringify(key)}: `;
      yield* outline(entry, inner, entriesPerChunk);
      first = false;
    }
    yield first ? '{}' : `\n${indent}}`;
    return;
  }
  yield JSON.stringify(value) ?? 'null';
}
