/**
 * Input bytes as UTF-8 text, never silently repaired (SPEC §4): invalid
 * UTF-8 would otherwise become U+FFFD, and two different byte strings could
 * become the same account id. UTF-16 and NUL bytes are refused with what to
 * do about them; a UTF-8 byte-order mark is allowed.
 *
 * The fast path is one native validation of a whole chunk (`isUtf8`, the
 * same strict WHATWG check as `new TextDecoder('utf-8', { fatal: true })`,
 * measured 5× faster on Node 20) plus a NUL search; only when that fails are
 * the lines taken one by one to say which line is bad, and why.
 */
import { isUtf8 } from 'node:buffer';

/** Why one line is not UTF-8 text: 1-based line and column (in characters), and the problem. */
export interface LineProblem { line: number; column: number; message: string }

/** A stretch of good whole lines, decoded, starting at line `firstLine`. */
export interface GoodLines { text: string; firstLine: number }

const fatal = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const NL = 0x0a;

/** The UTF-16 byte-order mark `bytes` starts with, if any. */
export function utf16Bom(bytes: Uint8Array): 'UTF-16LE' | 'UTF-16BE' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'UTF-16LE';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'UTF-16BE';
  return undefined;
}

/** The message for a UTF-16 file. */
export function utf16Message(kind: string): string {
  return `the file is ${kind} (it starts with a UTF-16 byte-order mark): UTF-16 is not supported; convert to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)`;
}

/** Whether `bytes` starts with the UTF-8 byte-order mark EF BB BF. */
export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** Whether `bytes` is UTF-8 text without NUL bytes (the fast check). */
export function isCleanUtf8(bytes: Uint8Array): boolean {
  return bytes.indexOf(0) < 0 && isUtf8(bytes);
}

const hex = (b: number) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * The first spot in `bytes[from, to)` that is not UTF-8 text (a NUL byte
 * included), as its offset and the problem; undefined when there is none.
 */
export function firstBadByte(bytes: Uint8Array, from = 0, to = bytes.length): { offset: number; message: string } | undefined {
  for (let i = from; i < to;) {
    const b = bytes[i]!;
    if (b === 0) return { offset: i, message: 'a NUL byte (0x00): this is not UTF-8 text (UTF-16 without a byte-order mark?); convert it to UTF-8' };
    if (b < 0x80) { i++; continue; }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; min = 0x10000; }
    else {
      const why = b >= 0x80 && b <= 0xbf ? `a continuation byte ${hex(b)} with no lead byte before it` : `the byte ${hex(b)} never occurs in UTF-8`;
      return { offset: i, message: invalid(why) };
    }
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = i + k < to ? bytes[i + k]! : -1;
      if (c < 0x80 || c > 0xbf) {
        return { offset: i, message: invalid(`the sequence starting with ${hex(b)} is cut short${c < 0 ? ' (at the end of the line or file)' : ` by ${hex(c)}`}`) };
      }
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min) return { offset: i, message: invalid(`an overlong encoding of U+${cp.toString(16).toUpperCase().padStart(4, '0')}`) };
    if (cp >= 0xd800 && cp <= 0xdfff) return { offset: i, message: invalid('an encoded UTF-16 surrogate (CESU-8?)') };
    if (cp > 0x10ffff) return { offset: i, message: invalid('a code point above U+10FFFF') };
    i += need + 1;
  }
  return undefined;
}

function invalid(why: string): string {
  return `invalid UTF-8: ${why}; the file must be UTF-8 (was it saved as Latin-1 or Windows-1252?)`;
}

/**
 * `bytes` (whole lines, the first being line `firstLine`) as runs of good
 * lines and a problem for each bad line, in order. Clean input is one run.
 */
export function decodeLines(bytes: Uint8Array, firstLine = 1): (GoodLines | LineProblem)[] {
  if (isCleanUtf8(bytes)) return [{ text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), firstLine }];
  const out: (GoodLines | LineProblem)[] = [];
  let runStart = 0;
  let runLine = firstLine;
  let line = firstLine;
  const flush = (end: number) => {
    if (end > runStart) out.push({ text: fatal.decode(bytes.subarray(runStart, end)), firstLine: runLine });
  };
  for (let start = 0; start < bytes.length; line++) {
    let end = bytes.indexOf(NL, start);
    end = end < 0 ? bytes.length : end + 1;
    const bad = firstBadByte(bytes, start, end);
    if (bad) {
      flush(start);
      // the column counts the characters before the bad byte (all valid)
      out.push({ line, column: fatal.decode(bytes.subarray(start, bad.offset)).length + 1, message: bad.message });
      runStart = end;
      runLine = line + 1;
    }
    start = end;
  }
  flush(bytes.length);
  return out;
}

/**
 * A whole file's text and the problem of each bad line. With problems, the
 * text is decoded with U+FFFD in the bad spots — only so that the file can
 * still be cut into records (line numbers stay right: a newline is never
 * part of a bad sequence); the records holding a bad line must be refused.
 */
export function decodeText(bytes: Uint8Array): { text: string; problems: LineProblem[] } {
  const body = hasUtf8Bom(bytes) ? bytes.subarray(3) : bytes;
  if (isCleanUtf8(body)) return { text: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'), problems: [] };
  const problems = decodeLines(body).filter((x): x is LineProblem => 'message' in x);
  return { text: lossy.decode(body), problems };
}
