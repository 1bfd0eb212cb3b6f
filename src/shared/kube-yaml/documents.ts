import {
  EVENT_ID,
  getScalarValue,
  parseEvents,
  SCALAR_STYLE,
  COLLECTION_STYLE,
  YAMLException,
  type Event,
  type ScalarEvent,
} from 'js-yaml';
import type { FieldPath } from '../field-path.ts';
import { goSyntaxError } from './go-rules.ts';
import {
  goDoubleQuoted,
  jsonKey,
  jsonValue,
  resolveScalar,
  ScalarError,
  tagName,
  type GoScalar,
} from './scalars.ts';

/**
 * Aliases may add at most this many nodes to one input (over all its documents). An alias shares the
 * anchored value, so decoding is cheap, but everything after (validation, rules) walks the expanded
 * tree. This bound is kube-patrol's own, on top of go-yaml's per-document aliasing ratio (below).
 */
export const MAX_ALIAS_EXPANSION = 1_000_000;

/**
 * Continuation lines of quoted scalars and flow collections that sit left of where js-yaml wants them
 * (go-yaml accepts any indentation there) are re-indented and the document parsed again; this bounds the
 * characters parsed again per input.
 */
const MAX_REPARSE_CHARS = 64 * 1024 * 1024;

export type DecodedDocument =
  | { readonly value: unknown; readonly lineOf: (path: FieldPath) => number | undefined }
  | { readonly error: string; readonly line?: number };

/**
 * Decodes a YAML or JSON stream into its documents exactly as kubectl reads a manifest file:
 * k8s.io/apimachinery's YAMLOrJSONDecoder splits the stream (JSON values one after another when it
 * starts with `{`, else YAML cut at lines that start with `---`), and each YAML document is decoded by
 * sigs.k8s.io/yaml (go-yaml v2 semantics: YAML 1.1 scalars, merge keys, JSON conversion; scalars.ts).
 * js-yaml parses; the values are built here from its events, so that they follow Go, not js-yaml.
 *
 * Each document can tell the 1-based line of any field path, resolved on demand from the parser's
 * events, so only findings pay for lines. A document that cannot be decoded becomes an error entry
 * and the others are still read (kubectl would stop at the first). Empty documents decode to null.
 * Never throws.
 */
export function decodeYamlDocuments(input: string): DecodedDocument[] {
  // bufio.Reader.ReadLine drops the CR of every CRLF; no line is added or removed, so lines stay exact.
  const text = input.includes('\r\n') ? input.replaceAll('\r\n', '\n') : input;
  const budget: Budget = { aliasNodes: MAX_ALIAS_EXPANSION, reparseChars: MAX_REPARSE_CHARS };
  const lines = new LineIndex(text, 1);
  const documents: DecodedDocument[] = [];
  let yamlFrom = 0;
  if (looksLikeJson(text)) {
    const json = decodeJsonStream(text, lines, documents, budget);
    if (json === 'done') return documents;
    yamlFrom = json;
  }
  for (const chunk of yamlChunks(text, yamlFrom)) {
    if ('error' in chunk) {
      documents.push({ error: chunk.error, line: lines.lineAt(chunk.at) });
      continue;
    }
    documents.push(decodeYamlChunk(text.slice(chunk.start, chunk.end), lines.lineAt(chunk.start), budget));
  }
  return documents;
}

interface Budget {
  aliasNodes: number;
  reparseChars: number;
}

// unicode.IsSpace, which IsJSONBuffer trims before looking for `{`.
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

/** IsJSONBuffer over the first 4096 bytes, as NewYAMLOrJSONDecoder(r, 4096) peeks. */
function looksLikeJson(text: string): boolean {
  const end = Math.min(text.length, 4096);
  for (let i = 0; i < end; i++) {
    const c = text.charAt(i);
    if (c === '{') return true;
    if (!GO_SPACE.test(c)) return false;
  }
  return false;
}

/**
 * JSON values one after another, as encoding/json's Decoder reads them. When a value is not valid JSON,
 * YAMLOrJSONDecoder reads the rest as YAML if at most one value was decoded, else it fails there.
 * Returns 'done', or the offset where YAML decoding takes over.
 */
