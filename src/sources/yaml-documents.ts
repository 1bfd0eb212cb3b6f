import {
  constructFromEvents,
  EVENT_ID,
  getScalarValue,
  parseEvents,
  SCALAR_STYLE,
  YAMLException,
  type Event,
  type ScalarEvent,
} from 'js-yaml';
import type { FieldPath } from '../shared/field-path.ts';
import { isPlainString, KUBERNETES_YAML_SCHEMA, plainScalarKey } from './yaml-schema.ts';

/**
 * Aliases may add at most this many nodes to one input (over all its documents). An alias shares the
 * anchored value, so decoding is cheap, but everything after (validation, rules) walks the expanded
 * tree: a "billion laughs" of a few lines would otherwise cost minutes and gigabytes.
 */
export const MAX_ALIAS_EXPANSION = 1_000_000;

export type DecodedDocument =
  | { readonly value: unknown; readonly lineOf: (path: FieldPath) => number | undefined }
  | { readonly error: string; readonly line?: number };

/**
 * Decodes a YAML (or JSON) stream into its documents with js-yaml, as Kubernetes reads it (YAML 1.1
 * scalars, see yaml-schema.ts). Each document can tell the 1-based line of any field path, resolved
 * on demand from the parser's events, so only findings pay for lines. A document that cannot be
 * parsed or decoded becomes an error entry and the others are still read. Never throws.
 */
export function decodeYamlDocuments(text: string): DecodedDocument[] {
  const lines = new LineIndex(text);
  try {
    return decodeStream(text, 0, lines);
  } catch {
    // js-yaml stops at the first error of the stream: decode one document at a time to keep the rest.
  }
  const budget = { aliasNodes: MAX_ALIAS_EXPANSION };
  const documents: DecodedDocument[] = [];
  for (const [start, end] of documentChunks(text)) {
    try {
      documents.push(...decodeStream(text.slice(start, end), start, lines, budget));
    } catch (error) {
      documents.push(describeError(error, start, lines));
    }
  }
  return documents;
}

function describeError(error: unknown, base: number, lines: LineIndex): DecodedDocument {
  if (error instanceof YAMLException) {
    const position = error.mark?.position;
    return position === undefined
      ? { error: error.reason }
      : { error: error.reason, line: lines.lineAt(base + position) };
  }
  return { error: error instanceof Error ? error.message : String(error) };
}

/** Parses and constructs a whole stream; throws the first parse or construction error. */
function decodeStream(
  source: string,
  base: number,
  lines: LineIndex,
  budget = { aliasNodes: MAX_ALIAS_EXPANSION },
): DecodedDocument[] {
  const events = parseEvents(source, {});
  const index = new EventIndex(events, source, base, lines, budget);
  // Duplicate keys: the last wins, as in go-yaml v2 and JSON.parse (`json: true`).
  const values = constructFromEvents(events, {
    source,
    schema: KUBERNETES_YAML_SCHEMA,
    json: true,
    maxTotalMergeKeys: MAX_ALIAS_EXPANSION,
  });
  return index.documents.map((document, i) => {
    if (document.error !== undefined)
      return { error: document.error, line: lines.lineAt(base + document.errorAt) };
    const start = document.start;
    return { value: values[i], lineOf: (path: FieldPath) => index.lineOf(start, path) };
  });
}

/** [start, end) offsets of each document of a stream, cut at `---` lines (a preamble joins the next). */
export function documentChunks(text: string): [number, number][] {
  const starts = [0];
  for (const match of text.matchAll(/^---(?=[ \t\r\n]|$)/gm)) if (match.index > 0) starts.push(match.index);
  const chunks: [number, number][] = [];
  let start = 0;
  for (let i = 0; i < starts.length; i++) {
    const end = starts[i + 1] ?? text.length;
    if (end !== text.length && isPreamble(text.slice(start, end))) continue;
    chunks.push([start, end]);
    start = end;
  }
  return chunks;
}

