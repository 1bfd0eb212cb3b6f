/**
 * The order of text in every sorted list kube-patrol writes (findings, workloads, rules, clusters):
 * Unicode collation with CLDR's root order, as `new Intl.Collator('en').compare` gives it, whatever the
 * machine's locale. (`localeCompare` followed the process's locale, so a Danish machine sorted `aa` after
 * `z` and `B` before `b`, and the same scan gave reports in different orders on different machines.)
 *
 * Strings of printable ASCII (U+0020–U+007E), which Kubernetes names, kinds, rule ids and field paths
 * are, are compared here from the root order's table, without ICU: setting up the collator costs 6–9 ms
 * of a fresh process, most of what the report sort cost a one-file scan (issue 17). Any other string
 * goes to the collator. A differential test checks the table against Intl.Collator on generated strings.
 *
 * In the root order each printable ASCII character is one collation element: letters share a primary
 * weight with their other case and sort lowercase first at the tertiary level; every other character has
 * a primary weight of its own (punctuation and symbols before digits before letters, none ignorable).
 */

/** Printable ASCII in root collation order (a letter's lowercase immediately before its uppercase). */
const ROOT_ORDER =
  ' _-,;:!?.\'"()[]{}@*/\\&#%`^+<=>|~$0123456789aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ';

/** Primary weight by code unit (1…69); 0 for a code unit the table does not cover. */
const PRIMARY = new Uint8Array(128);
{
  let weight = 0;
  for (const char of ROOT_ORDER) {
    const code = char.charCodeAt(0);
    PRIMARY[code] = code >= 0x41 && code <= 0x5a ? (PRIMARY[code + 0x20] as number) : ++weight;
  }
}

let collator: Intl.Collator | undefined;

function collate(a: string, b: string): number {
  collator ??= new Intl.Collator('en');
  return collator.compare(a, b);
}

function covered(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || PRIMARY[code] === 0) return false;
  }
  return true;
}

/** -1, 0 or 1: `a` before, equal to or after `b` in the root collation order. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const common = Math.min(a.length, b.length);
  let primary = 0;
  let tertiary = 0;
  for (let i = 0; i < common; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    const px = x < 128 ? (PRIMARY[x] as number) : 0;
    const py = y < 128 ? (PRIMARY[y] as number) : 0;
    if (px === 0 || py === 0) return collate(a, b);
    if (primary === 0) {
      if (px !== py) primary = px < py ? -1 : 1;
      // The same letter in the other case: lowercase first.
      else if (tertiary === 0 && x !== y) tertiary = x > y ? -1 : 1;
    }
  }
  if (!covered(a, common) || !covered(b, common)) return collate(a, b);
  if (primary !== 0) return primary;
  // One is a prefix of the other at the primary level: the shorter first, whatever the case.
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return tertiary;
}
