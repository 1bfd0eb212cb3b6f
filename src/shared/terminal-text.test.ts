import { describe, expect, it } from 'vitest';
import { terminalOutput, terminalText } from './terminal-text.ts';

describe('terminalText', () => {
  it('escapes C0 controls, DEL, C1 controls (incl. the one-byte CSI U+009B) and bidi controls', () => {
    expect(terminalText('a\u001b[31mred')).toBe('a\\x1b[31mred');
    expect(terminalText('x\ry\bz\n\t\u0000')).toBe('x\\x0dy\\x08z\\x0a\\x09\\x00');
    expect(terminalText('del\u007f')).toBe('del\\x7f');
    expect(terminalText('\u009b31m\u0085\u0080\u009f')).toBe('\\x9b31m\\x85\\x80\\x9f');
    expect(terminalText('evil\u202egnp.exe')).toBe('evil\\u{202e}gnp.exe');
    expect(terminalText('\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u202a\u202b\u202c\u202d')).toBe(
      '\\u{2066}\\u{2067}\\u{2068}\\u{2069}\\u{200e}\\u{200f}\\u{061c}\\u{202a}\\u{202b}\\u{202c}\\u{202d}',
    );
    expect(terminalText('line\u2028sep\u2029')).toBe('line\\u{2028}sep\\u{2029}');
  });

  it('keeps printable text of every script unchanged', () => {
    const text = 'kube-system/nginx 名前 Ωμέγα עברית العربية C:\\path 😀 é';
    expect(terminalText(text)).toBe(text);
  });

  it('no control character survives, whatever the input', () => {
    let all = '';
    for (let c = 0; c < 0x3000; c++) all += String.fromCharCode(c);
    expect(terminalText(all)).not.toMatch(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/,
    );
  });

  it('terminalOutput keeps line breaks and tabs; JSON and HTML get their own escapes', () => {
    expect(terminalOutput('one\u001b]0;title\u0007\ntwo\t\u009b')).toBe('one\\x1b]0;title\\x07\ntwo\t\\x9b');
    const json = JSON.stringify({ name: 'a\u009b\u202e' });
    expect(JSON.parse(terminalOutput(json, 'json'))).toEqual({ name: 'a\u009b\u202e' });
    expect(terminalOutput('<b>\u009b\u2066</b>', 'html')).toBe('<b>&#x9b;&#x2066;</b>');
  });
});
