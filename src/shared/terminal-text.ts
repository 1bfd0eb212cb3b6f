/**
 * Text from manifests, the cluster or a stored report, made safe to print on a terminal. A leaf module
 * (no imports): the table renderer, every stderr message of the CLI and the `report` commands use it.
 *
 * Shown escaped, never passed through:
 * - C0 controls and DEL (ESC starts ANSI sequences; CR and BS overwrite what was printed; LF fakes lines),
 * - C1 controls (U+0080..U+009F: U+009B is a one-character CSI on many terminals),
 * - bidirectional controls (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), which reorder
 *   what is shown ("Trojan Source"), and the Unicode line and paragraph separators.
 * A control below U+0100 becomes `\xhh`; the others `\u{hhhh}`. Everything else is kept as is.
 */
const CONTROL_CLASS =
  '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const UNSAFE = new RegExp(`[${CONTROL_CLASS}]`, 'g');
/** The same, but newline and tab, which a whole rendered output keeps. */
const UNSAFE_IN_OUTPUT = new RegExp(
  `[${CONTROL_CLASS.replace('\\u0000-\\u001f', '\\u0000-\\u0008\\u000b-\\u001f')}]`,
  'g',
);

function hexOf(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

function visible(char: string): string {
  const code = char.charCodeAt(0);
  return code > 0xff ? `\\u{${hexOf(code, 4)}}` : `\\x${hexOf(code, 2)}`;
}

/** One field (a name, a path, a message) with every terminal and bidi control shown escaped (`\x1b`). */
export function terminalText(text: string): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text) ? text.replace(UNSAFE, visible) : text;
}

/**
 * A whole rendered output (a table, a report in `format`) safe for a terminal: newlines and tabs kept,
 * every other control escaped. JSON and HTML get escapes of their own language (`\u009b`, `&#x9b;`),
 * which denote the same value, so the output stays exact; other text gets the visible `\x1b` style.
 */
export function terminalOutput(text: string, format: string = 'text'): string {
  return text.replace(UNSAFE_IN_OUTPUT, (char) => {
    const code = char.charCodeAt(0);
    if (format === 'json') return `\\u${hexOf(code, 4)}`;
    if (format === 'html') return `&#x${hexOf(code, code > 0xff ? 4 : 2)};`;
    return visible(char);
  });
}
