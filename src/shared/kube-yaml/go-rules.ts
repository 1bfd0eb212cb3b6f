import { COLLECTION_STYLE, EVENT_ID, SCALAR_STYLE, type Event } from 'js-yaml';

/**
 * What go-yaml v2's scanner refuses and js-yaml reads: checked on js-yaml's events of one document, so
 * that kube-patrol refuses what kubectl refuses (test/integration/yaml-differential.test.ts).
 *
 * - Tabs. In block context go-yaml takes a tab for white space only after a token on the same line:
 *   at the start of a line (blank lines and comments included) it is a character that cannot start a
 *   token. After a plain scalar, blank lines are part of the scalar's scan and a tab left of the
 *   scalar's indentation "violates indentation"; around a block scalar, a tab left of its content
 *   indentation is refused too. Inside quoted scalars and flow collections tabs are white space.
 * - A `?` inside a plain scalar in a flow collection ends the scalar (`[a?b]` is refused).
 * - Anchor and alias names are letters, digits, `_` and `-` only (`&default.env` is refused).
 */
export function goSyntaxError(
  events: readonly Event[],
  source: string,
): { message: string; at: number } | undefined {
  const spans = scan(events, source);
  return (
    anchorNameError(events, source) ??
    keyError(events, source) ??
    questionMarkInFlow(spans, source) ??
    tabError(spans, source)
  );
}

/**
 * Keys go-yaml cannot take: an implicit key longer than 1024 characters or (in a flow mapping) split
 * over lines, and a block collection that starts on its key's line (`a: &x b: c`, `a: - b`).
 */
function keyError(events: readonly Event[], source: string): { message: string; at: number } | undefined {
  const stack: { mapping: boolean; flow: boolean; children: number }[] = [];
  for (const event of events) {
    const parent = stack[stack.length - 1];
    const isKey = parent !== undefined && parent.mapping && parent.children % 2 === 0;
    if (event.type === POP) {
      stack.pop();
      continue;
    }
    if (event.type === EVENT_ID.DOCUMENT) {
      stack.push({ mapping: false, flow: false, children: 0 });
      continue;
    }
    if (parent) parent.children++;
    if (event.type === SCALAR && isKey && event.valueStart >= 0) {
      const quoted = event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED;
      const explicit = /\?\s*$/.test(
        source.slice(source.lastIndexOf('\n', event.valueStart - 1) + 1, event.valueStart - (quoted ? 1 : 0)),
      );
      if (!explicit) {
        if (event.valueEnd - event.valueStart > 1024)
          return { message: "could not find expected ':'", at: event.valueStart };
        if (parent.flow && source.slice(event.valueStart, event.valueEnd).includes('\n'))
          return { message: "did not find expected ',' or '}'", at: event.valueStart };
      }
    }
    if (event.type === SEQUENCE || event.type === MAPPING) {
      if (event.style === COLLECTION_STYLE.BLOCK && parent?.mapping && !isKey) {
        const before = source.slice(source.lastIndexOf('\n', event.start - 1) + 1, event.start);
        if (/:[ \t]+(?:[&!][^ \t]*[ \t]+)*$/.test(before))
          return {
            message:
              event.type === MAPPING
                ? 'mapping values are not allowed in this context'
                : 'block sequence entries are not allowed in this context',
            at: event.start,
          };
      }
      stack.push({
        mapping: event.type === MAPPING,
        flow: event.style === COLLECTION_STYLE.FLOW,
        children: 0,
      });
    }
  }
  return undefined;
}

/** go-yaml v2 allows only letters, digits, `_` and `-` in anchor and alias names. */
function anchorNameError(
  events: readonly Event[],
  source: string,
): { message: string; at: number } | undefined {
  for (const event of events) {
    if (event.type === POP || event.type === EVENT_ID.DOCUMENT) continue;
    if (event.anchorStart < 0) continue;
    if (!/^[0-9A-Za-z_-]+$/.test(source.slice(event.anchorStart, event.anchorEnd)))
      return { message: 'did not find expected alphabetic or numeric character', at: event.anchorStart };
  }
  return undefined;
}