function isPreamble(chunk: string): boolean {
  return chunk.split('\n').every((line) => /^\s*(?:#.*)?$/.test(line) || line.startsWith('%'));
}

/** Line numbers by offset, computed once per input on first use. */
class LineIndex {
  private readonly text: string;
  private starts: number[] | undefined;
  constructor(text: string) {
    this.text = text;
  }

  lineAt(offset: number): number {
    const starts = (this.starts ??= lineStarts(this.text));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((starts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
}

interface KeyTable {
  readonly keys: Map<string, number>;
  /** Values of `<<` merge keys. */
  readonly merges: number[];
}

interface DocumentInfo {
  /** Index of the DOCUMENT event. */
  readonly start: number;
  error?: string;
  errorAt: number;
}

const { DOCUMENT, SEQUENCE, MAPPING, SCALAR, ALIAS, POP } = EVENT_ID;

/**
 * One pass over the parser's events: where each document starts, where each collection ends, what
 * each alias points at, and how many nodes aliases add (bounded by the budget, recursion refused).
 */
class EventIndex {
  readonly documents: DocumentInfo[] = [];
  /** For a collection: the index after its POP. For an alias: the index of its anchored node, or -1. */
  private readonly link: Int32Array;
  private readonly events: readonly Event[];
  private readonly source: string;
  private readonly base: number;
  private readonly lines: LineIndex;
  private readonly keyTables = new Map<number, KeyTable>();

  constructor(
    events: readonly Event[],
    source: string,
    base: number,
    lines: LineIndex,
    budget: { aliasNodes: number },
  ) {
    this.events = events;
    this.source = source;
    this.base = base;
    this.lines = lines;
    const link = (this.link = new Int32Array(events.length));
    const stack: number[] = [];
    const counts: number[] = [];
    const anchors = new Map<string, number>();
    /** Expanded node count of each anchored node; -1 while it is still open. */
    const anchoredSize = new Map<number, number>();
    let document: DocumentInfo | undefined;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as Event;
      switch (event.type) {
        case DOCUMENT:
          document = { start: i, errorAt: 0 };
          this.documents.push(document);
          anchors.clear();
          stack.push(i);
          counts.push(0);
          break;
        case SEQUENCE:
        case MAPPING:
          if (event.anchorStart >= 0) {
            anchors.set(source.slice(event.anchorStart, event.anchorEnd), i);
            anchoredSize.set(i, -1);
          }
          stack.push(i);
          counts.push(1);
          break;
        case SCALAR:
          if (event.anchorStart >= 0) {
            anchors.set(source.slice(event.anchorStart, event.anchorEnd), i);
            anchoredSize.set(i, 1);
          }
          counts[counts.length - 1]! += 1;
          break;
        case ALIAS: {
          const target = anchors.get(source.slice(event.anchorStart, event.anchorEnd)) ?? -1;
          link[i] = target;
          const size = anchoredSize.get(target) ?? 1;
          if (size < 0 && document && document.error === undefined) {
            document.error = `recursive alias *${source.slice(event.anchorStart, event.anchorEnd)}`;
            document.errorAt = event.anchorStart;
          }
          const added = Math.max(size, 1) - 1;
          budget.aliasNodes -= added;
          if (budget.aliasNodes < 0 && document && document.error === undefined) {
            document.error = `aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes`;
            document.errorAt = event.anchorStart;
          }
          counts[counts.length - 1]! += Math.max(size, 1);
          break;
        }
        case POP: {
          const start = stack.pop() as number;
          const size = counts.pop() as number;
          link[start] = i + 1;
          if (anchoredSize.has(start)) anchoredSize.set(start, size);
          if (counts.length > 0) counts[counts.length - 1]! += size;
          break;
        }
      }
    }
  }

  /** The 1-based line of a field path in the document whose DOCUMENT event is at `start`. */
  lineOf(start: number, path: FieldPath): number | undefined {
    let node = this.resolve(start + 1);
    if (node < 0) return undefined;
    let offset = this.nodeOffset(start + 1);
    for (const segment of path) {
      const event = this.events[node] as Event;
      if (event.type === MAPPING) {
        const entry = this.findKey(node, String(segment), 0);
        if (!entry) return undefined;
        offset = this.nodeOffset(entry.value);
        node = this.resolve(entry.value);
      } else if (event.type === SEQUENCE && typeof segment === 'number') {
        let item = node + 1;
        for (let n = 0; n < segment && (this.events[item] as Event).type !== POP; n++) item = this.next(item);
        if ((this.events[item] as Event).type === POP) return undefined;
        offset = this.nodeOffset(item);
        node = this.resolve(item);
      } else {
        return undefined;
      }
      if (node < 0) return undefined;
    }
    return this.lines.lineAt(this.base + offset);
  }

  /** The entry of `key` in a mapping: the last one written, else the first merge (`<<`) that has it. */
  private findKey(mapping: number, key: string, depth: number): { key: number; value: number } | undefined {
    const table = this.keyTable(mapping);
    const found = table.keys.get(key);
    if (found !== undefined) return { key: found, value: this.next(found) };
    if (depth > 10) return undefined;
    for (const merge of table.merges) {
      const target = this.resolve(merge);
      const event = this.events[target] as Event | undefined;
      const sources =
        event?.type === SEQUENCE ? this.items(target).map((item) => this.resolve(item)) : [target];
      for (const source of sources) {
        if ((this.events[source] as Event | undefined)?.type !== MAPPING) continue;
        const entry = this.findKey(source, key, depth + 1);
        if (entry) return entry;
      }
    }
    return undefined;
  }

  /** The keys of a mapping (as object keys) to the index of their key node, built on first use. */
  private keyTable(mapping: number): KeyTable {
    let table = this.keyTables.get(mapping);
    if (table) return table;
    table = { keys: new Map(), merges: [] };
    for (let k = mapping + 1; (this.events[k] as Event).type !== POP;) {
      const value = this.next(k);
      const keyEvent = this.events[this.resolve(k)] as Event | undefined;
      if (keyEvent?.type === SCALAR) {
        if (this.isMergeKey(keyEvent)) table.merges.push(value);
        else table.keys.set(this.keyString(keyEvent), k); // a later duplicate wins, as in the object
      }
      k = this.next(value);
    }
    this.keyTables.set(mapping, table);
    return table;
  }

  /** The object key a key scalar becomes: a plain one is resolved like a value (`y` is "true"). */
  private keyString(event: ScalarEvent): string {
    const { source } = this;
    const plain = event.style === SCALAR_STYLE.PLAIN && event.tagStart < 0;
    const text = event.fast ? source.slice(event.valueStart, event.valueEnd) : getScalarValue(source, event);
    return plain && !isPlainString(text.charAt(0)) ? plainScalarKey(text) : text;
  }

  private items(sequence: number): number[] {
    const items: number[] = [];
    for (let item = sequence + 1; (this.events[item] as Event).type !== POP; item = this.next(item))
      items.push(item);
    return items;
  }

  private isMergeKey(event: ScalarEvent): boolean {
    return (
      event.style === SCALAR_STYLE.PLAIN &&
      event.valueEnd - event.valueStart === 2 &&
      this.source.startsWith('<<', event.valueStart)
    );
  }

  /** The index after the node at `index`. */
  private next(index: number): number {
    const type = (this.events[index] as Event).type;
    return type === SEQUENCE || type === MAPPING ? (this.link[index] as number) : index + 1;
  }

  /** Follows aliases to the anchored node; -1 for an empty document or an unknown anchor. */
  private resolve(index: number): number {
    let node = index;
    for (let hops = 0; hops < 100; hops++) {
      const event = this.events[node] as Event | undefined;
      if (!event || event.type === POP) return -1;
      if (event.type !== ALIAS) return node;
      node = this.link[node] as number;
      if (node < 0) return -1;
    }
    return -1;
  }

  /**
   * Where a node's content starts (anchor and tag excluded): a block collection at its first entry, a
   * block scalar at its `|` or `>` header, an alias at its `*`.
   */
  private nodeOffset(index: number): number {
    const event = this.events[index] as Event;
    switch (event.type) {
      case SCALAR:
        if (event.style === SCALAR_STYLE.LITERAL_BLOCK || event.style === SCALAR_STYLE.FOLDED_BLOCK) {
          const header = this.source.lastIndexOf(
            event.style === SCALAR_STYLE.LITERAL_BLOCK ? '|' : '>',
            event.valueStart - 1,
          );
          return header >= 0 ? header : event.valueStart;
        }
        return event.valueStart;
      case SEQUENCE:
      case MAPPING:
        return event.start;
      case ALIAS:
        return Math.max(event.anchorStart - 1, 0);
      default:
        return 0;
    }
  }
}
