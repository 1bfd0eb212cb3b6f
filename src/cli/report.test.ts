import { describe, expect, it } from 'vitest';
import { forTerminal } from './report.ts';

describe('forTerminal', () => {
  const hostile = 'web\u001b[2J\u009b31m\u202egnp.exe\u0007\nnext\tline';

  it('escapes C0 (but newline and tab), C1 and bidi controls visibly in text', () => {
    expect(forTerminal(hostile)).toBe('web\\x1b[2J\\x9b31m\\u{202e}gnp.exe\\x07\nnext\tline');
  });

  it('in JSON and HTML, as escapes of the language: the same value', () => {
    const json = JSON.stringify({ name: hostile });
    const escaped = forTerminal(json, 'json');
    // eslint-disable-next-line no-control-regex
    expect(escaped).not.toMatch(/[\u001b\u009b\u202e\u0007]/);
    expect(JSON.parse(escaped)).toEqual({ name: hostile });
    expect(forTerminal('<b>\u009b</b>', 'html')).toBe('<b>&#x9b;</b>');
  });
});