interface Token {
  readonly start: number;
  readonly end: number;
  readonly kind: 'plain' | 'quoted' | 'block' | 'alias' | 'flow';
  /** plain: go-yaml's scalar indentation (enclosing block column + 1); block: content indentation. */
  readonly indent: number;
  readonly inFlow: boolean;
  /** block: where the line with its first content starts, when its indentation is detected from it. */
  readonly detectUntil?: number;
}

const { SEQUENCE, MAPPING, SCALAR, ALIAS, POP } = EVENT_ID;

function columnOf(source: string, at: number): number {
  return at - (source.lastIndexOf('\n', at - 1) + 1);
}

/** Tokens in order, with the span of every flow collection (its closing bracket found in the text). */
function scan(events: readonly Event[], source: string): Token[] {
  const tokens: Token[] = [];
  const stack: { flow: boolean; start: number; column: number; lastEnd: number }[] = [];
  const blockColumn = () => {
    for (let i = stack.length - 1; i >= 0; i--) if (!stack[i]!.flow) return stack[i]!.column;
    return -1;
  };
  const inFlow = () => stack.some((s) => s.flow);
  const note = (end: number) => {
    const top = stack[stack.length - 1];
    if (top) top.lastEnd = Math.max(top.lastEnd, end);
  };
  for (const event of events) {
    switch (event.type) {
      case SCALAR: {
        if (event.valueStart < 0) break;
        const style = event.style;
        const quoted = style === SCALAR_STYLE.SINGLE_QUOTED || style === SCALAR_STYLE.DOUBLE_QUOTED;
        const block = style === SCALAR_STYLE.LITERAL_BLOCK || style === SCALAR_STYLE.FOLDED_BLOCK;
        const start = quoted ? event.valueStart - 1 : event.valueStart;
        const end = quoted ? event.valueEnd + 1 : event.valueEnd;
        const headerAt = block
          ? Math.max(
              source.lastIndexOf(style === SCALAR_STYLE.LITERAL_BLOCK ? '|' : '>', event.valueStart),
              0,
            )
          : start;
        const detected = block && !/^[|>][-+]?[1-9]|^[|>][1-9]/.test(source.slice(headerAt, headerAt + 3));
        tokens.push({
          ...(detected ? { detectUntil: firstContentLine(source, headerAt) } : {}),
          start: block
            ? Math.max(
                source.lastIndexOf(style === SCALAR_STYLE.LITERAL_BLOCK ? '|' : '>', event.valueStart),
                0,
              )
            : start,
          end,
          kind: quoted ? 'quoted' : block ? 'block' : 'plain',
          indent: block ? event.indent : blockColumn() + 1,
          inFlow: inFlow(),
        });
        note(end);
        break;
      }
      case ALIAS:
        tokens.push({
          start: event.anchorStart - 1,
          end: event.anchorEnd,
          kind: 'alias',
          indent: 0,
          inFlow: inFlow(),
        });
        note(event.anchorEnd);
        break;
      case SEQUENCE:
      case MAPPING: {
        const flow = event.style === COLLECTION_STYLE.FLOW;
        stack.push({
          flow,
          start: event.start,
          column: columnOf(source, event.start),
          lastEnd: event.start + (flow ? 1 : 0),
        });
        break;
      }
      case POP: {
        const top = stack.pop();
        if (!top) break;
        if (top.flow) {
          const end = closingBracket(source, top.lastEnd);
          tokens.push({ start: top.start, end, kind: 'flow', indent: 0, inFlow: inFlow() });
          note(end);
        } else note(top.lastEnd);
        break;
      }
    }
  }
  return tokens;
}

