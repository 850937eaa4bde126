/**
 * Splitting a JSON array file into its elements without parsing them
 * (src/read/record-splitter.ts): positions by hand, and each kind of
 * malformed array reported at its spot, in order among the elements.
 */
import { describe, expect, it } from 'vitest';
import { splitJsonArray, splitYamlDocuments } from '../src/read/record-splitter.js';

describe('splitJsonArray', () => {
  it('is not for text that is not an array', () => {
    expect(splitJsonArray('{"a":[1,2]}')).toBeUndefined();
    expect(splitJsonArray('  \n x')).toBeUndefined();
  });

  it('elements with their line and column; commas and brackets inside strings and nested values do not cut', () => {
    const text = '\n [ {"a":"x,]\\"y"},\n  [1,[2]] ,\t"s\\\\"\n]\n';
    //            line 2: ` [ {"a":"x,]\"y"},` the object starts at column 4
    //            line 3: `  [1,[2]] ,<TAB>"s\\"` the array at column 3, the string at column 12
    expect(splitJsonArray(text)).toEqual([
      { text: '{"a":"x,]\\"y"}', line: 2, column: 4 },
      { text: '[1,[2]] ', line: 3, column: 3 },
      { text: '"s\\\\"\n', line: 3, column: 13 },
    ]);
  });

  it('an empty array has no elements and no problem', () => {
    expect(splitJsonArray('[ ]')).toEqual([]);
    expect(splitJsonArray('[]\n\n')).toEqual([]);
  });

  it('empty elements: a leading, a doubled and a trailing comma, each at its comma', () => {
    expect(splitJsonArray('[,1]')).toEqual([
      { problem: "an empty array element: ',' with no element before it", line: 1, column: 2 },
      { text: '1', line: 1, column: 3 },
    ]);
    expect(splitJsonArray('[1,\n,2]')).toEqual([
      { text: '1', line: 1, column: 2 },
      { problem: "an empty array element: ',' with no element before it", line: 2, column: 1 },
      { text: '2', line: 2, column: 2 },
    ]);
    expect(splitJsonArray('[1,2 , ]')).toEqual([
      { text: '1', line: 1, column: 2 },
      { text: '2 ', line: 1, column: 4 },
      { problem: "an empty array element: ',' with no element after it (trailing comma)", line: 1, column: 6 },
    ]);
  });

  it('text after the closing bracket, and an array that is not closed', () => {
    expect(splitJsonArray('[1]\n x')).toEqual([
      { text: '1', line: 1, column: 2 },
      expect.objectContaining({ line: 2, column: 2 }),
    ]);
    expect(splitJsonArray('[1,\n2\n')).toEqual([
      { text: '1', line: 1, column: 2 },
      { text: '2\n', line: 2, column: 1 },
      { problem: "the array is not closed: ']' is missing (truncated file?)", line: 2, column: 2 },
    ]);
    // cut inside an element: the element reports it when parsed, no second problem
    expect(splitJsonArray('[1, {"a": "b')).toEqual([
      { text: '1', line: 1, column: 2 },
      { text: '{"a": "b', line: 1, column: 5 },
    ]);
  });

  it('a backslash before a newline inside a string keeps the line count right', () => {
    expect(splitJsonArray('["a\\\nb", 2]')).toEqual([
      { text: '"a\\\nb"', line: 1, column: 2 },
      { text: '2', line: 2, column: 5 },
    ]);
  });
});

describe('splitYamlDocuments', () => {
  it('cut at document markers, each piece with the line it starts on', () => {
    // line 1 `a: 1`; lines 2–4 `---`, `b: 2`, `...` (the end marker closes its piece); line 5 `--- # note`
    // starts a document with nothing in it, so the next `---` does not cut: lines 5–7 are one piece
    expect(splitYamlDocuments('a: 1\n---\nb: 2\n...\n--- # note\n---\nc: 3\n')).toEqual([
      { text: 'a: 1', line: 1, column: 1 },
      { text: '---\nb: 2\n...', line: 2, column: 1 },
      { text: '--- # note\n---\nc: 3\n', line: 5, column: 1 },
    ]);
  });
});
