/**
 * Reads a list response (`{"kind":…,"metadata":{…},"items":[{…},…]}`) item by item: each element of the
 * top-level `items` array is parsed only when the caller asks for it, so the objects of one item are
 * garbage as soon as the caller is done with it, instead of a whole page of parsed objects surviving
 * (and being promoted by V8) while the page is worked through. Returns the rest of the response parsed,
 * with `items` empty. The text must be valid JSON (as the API server sends it); anything else throws
 * like JSON.parse.
 */
export function* iterateListText(text: string): Generator<Record<string, unknown>, Record<string, unknown>> {
  const n = text.length;
  let depth = 0;
  let key: string | null = null; // the last key read at depth 1
  let itemsStart = -1;
  let itemsEnd = -1;
  let itemStart = -1;
  let inItems = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      i = stringEnd(text, i);
      if (depth === 1) {
        let j = i + 1;
        while (j < n && isSpace(text.charCodeAt(j))) j++;
        if (text.charCodeAt(j) === 0x3a /* : */) key = text.slice(start + 1, i);
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth === 2 && c === 0x5b && key === 'items' && itemsStart < 0) {
        inItems = true;
        itemsStart = i;
      } else if (depth === 3 && inItems) {
        itemStart = i;
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (depth === 3 && inItems) {
        yield JSON.parse(text.slice(itemStart, i + 1)) as Record<string, unknown>;
      } else if (depth === 2 && inItems) {
        inItems = false;
        itemsEnd = i;
      }
      depth--;
    }
  }
  if (itemsStart < 0 || itemsEnd < 0) return JSON.parse(text) as Record<string, unknown>;
  return JSON.parse(`${text.slice(0, itemsStart + 1)}${text.slice(itemsEnd)}`) as Record<string, unknown>;
}

/** iterateListText with a callback per item; returns the rest of the response. */
export function parseListText(
  text: string,
  onItem: (item: Record<string, unknown>) => void,
): Record<string, unknown> {
  const items = iterateListText(text);
  for (;;) {
    const next = items.next();
    if (next.done) return next.value;
    onItem(next.value);
  }
}

/** Index of the quote that closes the string opened at `open`. */
function stringEnd(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) throw new SyntaxError('Unterminated string in JSON');
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 0x5c /* \ */) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