function decodeJsonStream(
  text: string,
  lines: LineIndex,
  documents: DecodedDocument[],
  budget: Budget,
): 'done' | number {
  let consumed = 0;
  let count = 0;
  for (;;) {
    let at = consumed;
    while (at < text.length && ' \t\n\r'.includes(text.charAt(at))) at++;
    if (at >= text.length) return 'done';
    const end = jsonValueEnd(text, at);
    let value: unknown;
    let ok = end > at;
    if (ok) {
      try {
        value = JSON.parse(text.slice(at, end));
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      // The YAML decoder takes over where the last value ended, if it can: see skipGoSpaceLine.
      const yamlFrom = count > 1 ? -1 : skipGoSpaceLine(text, consumed);
      if (yamlFrom < 0) {
        documents.push({ error: 'invalid JSON', line: lines.lineAt(at) });
        return 'done';
      }
      return yamlFrom;
    }
    count++;
    if (value !== null) documents.push(jsonDocument(text.slice(at, end), lines.lineAt(at), value, budget));
    consumed = end;
  }
}

/**
 * consumeWhitespace of YAMLOrJSONDecoder: Unicode spaces up to and including the first newline, or -1
 * when it fails. It reads four bytes at a time and gives up at the end of the stream, so fewer than four
 * bytes left where it stops (`{...}x`) means no YAML decoder, and the JSON error stands.
 */
function skipGoSpaceLine(text: string, from: number): number {
  let at = from;
  for (;;) {
    if (Buffer.byteLength(text.slice(at, at + 4)) < 4) return -1;
    const c = text.charAt(at);
    if (!GO_SPACE.test(c)) return at;
    at++;
    if (c === '\n') return at;
  }
}

/** The end of the JSON value starting at `start` (brackets and strings matched), or `start` if none. */
function jsonValueEnd(text: string, start: number): number {
  const first = text.charAt(start);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      const c = text.charAt(i);
      if (c === '"') {
        i = stringEnd(text, i) - 1;
        if (i < 0) return start;
      } else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return start;
  }
  if (first === '"') return Math.max(stringEnd(text, start), start);
  let i = start;
  while (i < text.length && !' \t\n\r,:[]{}"'.includes(text.charAt(i))) i++;
  return i;
}

function stringEnd(text: string, quote: number): number {
  for (let i = quote + 1; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
  }
  return -1;
}

/** A JSON document: the value from JSON.parse, lines from js-yaml's events when it can read the text. */
function jsonDocument(source: string, line: number, value: unknown, budget: Budget): DecodedDocument {
  let index: EventIndex | undefined;
  try {
    const events = parseEvents(source, {});
    index = new EventIndex(events, source, new LineIndex(source, line), budget);
  } catch {
    index = undefined;
  }
  const documentStart = index?.firstDocument();
  return {
    value,
    lineOf: (path: FieldPath) =>
      index && documentStart !== undefined ? index.lineOf(documentStart, path) : undefined,
  };
}

type Chunk =
  { readonly start: number; readonly end: number } | { readonly error: string; readonly at: number };

/**
 * YAMLReader.Read: documents are cut at lines that start with `---`; what follows the dashes on that
 * line must be blank or a comment, or the stream is refused there ("invalid Yaml document separator"),
 * and the document before it with it. Empty documents are dropped.
 */
function* yamlChunks(text: string, from: number): Generator<Chunk> {
  let start = from;
  let lineStart = from;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const next = newline === -1 ? text.length : newline + 1;
    if (text.startsWith('---', lineStart)) {
      const rest = text.slice(lineStart + 3, lineEnd).replace(/^\s+|\s+$/g, '');
      if (rest.length > 0 && !rest.startsWith('#')) {
        yield { error: `invalid Yaml document separator: ${rest}`, at: lineStart };
        start = next;
      } else {
        if (lineStart > start) yield { start, end: lineStart };
        start = next;
      }
    }
    lineStart = next;
  }
  if (text.length > start) yield { start, end: text.length };
}

