const cache = new Map<string, RegExp>();

/** Whole-string glob match: `*` any run of characters, `?` one character. Never a prefix match. */
export function globMatch(pattern: string, value: string): boolean {
  let regex = cache.get(pattern);
  if (!regex) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    regex = new RegExp(`^${body}$`, 's');
    cache.set(pattern, regex);
  }
  return regex.test(value);
}

export function anyGlobMatch(patterns: readonly string[] | undefined, value: string | null): boolean {
  if (!patterns || patterns.length === 0) return true;
  if (value === null) return patterns.includes('*');
  return patterns.some((pattern) => globMatch(pattern, value));
}
