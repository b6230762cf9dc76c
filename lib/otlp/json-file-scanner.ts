// Splits a stream of JSON text into small units without holding the whole document, so a
// trace file of any size is read in bounded memory:
// - a sequence of top-level values (JSON-lines: one OTLP request per line) is read one value
//   at a time;
// - a top-level array yields its elements one by one (Zipkin spans, OTLP requests, Jaeger traces);
// - a top-level object yields its members, and the elements of the arrays under SPLIT_KEYS one
//   by one (`resourceSpans` of a big OTLP request, `data` of a Jaeger download).
// Each unit's text is then JSON.parse'd by the caller; this scanner only tracks strings and
// brackets, and knows the line and column where every unit starts, so errors can name them.

export class JsonPositionError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${line}:${column}: ${reason}`);
    this.name = 'JsonPositionError';
  }
}

export type JsonUnit =
  | { type: 'top-start'; container: 'object' | 'array'; line: number; column: number; index: number }
  | { type: 'top-end'; index: number }
  /** A value: an element of a top-level array, a member of a top-level object, an element of a split member, or a top-level scalar. */
  | { type: 'value'; where: 'element' | 'member' | 'member-element' | 'top'; key?: string; text: string; line: number; column: number; index: number };

/** Arrays under these top-level keys are split into their elements. */
const SPLIT_KEYS: ReadonlySet<string> = new Set(['resourceSpans', 'resource_spans', 'data', 'resourceMetrics', 'resource_metrics', 'resourceLogs', 'resource_logs']);

/** One unit larger than this is refused: V8 strings stop near 512 MiB and JSON.parse needs several times that. */
export const MAX_UNIT_CHARS = 128 * 1024 * 1024;

const enum S {
  Top,
  ObjKeyOrEnd,
  ObjKey,
  InKey,
  ObjColon,
  ObjValue,
  ObjCommaOrEnd,
  ArrValueOrEnd,
  ArrValue,
  ArrCommaOrEnd,
  Capture,
}

interface ArrayFrame {
  /** 'element' for the top-level array, 'member-element' for a split member's array. */
  where: 'element' | 'member-element';
  key?: string;
}

export class JsonStreamScanner {
  private state = S.Top;
  private topIndex = -1;
  private topIsObject = false;
  private array: ArrayFrame | undefined;
  private key = '';
  private keyParts: string[] = [];
  private keyEscape = false;

  // Capture of one unit.
  private capWhere: 'element' | 'member' | 'member-element' | 'top' = 'top';
  private capKey: string | undefined;
  private capLine = 0;
  private capColumn = 0;
  private capParts: string[] = [];
  private capLength = 0;
  private capStack: number[] = [];
  private capInString = false;
  private capEscape = false;
  private capScalar = false;
  /** Where the capture resumes after it ends. */
  private capReturn = S.Top;
  /** Index in the current chunk where the capture began. */
  private capFirst = 0;

  // Position: absolute offset of the chunk start, current line, offset where the line starts.
  private base = 0;
  private line = 1;
  private lineStart = 0;

  private out: JsonUnit[] = [];

  /** Units completed so far; the caller drains them after each push. */
  take(): JsonUnit[] {
    const units = this.out;
    this.out = [];
    return units;
  }

  /** How many top-level values were seen (JSON-lines files have more than one). */
  get topLevelValues(): number {
    return this.topIndex + 1;
  }

  /** True between top-level values: the next non-blank character starts a new one. */
  get atTop(): boolean {
    return this.state === S.Top;
  }

  /** Line and column (1-based) where the next character pushed will be. */
  get position(): { line: number; column: number } {
    return { line: this.line, column: this.base - this.lineStart + 1 };
  }

  /**
   * Accounts for one whole line (without its newline) that the caller parsed itself as one
   * top-level value (the JSON-lines fast path), so positions and value counts stay right.
   * Returns the index of that value.
   */
  skipLine(length: number): number {
    this.topIndex++;
    this.base += length + 1;
    this.line++;
    this.lineStart = this.base;
    return this.topIndex;
  }

  push(s: string): void {
    let i = 0;
    const n = s.length;
    let capStart = this.state === S.Capture ? 0 : -1;
    let keyStart = this.state === S.InKey ? 0 : -1;
    while (i < n) {
      if (this.state === S.Capture) {
        if (capStart < 0) capStart = this.capFirst;
        const end = this.scanCapture(s, i);
        if (end < 0) {
          // The unit continues in the next chunk.
          this.appendCapture(s.slice(capStart));
          break;
        }
        this.appendCapture(s.slice(capStart, end));
        this.finishCapture();
        capStart = -1;
        i = end;
        continue;
      }
      if (this.state === S.InKey) {
        if (keyStart < 0) keyStart = i;
        const end = this.scanKey(s, i);
        if (end < 0) {
          this.keyParts.push(s.slice(keyStart));
          break;
        }
        this.keyParts.push(s.slice(keyStart, end - 1));
        this.finishKey(end);
        keyStart = -1;
        i = end;
        continue;
      }
      const c = s.charCodeAt(i);
      if (c === 32 || c === 9 || c === 13) {
        i++;
        continue;
      }
      if (c === 10) {
        this.newline(i);
        i++;
        continue;
      }
      if (i === 0 && c === 0xfeff && this.base === 0) {
        i++;
        continue;
      }
      i = this.structural(s, i, c);
    }
    // A unit whose first character was the last one of this chunk.
    if (this.state === S.Capture && capStart < 0) this.appendCapture(s.slice(this.capFirst));
    this.base += n;
  }

  /** Call at end of input: a value still open means the file is truncated. */
  end(): void {
    if (this.state === S.Capture && this.capScalar && this.capStack.length === 0 && !this.capInString) {
      this.finishCapture();
    }
    if (this.state !== S.Top) {
      const what =
        this.state === S.Capture || this.state === S.InKey
          ? 'a value is cut off'
          : this.array
            ? 'an array is not closed'
            : 'an object is not closed';
      throw this.error(this.base, `unexpected end of file: ${what} (truncated JSON?)`);
    }
  }

  private newline(i: number): void {
    this.line++;
    this.lineStart = this.base + i + 1;
  }

  private error(absOffset: number, reason: string): JsonPositionError {
    return new JsonPositionError(this.line, absOffset - this.lineStart + 1, reason);
  }

  private unexpected(s: string, i: number, expected: string): JsonPositionError {
    return this.error(this.base + i, `expected ${expected}, found ${JSON.stringify(s[i])}`);
  }

  /** Handles one non-whitespace character outside a capture or key; returns the next index. */
  private structural(s: string, i: number, c: number): number {
    switch (this.state) {
      case S.Top:
        this.topIndex++;
        if (c === 123 /* { */) {
          this.topIsObject = true;
          this.array = undefined;
          this.out.push({ type: 'top-start', container: 'object', ...this.pos(i), index: this.topIndex });
          this.state = S.ObjKeyOrEnd;
          return i + 1;
        }
        if (c === 91 /* [ */) {
          this.topIsObject = false;
          this.array = { where: 'element' };
          this.out.push({ type: 'top-start', container: 'array', ...this.pos(i), index: this.topIndex });
          this.state = S.ArrValueOrEnd;
          return i + 1;
        }
        this.topIsObject = false;
        return this.startCapture(s, i, 'top', undefined, S.Top);
      case S.ObjKeyOrEnd:
      case S.ObjKey:
        if (c === 125 /* } */ && this.state === S.ObjKeyOrEnd) return this.closeTop(i);
        if (c === 125) throw this.error(this.base + i, "unexpected '}' after ',' (trailing comma)");
        if (c !== 34 /* " */) throw this.unexpected(s, i, this.state === S.ObjKey ? "a string key after ','" : "a string key or '}'");
        this.state = S.InKey;
        this.keyParts = [];
        this.keyEscape = false;
        return i + 1;
      case S.ObjColon:
        if (c !== 58 /* : */) throw this.unexpected(s, i, `':' after the key ${JSON.stringify(this.key)}`);
        this.state = S.ObjValue;
        return i + 1;
      case S.ObjValue:
        if (c === 91 /* [ */ && SPLIT_KEYS.has(this.key)) {
          this.array = { where: 'member-element', key: this.key };
          this.state = S.ArrValueOrEnd;
          return i + 1;
        }
        return this.startCapture(s, i, 'member', this.key, S.ObjCommaOrEnd);
      case S.ObjCommaOrEnd:
        if (c === 44 /* , */) {
          this.state = S.ObjKey;
          return i + 1;
        }
        if (c === 125) return this.closeTop(i);
        throw this.unexpected(s, i, "',' or '}' after a member");
      case S.ArrValueOrEnd:
      case S.ArrValue:
        if (c === 93 /* ] */ && this.state === S.ArrValueOrEnd) return this.closeArray(i);
        if (c === 93) throw this.error(this.base + i, "unexpected ']' after ',' (trailing comma)");
        return this.startCapture(s, i, this.array!.where, this.array!.key, S.ArrCommaOrEnd);
      case S.ArrCommaOrEnd:
        if (c === 44) {
          this.state = S.ArrValue;
          return i + 1;
        }
        if (c === 93) return this.closeArray(i);
        throw this.unexpected(s, i, "',' or ']' after an element");
      default:
        throw new Error(`scanner in unexpected state ${this.state}`);
    }
  }

  private pos(i: number): { line: number; column: number } {
    return { line: this.line, column: this.base + i - this.lineStart + 1 };
  }

  private closeTop(i: number): number {
    this.out.push({ type: 'top-end', index: this.topIndex });
    this.state = S.Top;
    return i + 1;
  }

  private closeArray(i: number): number {
    if (this.topIsObject) {
      // End of a split member's array: back in the top-level object.
      this.array = undefined;
      this.state = S.ObjCommaOrEnd;
      return i + 1;
    }
    this.array = undefined;
    return this.closeTop(i);
  }

  private startCapture(s: string, i: number, where: 'element' | 'member' | 'member-element' | 'top', key: string | undefined, ret: S): number {
    const c = s.charCodeAt(i);
    this.capWhere = where;
    this.capKey = key;
    const p = this.pos(i);
    this.capLine = p.line;
    this.capColumn = p.column;
    this.capParts = [];
    this.capLength = 0;
    this.capStack = [];
    this.capInString = false;
    this.capEscape = false;
    this.capScalar = false;
    this.capReturn = ret;
    this.capFirst = i;
    if (c === 123 || c === 91) {
      this.capStack.push(c === 123 ? 125 : 93);
    } else if (c === 34) {
      this.capInString = true;
    } else if (c === 125 || c === 93 || c === 44 || c === 58) {
      throw this.error(this.base + i, `expected a value, found ${JSON.stringify(s[i])}`);
    } else {
      this.capScalar = true;
    }
    this.state = S.Capture;
    // The first character is part of the unit; scanning resumes after it (a scalar's first
    // character is re-read by the scalar loop, which only looks for delimiters).
    return this.capScalar ? i : i + 1;
  }

  /** Scans a capture from i; returns the index just past its end, or -1 if it runs past the chunk. */
  private scanCapture(s: string, i: number): number {
    const n = s.length;
    if (this.capScalar) {
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c === 44 || c === 93 || c === 125 || c === 32 || c === 10 || c === 13 || c === 9) return i;
      }
      return -1;
    }
    const stack = this.capStack;
    let inString = this.capInString;
    let escape = this.capEscape;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (inString) {
        if (escape) escape = false;
        else if (c === 92) escape = true;
        else if (c === 34) {
          inString = false;
          if (stack.length === 0) return i + 1;
        } else if (c === 10) this.newline(i);
        continue;
      }
      switch (c) {
        case 34:
          inString = true;
          break;
        case 123:
          stack.push(125);
          break;
        case 91:
          stack.push(93);
          break;
        case 125:
        case 93:
          if (stack.pop() !== c) throw this.error(this.base + i, `unexpected ${JSON.stringify(s[i])}: brackets do not match`);
          if (stack.length === 0) return i + 1;
          break;
        case 10:
          this.newline(i);
          break;
      }
    }
    this.capInString = inString;
    this.capEscape = escape;
    return -1;
  }

  private appendCapture(part: string): void {
    this.capLength += part.length;
    if (this.capLength > MAX_UNIT_CHARS) {
      throw new JsonPositionError(this.capLine, this.capColumn, `one JSON value here is larger than ${MAX_UNIT_CHARS / 1024 / 1024} MiB; split the file (JSON-lines) to import it`);
    }
    if (part.length > 0) this.capParts.push(part);
  }

  private finishCapture(): void {
    const text = this.capParts.length === 1 ? this.capParts[0] : this.capParts.join('');
    this.capParts = [];
    this.out.push({
      type: 'value',
      where: this.capWhere,
      ...(this.capKey !== undefined ? { key: this.capKey } : {}),
      text,
      line: this.capLine,
      column: this.capColumn,
      index: this.topIndex,
    });
    this.state = this.capReturn;
  }

  /** Scans an object key from i; returns the index past its closing quote, or -1. */
  private scanKey(s: string, i: number): number {
    let escape = this.keyEscape;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (escape) escape = false;
      else if (c === 92) escape = true;
      else if (c === 34) return i + 1;
      else if (c < 32) throw this.error(this.base + i, 'control character or line break inside a key');
    }
    this.keyEscape = escape;
    return -1;
  }

  private finishKey(end: number): void {
    const raw = this.keyParts.join('');
    this.keyParts = [];
    try {
      this.key = JSON.parse(`"${raw}"`) as string;
    } catch {
      throw this.error(this.base + end - raw.length - 2, `invalid escape in the key "${raw.slice(0, 40)}"`);
    }
    this.state = S.ObjColon;
  }
}
