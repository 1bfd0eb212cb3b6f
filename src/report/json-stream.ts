/**
 * A streaming reader of one JSON object document that does not depend on how the text is laid out
 * (indentation, line breaks, member order) and runs in time linear in its length: each character is looked
 * at once, and no text is joined more than once. It never holds the whole document: members whose path is
 * in `descend` are walked (their own members are handed on one by one), arrays whose path is in `stream`
 * are handed over element by element, and every other value is captured whole, up to `maxValueChars`, and
 * parsed with JSON.parse. Paths are member names joined by dots (`findings`, `diff.new`).
 *
 * The stored report is input written by whoever can write ConfigMaps in the operator's namespace: a value
 * too long, a duplicate member, or anything that is not JSON stops the read with a JsonStreamError that
 * says where (the character offset).
 */
export class JsonStreamError extends Error {
  override readonly name = 'JsonStreamError';
}

export interface JsonStreamOptions {
  /** Objects walked member by member (the root is always walked). */
  readonly descend: ReadonlySet<string>;
  /** Arrays handed over element by element. */
  readonly stream: ReadonlySet<string>;
  /** Longest captured value (a member not walked, or one array element), in UTF-16 code units. */
  readonly maxValueChars: number;
  /** A captured member of a walked object. */
  readonly onValue: (path: string, value: unknown) => void;
  /** One element of a streamed array. */
  readonly onElement: (path: string, value: unknown) => void;
  /** A walked object or streamed array begins. */
  readonly onContainer?: (path: string) => void;
}

type Frame =
  | {
      kind: 'object';
      path: string;
      expect: 'key-or-end' | 'key' | 'colon' | 'value' | 'comma-or-end';
      key: string;
      keys: Set<string>;
    }
  | { kind: 'array'; path: string; expect: 'value-or-end' | 'value' | 'comma-or-end' };

/** A value being captured: its text so far (in slices of the chunks), nesting depth and string state. */
interface Capture {
  readonly path: string;
  readonly element: boolean;
  readonly parts: string[];
  chars: number;
  depth: number;
  inString: boolean;
  escaped: boolean;
  scalar: boolean;
}

/** A member name being read (names are short: longer ones are refused). */
interface KeyRead {
  text: string;
  escaped: boolean;
}

