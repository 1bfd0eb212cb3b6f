/**
 * A unified diff of two texts (the format of `diff -u` and `git diff`, which `patch -p0`/`git apply` read),
 * from a Myers shortest edit script over lines. Pure.
 */

type Edit = { readonly kind: ' ' | '-' | '+'; readonly line: string };

export interface UnifiedDiffOptions {
  /** Lines of context around each change (default 3). */
  readonly context?: number;
}

/** A line without its newline: the last line of a text that does not end in one. */
const NO_NEWLINE = '\u0000';

/** `--- from` / `+++ to` and the hunks; an empty string when the texts are equal. */
export function unifiedDiff(
  fromName: string,
  toName: string,
  before: string,
  after: string,
  options: UnifiedDiffOptions = {},
): string {
  if (before === after) return '';
  const context = options.context ?? 3;
  const edits = diffLines(splitLines(before), splitLines(after));
  // Line numbers (1-based) of each edit in the old and the new text.
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let o = 1;
  let n = 1;
  for (const edit of edits) {
    oldAt.push(o);
    newAt.push(n);
    if (edit.kind !== '+') o++;
    if (edit.kind !== '-') n++;
  }
  const out = [`--- ${fromName}`, `+++ ${toName}`];
  let i = 0;
  while (i < edits.length) {
    if ((edits[i] as Edit).kind === ' ') {
      i++;
      continue;
    }
    // The previous hunk ended more than `context` lines before: this one cannot overlap it.
    const start = Math.max(0, i - context);
    let end = i;
    // Extend over changes separated by at most 2 * context unchanged lines.
    for (;;) {
      while (end < edits.length && (edits[end] as Edit).kind !== ' ') end++;
      let run = 0;
      while (end + run < edits.length && (edits[end + run] as Edit).kind === ' ') run++;
      if (end + run < edits.length && run <= 2 * context) end += run;
      else {
        end += Math.min(run, context);
        break;
      }
    }
    const hunk = edits.slice(start, end);
    const oldCount = hunk.filter((e) => e.kind !== '+').length;
    const newCount = hunk.filter((e) => e.kind !== '-').length;
    out.push(`@@ -${range(oldAt[start] as number, oldCount)} +${range(newAt[start] as number, newCount)} @@`);
    for (const edit of hunk) {
      const cut = edit.line.endsWith(NO_NEWLINE);
      out.push(`${edit.kind}${cut ? edit.line.slice(0, -1) : edit.line}`);
      if (cut) out.push('\\ No newline at end of file');
    }
    i = end;
  }
  return `${out.join('\n')}\n`;
}

function range(start: number, count: number): string {
  // diff writes an empty range as the line before it.
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  if (text.endsWith('\n')) return text.slice(0, -1).split('\n');
  const lines = text.split('\n');
  lines[lines.length - 1] += NO_NEWLINE;
  return lines;
}

/** Myers' O(ND) shortest edit script between two line lists, keeping O(D²) of history to backtrack. */
export function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    // Only diagonals -d..d can be reached in d steps: keeping just them makes the trace O(D²), not O(D·N).
    trace.push(v.slice(offset - d, offset + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))
          ? (v[offset + k + 1] as number)
          : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Backtrack from (n, m) through the saved frontiers.
  const edits: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const saved = trace[d] as Int32Array;
    // saved[i] is the frontier of diagonal i - d.
    const frontier = (diagonal: number) => saved[diagonal + d] as number;
    const k = x - y;
    const previousK = k === -d || (k !== d && frontier(k - 1) < frontier(k + 1)) ? k + 1 : k - 1;
    const previousX = d === 0 ? 0 : frontier(previousK);
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      edits.push({ kind: ' ', line: a[x - 1] as string });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === previousX) edits.push({ kind: '+', line: b[y - 1] as string });
      else edits.push({ kind: '-', line: a[x - 1] as string });
    }
    x = previousX;
    y = previousY;
  }
  return edits.reverse();
}
