import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseListText } from './list-text.ts';

function read(text: string): { rest: Record<string, unknown>; items: unknown[] } {
  const items: unknown[] = [];
  const rest = parseListText(text, (item) => items.push(item));
  return { rest, items };
}

describe('parseListText', () => {
  it('hands over each item and returns the rest with items empty', () => {
    const list = {
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: '42', continue: 'abc' },
      items: [
        {
          metadata: { name: 'a', annotations: { 'x/y': 'brace } and bracket ] and "quote" \\ and \\"' } },
          spec: { items: [1, 2] },
        },
        { metadata: { name: 'b' }, spec: { containers: [{ name: 'c', args: ['[', '{', '\\'] }] } },
      ],
    };
    const { rest, items } = read(JSON.stringify(list));
    expect(items).toEqual(list.items);
    expect(rest).toEqual({ ...list, items: [] });
  });

  it('reads indented text, an empty list and a list without items', () => {
    const list = { metadata: {}, items: [{ a: 1 }, { b: [{}] }] };
    expect(read(JSON.stringify(list, null, 2))).toEqual({
      rest: { metadata: {}, items: [] },
      items: list.items,
    });
    expect(read('{"items":[],"metadata":{"continue":""}}')).toEqual({
      rest: { items: [], metadata: { continue: '' } },
      items: [],
    });
    expect(read('{"kind":"Status","items":null}')).toEqual({
      rest: { kind: 'Status', items: null },
      items: [],
    });
  });

  it('only takes the top-level items, not a nested key of that name', () => {
    const text = JSON.stringify({ metadata: { items: [{ no: 1 }] }, items: [{ yes: 1 }] });
    const { rest, items } = read(text);
    expect(items).toEqual([{ yes: 1 }]);
    expect(rest).toEqual({ metadata: { items: [{ no: 1 }] }, items: [] });
  });

  it('throws on text that is not JSON', () => {
    expect(() => read('{"items":[{"a":1}')).toThrow(SyntaxError);
    expect(() => read('{"items":[{"a":"1}]}')).toThrow(SyntaxError);
  });
});

describe('parseListText over random lists', () => {
  it('hands over exactly the items JSON.parse finds, and the same rest', () => {
    const item = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 });
    const list = fc.record({
      kind: fc.constant('PodList'),
      metadata: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
      items: fc.array(item, { maxLength: 6 }),
    });
    fc.assert(
      fc.property(list, fc.boolean(), (value, indent) => {
        const text = JSON.stringify(value, null, indent ? 2 : undefined);
        const seen: unknown[] = [];
        const rest = parseListText(text, (i) => seen.push(i));
        const expected = JSON.parse(text) as { items: unknown[] };
        expect(seen).toEqual(expected.items);
        expect(rest).toEqual({ ...expected, items: [] });
      }),
      { numRuns: 2_000 },
    );
  });
});
