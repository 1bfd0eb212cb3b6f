/**
 * Whole-string glob match: `*` any run of characters (also none), `?` exactly one character. Never a
 * prefix match. No regular expression: exemption patterns come from config files and annotations, and
 * a pattern like `*a*a*a*a*b` compiled to `.*` per star backtracks for seconds on a 253-character name.
 *
 * The pattern is cut at its stars into segments. The first must match at the start, the last at the
 * end, and each one between at its leftmost place after the previous one: taking the leftmost place
 * never loses a match, because anything a later place could be followed by, an earlier one can be too
 * (the star after it absorbs the difference). So there is no backtracking, and the cost is at most the
 * name's length times the pattern's length.
 */
export function globMatch(pattern: string, value: string): boolean {
  const segments = pattern.split('*');
  const text = Array.from(value);
  if (segments.length === 1) return text.length === Array.from(pattern).length && matchesAt(text, 0, pattern);
  const first = Array.from(segments[0] as string);
  const last = Array.from(segments.at(-1) as string);
  if (first.length + last.length > text.length) return false;
  if (!matchesAt(text, 0, first)) return false;
  const end = text.length - last.length;
  if (!matchesAt(text, end, last)) return false;
  let at = first.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = Array.from(segments[i] as string);
    if (segment.length === 0) continue;
    let found = -1;
    for (let start = at; start + segment.length <= end; start++) {
      if (matchesAt(text, start, segment)) {
        found = start;
        break;
      }
    }
    if (found < 0) return false;
    at = found + segment.length;
  }
  return true;
}

/** Whether `segment` (no stars; `?` any one character) matches `text` at `start`. */
function matchesAt(text: readonly string[], start: number, segment: string | readonly string[]): boolean {
  const chars = typeof segment === 'string' ? Array.from(segment) : segment;
  if (start + chars.length > text.length) return false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c !== '?' && c !== text[start + i]) return false;
  }
  return true;
}

export function anyGlobMatch(patterns: readonly string[] | undefined, value: string | null): boolean {
  if (!patterns || patterns.length === 0) return true;
  if (value === null) return patterns.includes('*');
  return patterns.some((pattern) => globMatch(pattern, value));
}