const MAX_KEY_CHARS = 256;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export class JsonObjectStream {
  private readonly options: JsonStreamOptions;
  private readonly stack: Frame[] = [];
  private state: 'start' | 'inside' | 'done' = 'start';
  private capture: Capture | undefined;
  private key: KeyRead | undefined;
  private offset = 0;

  constructor(options: JsonStreamOptions) {
    this.options = options;
  }

  private fail(message: string, at: number): never {
    throw new JsonStreamError(`${message} at character ${this.offset + at}`);
  }

  write(chunk: string): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.capture) {
        i = this.continueCapture(chunk, i);
        continue;
      }
      if (this.key) {
        i = this.continueKey(chunk, i);
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (this.state === 'done') this.fail('text after the end of the document', i);
      if (this.state === 'start') {
        if (c !== 0x7b) this.fail('expected a JSON object', i);
        this.stack.push({ kind: 'object', path: '', expect: 'key-or-end', key: '', keys: new Set() });
        this.state = 'inside';
        i++;
        continue;
      }
      i = this.structural(chunk, i, c);
    }
    this.offset += n;
  }

  /** Call once the last chunk was written: the document must be complete. */
  end(): void {
    if (this.state !== 'done' || this.capture || this.key)
      throw new JsonStreamError(`the document ends early at character ${this.offset}`);
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1] as Frame;
  }

  /** One character of walked structure (a walked object or a streamed array). */
  private structural(chunk: string, i: number, c: number): number {
    const frame = this.top();
    if (frame.kind === 'object') {
      switch (frame.expect) {
        case 'key-or-end':
        case 'key':
          if (c === 0x7d && frame.expect === 'key-or-end') return this.close(i);
          if (c !== 0x22) this.fail('expected a member name', i);
          this.key = { text: '', escaped: false };
          return i + 1;
        case 'colon':
          if (c !== 0x3a) this.fail('expected ":"', i);
          frame.expect = 'value';
          return i + 1;
        case 'value': {
          const path = frame.path ? `${frame.path}.${frame.key}` : frame.key;
          frame.expect = 'comma-or-end';
          return this.startValue(chunk, i, c, path, false);
        }
        case 'comma-or-end':
          if (c === 0x7d) return this.close(i);
          if (c !== 0x2c) this.fail('expected "," or "}"', i);
          frame.expect = 'key';
          return i + 1;
      }
    }
    switch (frame.expect) {
      case 'value-or-end':
      case 'value':
        if (c === 0x5d && frame.expect === 'value-or-end') return this.close(i);
        frame.expect = 'comma-or-end';
        return this.startValue(chunk, i, c, frame.path, true);
      case 'comma-or-end':
        if (c === 0x5d) return this.close(i);
        if (c !== 0x2c) this.fail('expected "," or "]"', i);
        frame.expect = 'value';
        return i + 1;
    }
  }

  private close(i: number): number {
    this.stack.pop();
    if (this.stack.length === 0) this.state = 'done';
    return i + 1;
  }

  private startValue(chunk: string, i: number, c: number, path: string, element: boolean): number {
    if (!element && c === 0x7b && this.options.descend.has(path)) {
      this.stack.push({ kind: 'object', path, expect: 'key-or-end', key: '', keys: new Set() });
      this.options.onContainer?.(path);
      return i + 1;
    }
    if (!element && c === 0x5b && this.options.stream.has(path)) {
      this.stack.push({ kind: 'array', path, expect: 'value-or-end' });
      this.options.onContainer?.(path);
      return i + 1;
    }
    if (c === 0x7d || c === 0x5d || c === 0x2c || c === 0x3a) this.fail('expected a value', i);
    this.capture = {
      path,
      element,
      parts: [],
      chars: 0,
      depth: 0,
      inString: false,
      escaped: false,
      scalar: c !== 0x7b && c !== 0x5b && c !== 0x22,
    };
    return this.continueCapture(chunk, i);
  }

  /** Scans a captured value up to its end (or the chunk's), keeping its text. */
  private continueCapture(chunk: string, start: number): number {
    const capture = this.capture as Capture;
    const n = chunk.length;
    let i = start;
    let ended = false;
    if (capture.scalar) {
      for (; i < n; i++) {
        const c = chunk.charCodeAt(i);
        if (c === 0x2c || c === 0x7d || c === 0x5d || isSpace(c)) {
          ended = true;
          break;
        }
      }
    } else {
      for (; i < n; i++) {
        const c = chunk.charCodeAt(i);
        if (capture.inString) {
          if (capture.escaped) capture.escaped = false;
          else if (c === 0x5c) capture.escaped = true;
          else if (c === 0x22) {
            capture.inString = false;
            if (capture.depth === 0) {
              i++;
              ended = true;
              break;
            }
          }
          continue;
        }
        if (c === 0x22) capture.inString = true;
        else if (c === 0x7b || c === 0x5b) capture.depth++;
        else if (c === 0x7d || c === 0x5d) {
          capture.depth--;
          if (capture.depth === 0) {
            i++;
            ended = true;
            break;
          }
        }
      }
    }
    capture.chars += i - start;
    if (capture.chars > this.options.maxValueChars)
      this.fail(
        `${describePath(capture.path, capture.element)} is longer than ${this.options.maxValueChars} characters`,
        i,
      );
    if (i > start) capture.parts.push(chunk.slice(start, i));
    if (ended) this.finishCapture(i);
    return i;
  }

  private finishCapture(at = 0): void {
    const capture = this.capture as Capture;
    this.capture = undefined;
    let value: unknown;
    try {
      value = JSON.parse(capture.parts.join(''));
    } catch (error) {
      this.fail(
        `${describePath(capture.path, capture.element)}: ${error instanceof Error ? error.message : String(error)}`,
        at,
      );
    }
    if (capture.element) this.options.onElement(capture.path, value);
    else this.options.onValue(capture.path, value);
  }

  /** Reads a member name of a walked object up to its closing quote. */
  private continueKey(chunk: string, start: number): number {
    const key = this.key as KeyRead;
    const n = chunk.length;
    let i = start;
    for (; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (key.escaped) key.escaped = false;
      else if (c === 0x5c) key.escaped = true;
      else if (c === 0x22) break;
    }
    key.text += chunk.slice(start, i);
    if (key.text.length > MAX_KEY_CHARS)
      this.fail(`a member name longer than ${MAX_KEY_CHARS} characters`, i);
    if (i === n) return i;
    this.key = undefined;
    let name: string;
    try {
      name = JSON.parse(`"${key.text}"`) as string;
    } catch {
      this.fail('an invalid member name', i);
    }
    const frame = this.top() as Extract<Frame, { kind: 'object' }>;
    if (frame.keys.has(name)) this.fail(`duplicate member "${name}"`, i);
    frame.keys.add(name);
    frame.key = name;
    frame.expect = 'colon';
    return i + 1;
  }
}

function describePath(path: string, element: boolean): string {
  return element ? `an entry of "${path}"` : `"${path}"`;
}
