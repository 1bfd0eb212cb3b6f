export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

/** A text in every report language. */
export type Localized = Readonly<Record<Language, string>>;

/** A text split at its `{{name}}` placeholders: parse once, fill many times. */
export interface MessageTemplate {
  /** Text around the placeholders: one more than `names`. */
  readonly texts: readonly string[];
  readonly names: readonly string[];
  /** Each placeholder as written, kept when there is no such value. */
  readonly placeholders: readonly string[];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

export function compileTemplate(text: string): MessageTemplate {
  const texts: string[] = [];
  const names: string[] = [];
  const placeholders: string[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    texts.push(text.slice(last, match.index));
    names.push(match[1] as string);
    placeholders.push(match[0]);
    last = match.index + match[0].length;
  }
  texts.push(text.slice(last));
  return { texts, names, placeholders };
}

/**
 * Fills a compiled template; `lookup` gives a placeholder's value or undefined, and an unknown name is
 * left visible so a missing value is noticed.
 */
export function fillTemplate(
  template: MessageTemplate,
  lookup: (name: string) => string | number | undefined,
): string {
  const { texts, names, placeholders } = template;
  if (names.length === 0) return texts[0] as string;
  const parts: string[] = [texts[0] as string];
  for (let i = 0; i < names.length; i++) {
    const value = lookup(names[i] as string);
    parts.push(value === undefined ? (placeholders[i] as string) : String(value));
    parts.push(texts[i + 1] as string);
  }
  // join() gives one flat string; `+=` would keep a rope of small pieces alive in every result.
  return parts.join('');
}

/** Fills `{{name}}` placeholders; unknown names are left visible so a missing value is noticed. */
export function interpolate(template: string, data: Readonly<Record<string, string | number>>): string {
  return fillTemplate(compileTemplate(template), (name) =>
    Object.hasOwn(data, name) ? data[name] : undefined,
  );
}