/** One YAML document as sigs.k8s.io/yaml.Unmarshal decodes it: its first document only. */
function decodeYamlChunk(chunk: string, line: number, budget: Budget): DecodedDocument {
  let body = chunk;
  // go-yaml reads only the first document: whatever follows a `...` line is never parsed.
  const documentEnd = /^\.\.\.(?:[ \t].*)?$/m.exec(body);
  if (documentEnd) body = body.slice(0, documentEnd.index);
  // LineReader ends every line with a newline, the last one too (block scalars keep it).
  if (!body.endsWith('\n')) body += '\n';
  // go-yaml skips a byte order mark only at the start of its input, that is of each document.
  if (body.startsWith('\ufeff')) body = body.slice(1);
  // `...` before any node: go-yaml finds no node content.
  if (documentEnd && /^\s*$/.test(chunk.slice(0, documentEnd.index)))
    return {
      error: 'did not find expected node content',
      line: line + lineCount(chunk.slice(0, documentEnd.index)),
    };
  // An indented `---` or `...` is a plain scalar to go-yaml and a document marker to js-yaml: hide it.
  body = body.replace(
    /^([ \t]+)(---|\.\.\.)(?=[ \t\n]|$)/,
    (_m, indent: string, marker: string) => `${indent}${marker === '---' ? HIDDEN_DASHES : HIDDEN_DOTS}`,
  );
  let parsed: Parsed;
  try {
    parsed = parseLenient(body, budget);
  } catch (error) {
    return describeError(error, new LineIndex(body, line));
  }
  // Offsets refer to the text last parsed (maybe with lines moved right), which has the same lines.
  const { events, source } = parsed;
  const index = new EventIndex(events, source, new LineIndex(source, line), budget, parsed.apostrophes);
  const refused = goSyntaxError(events, source);
  if (refused) return { error: refused.message, line: index.lines.lineAt(refused.at) };
  if (parsed.cutAt !== undefined && !rootEndsBefore(events, source, parsed.cutAt))
    return {
      error: 'end of the stream or a document separator is expected',
      line: index.lines.lineAt(parsed.cutAt),
    };
  const first = index.firstDocument();
  if (first === undefined) return { value: null, lineOf: () => undefined };
  try {
    const value = index.construct(first);
    return { value, lineOf: (path: FieldPath) => index.lineOf(first, path) };
  } catch (error) {
    if (error instanceof DecodeError) return { error: error.message, line: index.lines.lineAt(error.at) };
    return describeError(error, index.lines);
  }
}

/** Stand-ins, as long as what they replace, for an indented `---` or `...` starting a document. */
const HIDDEN_DASHES = '\u2063\u2063\u2063';
const HIDDEN_DOTS = '\u2064\u2064\u2064';