/** The start of the first line after the one at `from` that has something other than white space. */
function firstContentLine(source: string, from: number): number {
  let lineStart = source.indexOf('\n', from) + 1;
  while (lineStart > 0 && lineStart < source.length) {
    const newline = source.indexOf('\n', lineStart);
    const line = source.slice(lineStart, newline < 0 ? source.length : newline);
    if (line.trim() !== '') return lineStart;
    if (newline < 0) break;
    lineStart = newline + 1;
  }
  return source.length;
}

/** The offset after the `]` or `}` that closes a flow collection whose last entry ends at `from`. */
function closingBracket(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    const c = source.charAt(i);
    if (c === ']' || c === '}') return i + 1;
    if (c === '#' && (i === 0 || /\s/.test(source.charAt(i - 1)))) {
      const newline = source.indexOf('\n', i);
      if (newline < 0) return source.length;
      i = newline;
    }
  }
  return source.length;
}

function questionMarkInFlow(
  tokens: readonly Token[],
  source: string,
): { message: string; at: number } | undefined {
  for (const token of tokens) {
    if (token.kind !== 'plain' || !token.inFlow) continue;
    // In a flow collection `:` is always an indicator: a plain scalar cannot start with it.
    if (source.charAt(token.start) === ':')
      return { message: 'did not find expected node content', at: token.start };
    const at = source.indexOf('?', token.start);
    if (at >= 0 && at < token.end) return { message: "did not find expected ',' or ']'", at };
  }
  return undefined;
}

function tabError(tokens: readonly Token[], source: string): { message: string; at: number } | undefined {
  if (!source.includes('\t')) return undefined;
  const sorted = [...tokens].sort((a, b) => a.start - b.start);
  const starts = sorted.map((t) => t.start);
  // For the first n tokens by start: the one that ends last, and how far quoted scalars and flow
  // collections (where a tab is white space or content) reach.
  const lastEnding: (Token | undefined)[] = [undefined];
  const freeReach: number[] = [-1];
  for (const token of sorted) {
    const previous = lastEnding[lastEnding.length - 1];
    lastEnding.push(!previous || token.end > previous.end ? token : previous);
    const reach = token.kind === 'quoted' || token.kind === 'flow' ? token.end : -1;
    freeReach.push(Math.max(freeReach[freeReach.length - 1] as number, reach));
  }
  let lineStart = 0;
  /** The last character before this line that is not white space (comments count as content). */
  let lastContent = -1;
  while (lineStart < source.length) {
    const newline = source.indexOf('\n', lineStart);
    const lineEnd = newline < 0 ? source.length : newline;
    let i = lineStart;
    while (i < lineEnd && source.charAt(i) === ' ') i++;
    if (source.charAt(i) === '\t') {
      const n = countBelow(starts, lineStart);
      if ((freeReach[n] as number) <= lineStart) {
        const column = i - lineStart;
        const before = lastEnding[n];
        const blankSince = (from: number) => lastContent < from;
        if (before?.kind === 'block' && (lineStart < before.end || blankSince(before.end))) {
          // While go-yaml still detects the indentation, any tab after the leading spaces is refused.
          const detecting = before.detectUntil !== undefined && lineStart <= before.detectUntil;
          if (detecting || before.indent <= 0 || column < before.indent)
            return { message: 'found a tab character where an indentation space is expected', at: i };
        } else if (before?.kind === 'plain' && !before.inFlow && blankSince(before.end)) {
          if (column < before.indent)
            return { message: 'found a tab character that violates indentation', at: i };
        } else {
          return { message: 'found character that cannot start any token', at: i };
        }
      }
    }
    for (let j = lineEnd - 1; j >= lineStart; j--) {
      const c = source.charAt(j);
      if (c !== ' ' && c !== '\t') {
        lastContent = j;
        break;
      }
    }
    lineStart = lineEnd + 1;
  }
  return undefined;
}

/** How many of the sorted `starts` are below `at`. */
function countBelow(starts: readonly number[], at: number): number {
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((starts[mid] as number) < at) low = mid + 1;
    else high = mid;
  }
  return low;
}
