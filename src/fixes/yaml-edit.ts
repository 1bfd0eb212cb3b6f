/**
 * Writes strategic-merge patches (engine/fix.ts) into YAML or JSON manifest text, changing only the bytes
 * of the fields a patch sets or deletes. The `yaml` library's Document API parses and locates (every node
 * keeps its source range); the edit itself is a splice of the original text: re-printing a whole document
 * with `Document.toString()` would also re-space flow collections and re-wrap lines no fix touched, so
 * that comments, key order, quoting, anchors, blank lines and document separators stay exactly as written
 * and a document that needs no change stays byte-identical. Pure: text in, text out.
 */
import { Document, isAlias, isMap, isScalar, isSeq, parseAllDocuments, stringify, visit } from 'yaml';
import type { Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { MERGE_BY_NAME, type JsonObject, type JsonValue } from '../engine/fix.ts';
import { formatPath, type FieldPath, type PathSegment } from '../shared/field-path.ts';

/** One object to patch: where the scan found it and who it is (checked before anything is changed). */
export interface YamlEditTarget {
  /** 1-based line of the object (the scan's `lineOf([])`). */
  readonly line: number;
  /** Path of the object inside its document (`['items', 3]` in a `kind: List`). */
  readonly documentPath: FieldPath;
  readonly kind: string;
  readonly name: string;
  readonly patch: JsonObject;
}

export type YamlEditResult = { readonly text: string } | { readonly error: string; readonly line?: number };

/** A reason not to edit a file, with the line it is about. */
export class YamlEditError extends Error {
  readonly line: number | undefined;
  constructor(message: string, line?: number) {
    super(message);
    this.name = 'YamlEditError';
    this.line = line;
  }
}

interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

type AnyNode = Node | Pair | null | undefined;
type Range = [number, number, number];

/** Applies each target's patch to the text; nothing is changed when any target cannot be (the error). */
export function editYamlText(text: string, targets: readonly YamlEditTarget[]): YamlEditResult {
  try {
    return { text: new Editor(text).apply(targets) };
  } catch (error) {
    if (error instanceof YamlEditError)
      return { error: error.message, ...(error.line === undefined ? {} : { line: error.line }) };
    throw error;
  }
}

class Editor {
  private readonly text: string;
  private readonly lineStarts: number[] = [0];
  private readonly eol: string;
  private readonly splices: Splice[] = [];

  constructor(text: string) {
    this.text = text;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }

  apply(targets: readonly YamlEditTarget[]): string {
    if (targets.length === 0) return this.text;
    const documents = parseAllDocuments(this.text, { keepSourceTokens: false });
    const list: Document.Parsed[] = Array.isArray(documents) ? documents : [];
    for (const document of list) {
      const [error] = document.errors;
      if (error)
        throw new YamlEditError(
          `cannot edit: ${error.message.split('\n')[0] ?? ''}`,
          this.line(error.pos[0]),
        );
    }
    for (const target of targets) this.patchTarget(list, target);
    const sorted = [...this.splices].sort((a, b) => a.start - b.start || a.end - b.end);
    for (let i = 1; i < sorted.length; i++)
      if ((sorted[i] as Splice).start < (sorted[i - 1] as Splice).end)
        throw new YamlEditError('cannot edit: two changes overlap', this.line((sorted[i] as Splice).start));
    let out = '';
    let at = 0;
    for (const splice of sorted) {
      out += this.text.slice(at, splice.start) + splice.text;
      at = splice.end;
    }
    return out + this.text.slice(at);
  }

  private line(offset: number): number {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  private column(offset: number): number {
    return offset - (this.lineStarts[this.line(offset) - 1] as number);
  }

  /** The offset just past the end of the line that `offset` is on (or `offset` when it starts a line). */
  private lineEnd(offset: number): number {
    if (offset > 0 && this.text[offset - 1] === '\n') return offset;
    const newline = this.text.indexOf('\n', offset);
    return newline === -1 ? this.text.length : newline + 1;
  }

  private patchTarget(documents: readonly Document.Parsed[], target: YamlEditTarget): void {
    const document = documents.find((d) => {
      const range = d.contents?.range;
      return (
        range !== undefined &&
        this.line(range[0]) <= target.line &&
        target.line <= this.line(Math.max(range[0], range[1] - 1))
      );
    });
    const who = `${target.kind} ${target.name}`;
    if (!document) throw new YamlEditError(`cannot find the document of ${who}`, target.line);
    let node: unknown = document.contents;
    for (const segment of target.documentPath) node = this.child(node, segment, target.documentPath);
    if (!isMap(node)) throw new YamlEditError(`cannot find ${who} in its document`, target.line);
    const metadata = mapGet(node, 'metadata');
    const kind = scalarText(mapGet(node, 'kind'));
    const name = isMap(metadata)
      ? scalarText(mapGet(metadata, 'name') ?? mapGet(metadata, 'generateName'))
      : undefined;
    if (
      kind !== target.kind ||
      (name !== undefined && name !== target.name) ||
      (name === undefined && target.name !== '(unnamed)')
    )
      throw new YamlEditError(`the object at this line is not ${who}: the file was not changed`, target.line);
    this.patchMap(node, target.patch, []);
  }

  private child(node: unknown, segment: PathSegment, path: FieldPath): unknown {
    this.refuseShared(node, path);
    if (typeof segment === 'number') return isSeq(node) ? node.items[segment] : undefined;
    return isMap(node) ? mapGet(node, segment) : undefined;
  }

  /** An alias, an anchor or a merge key shares the node with another place that the fix must not change. */
  private refuseShared(node: unknown, path: FieldPath): void {
    const at = (n: { range?: Range | null }) => (n.range ? this.line(n.range[0]) : undefined);
    if (isAlias(node))
      throw new YamlEditError(
        `cannot edit through the YAML alias *${node.source} at ${formatPath(path)}`,
        at(node),
      );
    if ((isMap(node) || isSeq(node) || isScalar(node)) && node.anchor)
      throw new YamlEditError(
        `cannot edit inside the YAML anchor &${node.anchor} at ${formatPath(path)}: other places share it`,
        at(node),
      );
    if (isMap(node) && node.items.some((pair) => isScalar(pair.key) && pair.key.value === '<<'))
      throw new YamlEditError(
        `cannot edit a map with a YAML merge key (<<) at ${formatPath(path)}`,
        at(node),
      );
  }

  /** Applies a patch to one map; returns whether it deletes every key of the map and adds none. */
  private patchMap(map: YAMLMap, patch: JsonObject, path: FieldPath): boolean {
    this.refuseShared(map, path);
    const removals: Pair[] = [];
    let additions = 0;
    const pending: (() => void)[] = [];
    const inserts: [string, JsonValue][] = [];
    for (const [key, value] of Object.entries(patch)) {
      const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      const here = [...path, key];
      if (value === null) {
        if (pair) removals.push(pair);
        continue;
      }
      additions++;
      if (!pair) {
        inserts.push([key, value]);
        continue;
      }
      const current = pair.value as AnyNode;
      if (isAlias(current)) this.refuseShared(current, here);
      if (isPlainObject(value) && isMap(current)) {
        // Every key of the map deleted (the last annotation): the pair itself goes.
        if (this.patchMap(current, value, here)) {
          removals.push(pair);
          additions--;
        }
      } else if (Array.isArray(value) && MERGE_BY_NAME.has(key) && value.every(isPlainObject)) {
        if (!isSeq(current))
          throw new YamlEditError(`${formatPath(here)} is not a list`, this.nodeLine(pair.key as Node));
        this.refuseShared(current, here);
        for (const item of value as JsonObject[]) {
          const index = current.items.findIndex(
            (entry) => isMap(entry) && scalarText(mapGet(entry, 'name')) === item['name'],
          );
          const entry = current.items[index];
          if (!isMap(entry))
            throw new YamlEditError(
              `${formatPath(here)} has no item named ${String(item['name'])}`,
              this.nodeLine(current),
            );
          const { name: _name, ...rest } = item;
          if (this.patchMap(entry, rest, [...here, index]))
            throw new YamlEditError(`cannot empty ${formatPath([...here, index])}`, this.nodeLine(entry));
        }
      } else if (
        isScalar(current) &&
        current.value !== null &&
        !isPlainObject(value) &&
        !Array.isArray(value)
      ) {
        this.replaceScalar(current, value);
      } else if (isSeq(current) && current.flow && Array.isArray(value) && !value.some(isCollection)) {
        const range = current.range as Range;
        this.splices.push({ start: range[0], end: range[1], text: this.flowList(current, value) });
      } else {
        // A value of another shape (or null): the pair is written again with the patched value.
        pending.push(() => this.replacePair(map, pair, key, value));
      }
    }
    const emptied = additions === 0 && removals.length > 0 && removals.length === map.items.length;
    if (emptied) return true;
    if (map.flow) this.removeFlowPairs(map, removals);
    else for (const pair of removals) this.removePair(map, pair, path);
    for (const run of pending) run();
    this.insertPairs(map, inserts, path);
    return false;
  }

  private nodeLine(node: { range?: Range | null }): number | undefined {
    return node.range ? this.line(node.range[0]) : undefined;
  }

  private replaceScalar(node: Scalar, value: JsonValue): void {
    const range = node.range as Range;
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    const text =
      typeof value === 'string' && quoted
        ? JSON.stringify(value)
        : typeof value === 'string'
          ? inlineYaml(value)
          : String(value);
    this.splices.push({ start: range[0], end: range[1], text });
  }

  private flowList(node: YAMLSeq, value: readonly JsonValue[]): string {
    const source = this.text.slice((node.range as Range)[0], (node.range as Range)[1]);
    const quoteDouble = node.items.some((item) => isScalar(item) && item.type === 'QUOTE_DOUBLE');
    const padded = /^\[\s/.test(source) && value.length > 0;
    const items = value.map((item) =>
      typeof item === 'string' && !quoteDouble ? inlineYaml(item) : JSON.stringify(item),
    );
    return padded ? `[ ${items.join(', ')} ]` : `[${items.join(', ')}]`;
  }

  /** Whether the map is written in JSON style (double-quoted keys), so additions are written as JSON. */
  private jsonStyle(map: YAMLMap): boolean {
    const first = map.items[0];
    return first !== undefined && isScalar(first.key) && first.key.type === 'QUOTE_DOUBLE';
  }

  /** Adds pairs to a map (all in one splice: two into `{}` would otherwise both rewrite it). */
  private insertPairs(map: YAMLMap, entries: readonly [string, JsonValue][], path: FieldPath): void {
    if (entries.length === 0) return;
    const range = map.range as Range;
    const last = map.items[map.items.length - 1];
    const step = this.indentStep(map);
    if (!map.flow) {
      if (!last) throw new YamlEditError(`cannot add to ${formatPath(path)}`, this.line(range[0]));
      const indent = this.column((map.items[0]?.key as Node).range![0]);
      const at = this.lineEnd(pairEnd(last));
      const needsNewline = at === this.text.length && !this.text.endsWith('\n');
      const text = entries.map(([key, value]) => this.blockPair(key, value, indent, step)).join('');
      this.splices.push({ start: at, end: at, text: (needsNewline ? this.eol : '') + text });
      return;
    }
    const json = this.jsonStyle(map) || this.jsonDocument();
    const inline = ([key, value]: [string, JsonValue]) =>
      json ? `${JSON.stringify(key)}: ${JSON.stringify(value)}` : `${inlineYaml(key)}: ${flowYaml(value)}`;
    if (!last) {
      // `{}`: written again with the pairs.
      const inner = entries.map(inline).join(', ');
      this.splices.push({ start: range[0], end: range[1], text: json ? `{${inner}}` : `{ ${inner} }` });
      return;
    }
    const lastEnd = pairEnd(last);
    const firstKey = (map.items[0]?.key as Node).range![0];
    if (this.text.slice(range[0], firstKey).includes('\n')) {
      // One pair a line, as the map is written (pretty-printed JSON).
      const indent = this.column(firstKey);
      const lines = entries.map(([key, value]) =>
        json
          ? `${JSON.stringify(key)}: ${prettyJson(value, indent, step, this.eol)}`
          : `${inlineYaml(key)}: ${flowYaml(value)}`,
      );
      const text = lines.map((line) => `,${this.eol}${' '.repeat(indent)}${line}`).join('');
      this.splices.push({ start: lastEnd, end: lastEnd, text });
    } else {
      this.splices.push({
        start: lastEnd,
        end: lastEnd,
        text: entries.map((e) => `, ${inline(e)}`).join(''),
      });
    }
  }

  private jsonDocument(): boolean {
    return /^\s*\{/.test(this.text);
  }

  /** The indentation step of nested block maps below `map` (2 unless the file says otherwise). */
  private indentStep(map: YAMLMap): number {
    for (const pair of map.items) {
      const value = pair.value as AnyNode;
      const multiline =
        isMap(value) &&
        value.items[0] !== undefined &&
        (!value.flow ||
          this.line((value.items[0].key as Node).range![0]) > this.line((pair.key as Node).range![0]));
      if (isMap(value) && value.items[0] && multiline) {
        const step =
          this.column((value.items[0].key as Node).range![0]) - this.column((pair.key as Node).range![0]);
        if (step > 0) return step;
      }
    }
    return 2;
  }

  private blockPair(key: string, value: JsonValue, indent: number, step: number): string {
    // Lists of scalars (`drop: [ALL]`) on one line, as manifests mostly write them.
    const document = new Document({ [key]: value });
    visit(document, {
      Seq(_, node) {
        if (node.items.every((item) => isScalar(item))) node.flow = true;
      },
    });
    const rendered = document.toString({ indent: step, lineWidth: 0, flowCollectionPadding: false });
    return rendered
      .replace(/\n$/, '')
      .split('\n')
      .map((line) => ' '.repeat(indent) + line)
      .join(this.eol)
      .concat(this.eol);
  }

  private replacePair(map: YAMLMap, pair: Pair, key: string, value: JsonValue): void {
    const keyNode = pair.key as Node;
    const start = keyNode.range![0];
    if (map.flow) {
      const json = this.jsonStyle(map) || this.jsonDocument();
      const rendered = json
        ? `${JSON.stringify(key)}: ${JSON.stringify(value)}`
        : `${inlineYaml(key)}: ${flowYaml(value)}`;
      this.splices.push({ start, end: pairEnd(pair), text: rendered });
      return;
    }
    const indent = this.column(start);
    const end = this.lineEnd(pairEnd(pair));
    const block = this.blockPair(key, value, indent, this.indentStep(map)).slice(indent);
    if (end === this.text.length && !this.text.endsWith('\n')) {
      this.splices.push({ start, end, text: block.slice(0, -this.eol.length) });
      return;
    }
    this.splices.push({ start, end, text: block });
  }

  /** Deletes pairs of a flow map: each run of deleted pairs with the comma before or after it. */
  private removeFlowPairs(map: YAMLMap, removals: readonly Pair[]): void {
    const removed = new Set(removals);
    const items = map.items;
    for (let i = 0; i < items.length; i++) {
      if (!removed.has(items[i] as Pair)) continue;
      let j = i;
      while (j + 1 < items.length && removed.has(items[j + 1] as Pair)) j++;
      const first = items[i] as Pair;
      const next = items[j + 1];
      const previous = items[i - 1];
      if (next) {
        this.splices.push({
          start: (first.key as Node).range![0],
          end: (next.key as Node).range![0],
          text: '',
        });
      } else if (previous) {
        this.splices.push({ start: pairEnd(previous), end: pairEnd(items[j] as Pair), text: '' });
      }
      i = j;
    }
  }

  private removePair(map: YAMLMap, pair: Pair, path: FieldPath): void {
    const keyNode = pair.key as Node;
    const start = keyNode.range![0];
    const lineStart = this.lineStarts[this.line(start) - 1] as number;
    if (this.text.slice(lineStart, start).trim() !== '')
      throw new YamlEditError(
        `cannot delete ${formatPath([...path, String(keyNode)])}: it shares its line`,
        this.line(start),
      );
    this.splices.push({ start: lineStart, end: this.lineEnd(pairEnd(pair)), text: '' });
  }
}

/** Where a pair's text ends: its value's (or, for `key:` with nothing, its key's). */
function pairEnd(pair: Pair): number {
  const value = pair.value as AnyNode;
  const range = (value as { range?: Range } | null)?.range ?? (pair.key as Node).range!;
  return range[1];
}

function mapGet(map: YAMLMap, key: string): unknown {
  return map.items.find((p) => isScalar(p.key) && String(p.key.value) === key)?.value;
}

function scalarText(node: unknown): string | undefined {
  return isScalar(node) && node.value !== null ? String(node.value) : undefined;
}

function isPlainObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isCollection(value: unknown): boolean {
  return value !== null && typeof value === 'object';
}

/** A scalar as YAML writes it on one line (quoted only when it must be). */
function inlineYaml(value: string): string {
  return stringify(value, { lineWidth: 0 }).replace(/\n$/, '');
}

function flowYaml(value: JsonValue): string {
  if (value === null || typeof value !== 'object')
    return typeof value === 'string' ? inlineYaml(value) : String(value);
  if (Array.isArray(value)) return `[${value.map(flowYaml).join(', ')}]`;
  const entries = Object.entries(value).map(([k, v]) => `${inlineYaml(k)}: ${flowYaml(v)}`);
  return `{ ${entries.join(', ')} }`;
}

/** JSON as `JSON.stringify(value, null, step)` writes it at `indent`, but lists of scalars on one line. */
function prettyJson(value: JsonValue, indent: number, step: number, eol: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (!value.some(isCollection)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    const inner = value.map((v) => ' '.repeat(indent + step) + prettyJson(v, indent + step, step, eol));
    return `[${eol}${inner.join(`,${eol}`)}${eol}${' '.repeat(indent)}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const inner = entries.map(
    ([k, v]) =>
      `${' '.repeat(indent + step)}${JSON.stringify(k)}: ${prettyJson(v, indent + step, step, eol)}`,
  );
  return `{${eol}${inner.join(`,${eol}`)}${eol}${' '.repeat(indent)}}`;
}
