/** Pieces of CEL text (Kubernetes' CEL dialect: optionals, strings and lists extensions, RE2 regexes). */

/** A CEL string literal. */
export function celString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** A CEL list of string literals. */
export function celStrings(values: readonly string[]): string {
  return `[${values.map(celString).join(', ')}]`;
}

/**
 * An RE2 pattern that matches exactly what engine/glob.ts's globMatch matches: the whole string, `*` any
 * run of characters (also none, newlines included), `?` one character (one code point, as globMatch
 * counts them). RE2 runs in linear time, so a pattern from the config cannot make admission slow.
 */
export function globToRe2(pattern: string): string {
  let out = '';
  for (const char of Array.from(pattern)) {
    if (char === '*') out += '.*';
    else if (char === '?') out += '.';
    else out += /[\\^$.|?*+()[\]{}]/.test(char) ? `\\${char}` : char;
  }
  return `^(?s:${out})$`;
}

/** CEL: `value` matches one of the globs (engine/glob.ts anyGlobMatch; no globs: true). */
export function celAnyGlob(value: string, globs: readonly string[] | undefined): string {
  if (!globs || globs.length === 0) return 'true';
  if (globs.includes('*')) return 'true';
  return `(${globs.map((g) => `${value}.matches(${celString(globToRe2(g))})`).join(' || ')})`;
}

/**
 * A rule message (`{{placeholders}}`) as a CEL string expression: each placeholder becomes
 * `string(<item>.<key>)` of the offender at hand.
 */
export function celMessage(template: string, item: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const match of template.matchAll(/\{\{(\w+)\}\}/g)) {
    if (match.index > last) parts.push(celString(template.slice(last, match.index)));
    parts.push(`string(${item}[${celString(match[1] as string)}])`);
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push(celString(template.slice(last)));
  return parts.length === 0 ? "''" : parts.join(' + ');
}