function lineCount(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/**
 * parseEvents, but a continuation line that js-yaml finds "deficiently" indented inside a quoted
 * scalar or a flow collection (go-yaml does not check indentation there, and kubectl reads such files)
 * is moved right and the document parsed again. Leading white space of such a line is no part of the
 * value in YAML, so this changes no value and no line number.
 */
interface Parsed {
  events: Event[];
  source: string;
  cutAt?: number;
  /** Offsets of `\'` escapes (go-yaml's, not YAML's) written as `\/` for js-yaml. */
  apostrophes: number[];
}

function parseLenient(body: string, budget: Budget): Parsed {
  // A stack trace costs more than parsing a small document, and a file can hold 150,000 bad ones.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parseLeniently(body, budget);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function parseLeniently(body: string, budget: Budget): Parsed {
  let source = body;
  let cutAt: number | undefined;
  let apostrophes: number[] = [];
  for (;;) {
    try {
      return {
        events: parseEvents(source, {}),
        source,
        apostrophes,
        ...(cutAt === undefined ? {} : { cutAt }),
      };
    } catch (error) {
      if (!(error instanceof YAMLException)) throw error;
      const position = error.mark?.position;
      if (position === undefined) throw error;
      if (
        error.reason === 'end of the stream or a document separator is expected' &&
        position < source.length
      ) {
        // go-yaml decodes the root node and stops: what follows it is never parsed, only its first
        // token scanned (`{a: 1} x` is {a: 1}). A token that cannot start is still an error.
        if (!canStartToken(source, position)) throw error;
        source = source.slice(0, position);
        cutAt = position;
        continue;
      }
      if (error.reason === 'unknown escape sequence' && source.startsWith("\\'", position - 1)) {
        // go-yaml knows `\'` in double quotes; the same length in an escape js-yaml knows keeps offsets.
        budget.reparseChars -= source.length;
        if (budget.reparseChars < 0) throw error;
        source = `${source.slice(0, position)}/${source.slice(position + 1)}`;
        apostrophes.push(position - 1);
        continue;
      }
      if (error.reason !== 'deficient indentation') throw error;
      const lineStart = source.lastIndexOf('\n', position - 1) + 1;
      // A document marker at the start of a line is never content: leave it to fail as in go-yaml.
      if (/^(?:---|\.\.\.)(?:[ \t\n]|$)/.test(source.slice(lineStart, lineStart + 4))) throw error;
      budget.reparseChars -= source.length;
      if (budget.reparseChars < 0) throw error;
      const line = source.slice(lineStart, position);
      // js-yaml also calls a tab after `key:` or `,` in a flow collection deficient indentation; go-yaml
      // reads it as the separating white space it is. A space for a tab keeps every offset.
      const tab = line.trim() === '' ? null : /[:,[{][ \t]*\t[ \t]*(?=\S)/.exec(line);
      if (tab) {
        const from = lineStart + tab.index;
        const fixed = source.slice(from, from + tab[0].length).replaceAll('\t', ' ');
        source = `${source.slice(0, from)}${fixed}${source.slice(from + tab[0].length)}`;
        continue;
      }
      // Only a continuation line whose first token is where js-yaml stopped is moved.
      if (line.trim() !== '') throw error;
      source = `${source.slice(0, lineStart)}${' '.repeat(256)}${source.slice(lineStart)}`;
      apostrophes = apostrophes.map((at) => (at >= lineStart ? at + 256 : at));
    }
  }
}

/**
 * Whether the root node ended before `at`, so that go-yaml stops there. A block collection ends only at
 * a token left of its column; a token at its column or right of it (`- b` after `a: 1`) is inside it,
 * which go-yaml refuses as js-yaml does. Anything else (flow collection, scalar) ended where it closed,
 * unless the next token is a `:` on the same line (a key go-yaml cannot take there).
 */
function rootEndsBefore(events: readonly Event[], source: string, at: number): boolean {
  const root = events[1];
  // A plain root scalar goes on over the next lines in go-yaml (`--- a\nb: c` is refused at `:`).
  if (root?.type === EVENT_ID.SCALAR && root.style === SCALAR_STYLE.PLAIN && root.valueStart >= 0)
    return false;
  // No root node at all (`}` alone): go-yaml finds no node content.
  if (
    !root ||
    root.type === EVENT_ID.POP ||
    (root.type === EVENT_ID.SCALAR && root.valueStart < 0 && root.tagStart < 0)
  )
    return false;
  const column = at - (source.lastIndexOf('\n', at - 1) + 1);
  if (
    root &&
    (root.type === EVENT_ID.MAPPING || root.type === EVENT_ID.SEQUENCE) &&
    root.style === COLLECTION_STYLE.BLOCK
  )
    return column < root.start - (source.lastIndexOf('\n', root.start - 1) + 1);
  const sameLine = !source
    .slice(0, at)
    .trimEnd()
    .includes('\n', source.lastIndexOf('\n', at - 1));
  if (source.charAt(at) === ':' && /[\s]/.test(source.charAt(at + 1) || ' ') && sameLine) return false;
  return true;
}

/** Whether go-yaml's scanner can read a token starting at `at` (it looks no further than that token). */
function canStartToken(source: string, at: number): boolean {
  const c = source.charAt(at);
  if (c === '@' || c === '`' || c === '\t' || c === '%') return false;
  if ((c === '*' || c === '&') && !/[0-9A-Za-z_-]/.test(source.charAt(at + 1))) return false;
  if (c === '|' || c === '>') {
    const end = source.indexOf('\n', at);
    return /^[|>](?:[-+]?[1-9]?|[1-9][-+])[ \t]*(?:#.*)?$/.test(
      source.slice(at, end < 0 ? source.length : end),
    );
  }
  if (c === '"' || c === "'") {
    for (let i = at + 1; i < source.length; i++) {
      const d = source.charAt(i);
      if (c === '"' && d === '\\') i++;
      else if (d === c) {
        if (c === "'" && source.charAt(i + 1) === "'") i++;
        else return true;
      }
    }
    return false;
  }
  return true;
}

function describeError(error: unknown, lines: LineIndex): DecodedDocument {
  if (error instanceof YAMLException) {
    const position = error.mark?.position;
    return position === undefined
      ? { error: error.reason }
      : { error: error.reason, line: lines.lineAt(position) };
  }
  return { error: error instanceof Error ? error.message : String(error) };
}

class DecodeError extends Error {
  readonly at: number;
  constructor(message: string, at: number) {
    super(message);
    this.at = at;
  }
}

/** Line numbers by offset in one document's text, counted from the line it starts on. */
class LineIndex {
  private readonly text: string;
  readonly base: number;
  private starts: number[] | undefined;
  constructor(text: string, base: number) {
    this.text = text;
    this.base = base;
  }

  lineAt(position: number): number {
    const starts = (this.starts ??= lineStarts(this.text));
    // An error at the very end (the parser wanted more) belongs to the last line, not the one after.
    const offset = Math.min(position, this.text.length - 1);
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((starts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return this.base + low;
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
}

/** One entry of a mapping: an explicit key, or a merge (`<<`) whose value is at `value`. */
interface Entry {
  readonly key: string | undefined;
  readonly keyIndex: number;
  readonly value: number;
}

interface KeyTable {
  /** The last explicit entry of each key. */
  readonly keys: Map<string, number>;
  /** Every entry in order, when the mapping has merges (go-yaml v2 applies them in place). */
  readonly entries: Entry[] | undefined;
}

const { DOCUMENT, SEQUENCE, MAPPING, SCALAR, ALIAS, POP } = EVENT_ID;

/** go-yaml v2 (decode.go): above 400,000 decodes the share that may come from aliases falls to 10%. */
function allowedAliasRatio(decodes: number): number {
  if (decodes <= 400_000) return 0.99;
  if (decodes >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decodes - 400_000) / 3_600_000);
}

interface Anchored {
  readonly value: unknown;
  /** Decodes go-yaml makes to decode this node (aliases inside expanded). */
  readonly decodes: number;
  /** Its JSON key, or the error Go gives when it is used as a key. */
  readonly key: string | ScalarError | undefined;
}

/**
 * The events of one document (or JSON value): what each collection spans, what each alias points at,
 * the value as go-yaml builds it, and the line of any path.
 */
class EventIndex {
  readonly lines: LineIndex;
  /** For a collection: the index after its POP. For an alias: the index of its anchored node, or -1. */
  private readonly link: Int32Array;
  private readonly events: readonly Event[];
  private readonly source: string;
  private readonly budget: Budget;
  private readonly keyTables = new Map<number, KeyTable>();
  private readonly itemTables = new Map<number, Int32Array>();

  private readonly apostrophes: readonly number[];

  constructor(
    events: readonly Event[],
    source: string,
    lines: LineIndex,
    budget: Budget,
    apostrophes: readonly number[] = [],
  ) {
    this.apostrophes = apostrophes;
    this.events = events;
    this.source = source;
    this.lines = lines;
    this.budget = budget;
    const link = (this.link = new Int32Array(events.length));
    const stack: number[] = [];
    const anchors = new Map<string, number>();
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as Event;
      switch (event.type) {
        case DOCUMENT:
          anchors.clear();
          stack.push(i);
          break;
        case SEQUENCE:
        case MAPPING:
          if (event.anchorStart >= 0) anchors.set(source.slice(event.anchorStart, event.anchorEnd), i);
          stack.push(i);
          break;
        case SCALAR:
          if (event.anchorStart >= 0) anchors.set(source.slice(event.anchorStart, event.anchorEnd), i);
          break;
        case ALIAS:
          link[i] = anchors.get(source.slice(event.anchorStart, event.anchorEnd)) ?? -1;
          break;
        case POP:
          link[stack.pop() as number] = i + 1;
          break;
      }
    }
  }

  /** Index of the first DOCUMENT event. */
  firstDocument(): number | undefined {
    const index = this.events.findIndex((e) => e.type === DOCUMENT);
    return index < 0 ? undefined : index;
  }

  /**
   * Builds the value of the document at `start` as go-yaml v2 decodes it into interface{} and
   * sigs.k8s.io/yaml turns it into JSON: merges applied in place (a merge overrides the keys written
   * before it, later entries override it, and in `<<: [*a, *b]` the first wins), keys converted to
   * JSON keys, NaN and infinities refused, go-yaml's aliasing ratio enforced. Throws DecodeError.
   */
  construct(start: number): unknown {
    const anchors = new Map<number, Anchored>();
    /** Where NaN and infinities were written: they fail the JSON encoding only if they are still in the value. */
    const nonFinite: number[] = [];
    const badKeys = new Map<object, { message: string; at: number }>();
    let decodes = 1; // the document node
    let aliasDecodes = 0;
    const check = (at: number) => {
      if (aliasDecodes > 100 && decodes > 1000 && aliasDecodes / decodes > allowedAliasRatio(decodes))
        throw new DecodeError('document contains excessive aliasing', at);
    };
    /** Builds the node at `index`; returns its value and the index after it. */
    const build = (
      index: number,
      asKey: boolean,
    ): { value: unknown; key?: string | ScalarError; next: number; decodes: number } => {
      const event = this.events[index] as Event;
      const at = this.nodeOffset(index);
      switch (event.type) {
        case SCALAR: {
          decodes++;
          check(at);
          const scalar = this.scalar(event, at, index === start + 1);
          let key: string | ScalarError | undefined;
          if (asKey || event.anchorStart >= 0) {
            try {
              key = scalar === 'merge' ? '<<' : jsonKey(scalar);
            } catch (error) {
              if (!(error instanceof ScalarError)) throw error;
              key = error;
            }
          }
          const value = scalar === 'merge' ? '<<' : scalar.value;
          if (!asKey && scalar !== 'merge' && typeof value === 'number' && !Number.isFinite(value))
            nonFinite.push(at);
          if (event.anchorStart >= 0) anchors.set(index, { value, decodes: 1, key });
          return { value, ...(asKey && key !== undefined ? { key } : {}), next: index + 1, decodes: 1 };
        }
        case ALIAS: {
          const target = this.link[index] as number;
          const anchorName = this.source.slice(event.anchorStart, event.anchorEnd);
          if (target < 0) throw new DecodeError(`unknown anchor '${anchorName}' referenced`, at);
          const anchored = anchors.get(target);
          if (!anchored) throw new DecodeError(`recursive alias *${anchorName}`, at);
          decodes += 1 + anchored.decodes;
          aliasDecodes += anchored.decodes;
          this.budget.aliasNodes -= Math.max(anchored.decodes - 1, 0);
          if (this.budget.aliasNodes < 0)
            throw new DecodeError(`aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes`, at);
          check(at);
          if (asKey) {
            if (anchored.key === undefined) throw new DecodeError('invalid map key: a collection', at);
            return {
              value: anchored.value,
              key: anchored.key,
              next: index + 1,
              decodes: 1 + anchored.decodes,
            };
          }
          return { value: anchored.value, next: index + 1, decodes: 1 + anchored.decodes };
        }
        case SEQUENCE: {
          if (asKey) throw new DecodeError('invalid map key: a sequence', at);
          decodes++;
          check(at);
          let own = 1;
          const items: unknown[] = [];
          let i = index + 1;
          while ((this.events[i] as Event).type !== POP) {
            const item = build(i, false);
            items.push(item.value);
            own += item.decodes;
            i = item.next;
          }
          if (event.anchorStart >= 0) anchors.set(index, { value: items, decodes: own, key: undefined });
          return { value: items, next: i + 1, decodes: own };
        }
        case MAPPING: {
          if (asKey) throw new DecodeError('invalid map key: a mapping', at);
          decodes++;
          check(at);
          let own = 1;
          const object: Record<string, unknown> = {};
          let i = index + 1;
          while ((this.events[i] as Event).type !== POP) {
            const keyEvent = this.events[i] as Event;
            if (keyEvent.type === SCALAR && this.isMergeKey(keyEvent)) {
              const merged = this.merge(i + 1, build, object);
              own += merged.decodes;
              i = merged.next;
              continue;
            }
            const key = build(i, true);
            const value = build(key.next, false);
            own += key.decodes + value.decodes;
            // A null or uint64 key fails the JSON conversion, but only if its mapping is still in the value.
            if (key.key instanceof ScalarError)
              badKeys.set(object, { message: key.key.message, at: this.nodeOffset(i) });
            else setKey(object, key.key as string, value.value);
            i = value.next;
          }
          if (event.anchorStart >= 0) anchors.set(index, { value: object, decodes: own, key: undefined });
          return { value: object, next: i + 1, decodes: own };
        }
        default:
          throw new DecodeError('unexpected parser event', at);
      }
    };
    const root = start + 1;
    if ((this.events[root] as Event).type === POP) return null;
    const value = build(root, false).value;
    if (nonFinite.length > 0 || badKeys.size > 0) {
      const bad = findUnencodable(value, badKeys);
      if (bad) throw new DecodeError(bad.message, bad.at ?? (nonFinite[0] as number));
    }
    return value;
  }

  /** Applies the merge whose value is at `index` to `into` (decode.go merge). */
  private merge(
    index: number,
    build: (index: number, asKey: boolean) => { value: unknown; next: number; decodes: number },
    into: Record<string, unknown>,
  ): { next: number; decodes: number } {
    const event = this.events[index] as Event;
    const at = this.nodeOffset(index);
    const wantMap = () => new DecodeError('map merge requires map or sequence of maps as the value', at);
    const apply = (value: unknown) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw wantMap();
      for (const key of Object.keys(value)) setKey(into, key, (value as Record<string, unknown>)[key]);
    };
    if (event.type === SEQUENCE) {
      // The sequence itself is not decoded as a node; its items are, last first, so the first wins.
      const items: number[] = this.items(index);
      const built = items.map((item) => {
        const kind = (this.events[this.resolve(item)] as Event | undefined)?.type;
        if (kind !== MAPPING) throw wantMap();
        return build(item, false);
      });
      let decodes = 0;
      for (let k = built.length - 1; k >= 0; k--) {
        apply((built[k] as { value: unknown }).value);
        decodes += (built[k] as { decodes: number }).decodes;
      }
      return { next: this.next(index), decodes };
    }
    if (event.type === SCALAR) throw wantMap();
    const built = build(index, false);
    apply(built.value);
    return { next: built.next, decodes: built.decodes };
  }

  private scalar(event: ScalarEvent, at: number, root = false): GoScalar | 'merge' {
    let text: string;
    try {
      text = this.scalarText(event, root);
    } catch (error) {
      if (error instanceof ScalarError) throw new DecodeError(error.message, at);
      throw error;
    }
    const tag = event.tagStart < 0 ? '' : tagName(this.source.slice(event.tagStart, event.tagEnd));
    try {
      return resolveScalar(tag, text, event.style === SCALAR_STYLE.PLAIN);
    } catch (error) {
      if (error instanceof ScalarError) throw new DecodeError(error.message, at);
      throw error;
    }
  }

  /** A scalar's text as go-yaml reads it, where js-yaml's differs (see goDoubleQuoted). */
  private scalarText(event: ScalarEvent, root: boolean): string {
    const text = this.rawScalarText(event, root);
    return text.includes(HIDDEN_DASHES) || text.includes(HIDDEN_DOTS)
      ? text.replace(HIDDEN_DASHES, '---').replace(HIDDEN_DOTS, '...')
      : text;
  }

  private rawScalarText(event: ScalarEvent, root: boolean): string {
    if (event.fast) return this.source.slice(event.valueStart, event.valueEnd);
    if (event.style === SCALAR_STYLE.DOUBLE_QUOTED) {
      let raw = this.source.slice(event.valueStart, event.valueEnd);
      const own = this.apostrophes.filter((at) => at >= event.valueStart && at < event.valueEnd);
      for (const at of own) {
        const i = at - event.valueStart;
        raw = `${raw.slice(0, i + 1)}'${raw.slice(i + 2)}`;
      }
      if (own.length > 0 || /\\\r?\n/.test(raw)) return goDoubleQuoted(raw);
    }
    if (root && (event.style === SCALAR_STYLE.LITERAL_BLOCK || event.style === SCALAR_STYLE.FOLDED_BLOCK)) {
      // An explicit indentation indicator of a root block scalar counts from column 0 in go-yaml, from -1 in js-yaml.
      const header = this.source.slice(this.nodeOffset(this.events.indexOf(event)), event.valueStart);
      const explicit = /^[|>](?:[-+]?([1-9])|([1-9])[-+]?)/.exec(header);
      if (explicit) {
        // The scalar also ends at the first line with content left of that column; go-yaml ignores the rest.
        const width = Number(explicit[1] ?? explicit[2]);
        let valueEnd = event.valueEnd;
        for (let at = this.source.indexOf('\n', event.valueStart - 1) + 1; at > 0 && at < valueEnd;) {
          const newline = this.source.indexOf('\n', at);
          const lineText = this.source.slice(at, newline < 0 ? this.source.length : newline);
          if (lineText.trim() !== '' && lineText.length - lineText.trimStart().length < width) {
            valueEnd = at;
            break;
          }
          if (newline < 0) break;
          at = newline + 1;
        }
        return getScalarValue(this.source, { ...event, indent: event.indent + 1, valueEnd });
      }
    }
    return getScalarValue(this.source, event);
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
        const valueEvent = this.events[entry.value] as Event;
        // A block collection under a key is located at its key: that is where a missing field goes.
        const block =
          (valueEvent.type === MAPPING || valueEvent.type === SEQUENCE) &&
          valueEvent.style === COLLECTION_STYLE.BLOCK;
        offset = block ? this.nodeOffset(entry.key) : this.nodeOffset(entry.value);
        node = this.resolve(entry.value);
      } else if (event.type === SEQUENCE && typeof segment === 'number') {
        const items = this.itemTable(node);
        if (segment < 0 || segment >= items.length) return undefined;
        const item = items[segment] as number;
        offset = this.nodeOffset(item);
        node = this.resolve(item);
      } else {
        return undefined;
      }
      if (node < 0) return undefined;
    }
    return this.lines.lineAt(offset);
  }

  /** The entry that gives `key` its value in a mapping, following go-yaml v2's order of merges. */
  private findKey(mapping: number, key: string, depth: number): { key: number; value: number } | undefined {
    const table = this.keyTable(mapping);
    if (!table.entries) {
      const found = table.keys.get(key);
      return found === undefined ? undefined : { key: found, value: this.next(found) };
    }
    if (depth > 10) return undefined;
    // The last writer wins: scan back from the end for an explicit entry or a merge that has the key.
    for (let e = table.entries.length - 1; e >= 0; e--) {
      const entry = table.entries[e] as Entry;
      if (entry.key !== undefined) {
        if (entry.key === key) return { key: entry.keyIndex, value: entry.value };
        continue;
      }
      const target = this.resolve(entry.value);
      const event = this.events[target] as Event | undefined;
      const sources =
        event?.type === SEQUENCE ? this.items(target).map((item) => this.resolve(item)) : [target];
      for (const source of sources) {
        if ((this.events[source] as Event | undefined)?.type !== MAPPING) continue;
        const found = this.findKey(source, key, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** The keys of a mapping (as JSON keys) to the index of their key node, built on first use. */
  private keyTable(mapping: number): KeyTable {
    let table = this.keyTables.get(mapping);
    if (table) return table;
    const keys = new Map<string, number>();
    let entries: Entry[] | undefined;
    const all: Entry[] = [];
    for (let k = mapping + 1; (this.events[k] as Event).type !== POP;) {
      const value = this.next(k);
      const keyEvent = this.events[this.resolve(k)] as Event | undefined;
      if (keyEvent?.type === SCALAR) {
        if (k === this.resolve(k) && this.isMergeKey(keyEvent)) {
          entries = all;
          all.push({ key: undefined, keyIndex: k, value });
        } else {
          const name = this.keyString(keyEvent);
          if (name !== undefined) {
            keys.set(name, k);
            all.push({ key: name, keyIndex: k, value });
          }
        }
      }
      k = this.next(value);
    }
    table = { keys, entries };
    this.keyTables.set(mapping, table);
    return table;
  }

  /** The items of a sequence, built on first use: a path into item 19,999 costs one lookup. */
  private itemTable(sequence: number): Int32Array {
    let table = this.itemTables.get(sequence);
    if (!table) {
      table = Int32Array.from(this.items(sequence));
      this.itemTables.set(sequence, table);
    }
    return table;
  }

  /** The JSON key a key scalar becomes, or undefined when Go refuses it as a key. */
  private keyString(event: ScalarEvent): string | undefined {
    const text = event.fast
      ? this.source.slice(event.valueStart, event.valueEnd)
      : getScalarValue(this.source, event);
    const tag = event.tagStart < 0 ? '' : tagName(this.source.slice(event.tagStart, event.tagEnd));
    try {
      const scalar = resolveScalar(tag, text, event.style === SCALAR_STYLE.PLAIN);
      return scalar === 'merge' ? '<<' : jsonKey(scalar);
    } catch {
      return undefined;
    }
  }

  private items(sequence: number): number[] {
    const items: number[] = [];
    for (let item = sequence + 1; (this.events[item] as Event).type !== POP; item = this.next(item))
      items.push(item);
    return items;
  }

  /** A plain `<<` (or one tagged !!merge) is a merge key in go-yaml v2 (isMerge). */
  private isMergeKey(event: ScalarEvent): boolean {
    if (event.valueEnd - event.valueStart !== 2 || !this.source.startsWith('<<', event.valueStart))
      return false;
    if (event.tagStart >= 0)
      return tagName(this.source.slice(event.tagStart, event.tagEnd)) === 'tag:yaml.org,2002:merge';
    return event.style === SCALAR_STYLE.PLAIN;
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
        if (event.valueStart < 0) return Math.max(event.tagStart, event.anchorStart - 1, 0);
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

/**
 * What sigs.k8s.io/yaml cannot turn into JSON in the final value: a mapping with a null or uint64 key,
 * a NaN or an infinity (shared subtrees visited once).
 */
function findUnencodable(
  root: unknown,
  badKeys: ReadonlyMap<object, { message: string; at: number }>,
): { message: string; at?: number } | undefined {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) {
        try {
          jsonValue({ kind: 'float', value });
        } catch (error) {
          return { message: (error as Error).message };
        }
      }
    } else if (value !== null && typeof value === 'object' && !seen.has(value)) {
      seen.add(value);
      const badKey = badKeys.get(value);
      if (badKey) return badKey;
      for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push(child);
    }
  }
  return undefined;
}

/** Sets a key as an own property, `__proto__` included (never the prototype). */
function setKey(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}
