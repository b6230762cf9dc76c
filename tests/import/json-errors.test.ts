import { describe, expect, it } from 'vitest';
import { locateJsonError, positionIn } from '../../lib/otlp/json-file-errors.ts';

describe('locateJsonError: where and why JSON.parse refused a text', () => {
  it.each([
    ['{"a": 1,}', 8, "expected a string key, found character \"}\""],
    ['[1 2]', 3, "expected ',' or ']' after an element, found character \"2\""],
    ['{"a" 1}', 5, "expected ':' after a key, found character \"1\""],
    ['{"a": tru}', 6, 'expected a value, found character "t"'],
    ['{"a": "x\\q"}', 8, 'invalid escape \\q'],
    ['{"a": "\\u12G4"}', 7, 'invalid \\u escape'],
    ['[-]', 1, 'invalid number'],
    ['{"a": [1, 2', 11, "unexpected end of input, expected ',' or ']' after an element (truncated JSON?)"],
    ['"abc', 4, 'unexpected end of input inside a string (truncated JSON?)'],
    ['{} x', 3, 'unexpected character "x" after the end of the JSON value'],
    ['["a\tb"]', 3, 'control character inside a string'],
  ])('%j → offset %i: %s', (text, offset, reason) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(locateJsonError(text)).toEqual({ offset, reason });
  });

  it('finds nothing wrong in valid JSON', () => {
    for (const ok of ['{}', '[]', '{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"]}', ' 0 ']) expect(locateJsonError(ok)).toBeUndefined();
  });

  it('turns offsets into 1-based lines and columns, relative to where the text started', () => {
    const text = '{\n  "a": 1,\n  "b": x\n}';
    expect(positionIn(text, text.indexOf('x'))).toEqual({ line: 3, column: 8 });
    expect(positionIn('[1, x]', 4, 10, 5)).toEqual({ line: 10, column: 9 });
    expect(positionIn('[\n x]', 3, 10, 5)).toEqual({ line: 11, column: 2 });
  });
});
