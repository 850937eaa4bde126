/**
 * NDJSON read in large chunks of whole lines rather than line by line: the
 * reading thread only finds the last newline of each chunk and checks the
 * chunk is UTF-8 (one native pass), and the lines are split where the
 * records are parsed (in a worker). Memory is bounded by the chunk size plus
 * one record. The same reader takes a file, standard input or a pipe.
 */
import { createReadStream } from 'node:fs';
import { RcError } from '../errors.js';
import { fsError } from './fs-errors.js';
import type { RawRecord } from './raw-record.js';
import { decodeLines, hasUtf8Bom, isCleanUtf8, utf16Bom, utf16Message } from './utf8.js';

/** Whole lines of an NDJSON file, starting at line `firstLine` (1-based). */
export interface LinesChunk { file: string; firstLine: number; text: string }

/** Bytes read at a time. */
export const CHUNK_BYTES = 256 * 1024;

const NL = 0x0a;
const EMPTY = Buffer.alloc(0);

/** The bytes of `file` as they are read, `CHUNK_BYTES` at a time. */
export function fileBytes(file: string): AsyncIterable<Uint8Array> {
  return createReadStream(file, { highWaterMark: CHUNK_BYTES });
}

/**
 * The chunks of `file` (or of `source`, named `file` in messages), in order.
 * A line longer than `maxRecordBytes` becomes an error in its place and is
 * skipped without being held in memory; so does a line that is not UTF-8
 * (invalid bytes, a NUL). A UTF-16 file is one error. A read error (no such
 * file, a folder, no permission, an I/O error midway) ends the file with an
 * error after the lines read so far: the run goes on.
 */
export async function* ndjsonChunks(file: string, maxRecordBytes: number, source?: AsyncIterable<Uint8Array>): AsyncGenerator<LinesChunk | RcError> {
  const state = { line: 1 };
  try {
    yield* readChunks(file, source ?? fileBytes(file), maxRecordBytes, state);
  } catch (err) {
    const e = fsError(err, file);
    // midway, say where: the line cut short and those after it are not read
    yield state.line > 1 ? new RcError(e.code, `${e.message}; stopped reading before line ${state.line}`, { file }) : e;
  }
}

async function* readChunks(file: string, source: AsyncIterable<Uint8Array>, maxRecordBytes: number, state: { line: number }): AsyncGenerator<LinesChunk | RcError> {
  let carry: Buffer = EMPTY;
  let line = 1; // line number of the first line in `carry`
  let skipping = false; // inside an over-long line, discarding up to its newline
  let started = false; // the first bytes were checked for a byte-order mark
  for await (const piece of source) {
    let buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
    if (skipping) {
      const nl = buf.indexOf(NL);
      if (nl < 0) continue;
      skipping = false;
      line++;
      buf = buf.subarray(nl + 1);
    }
    if (!started) {
      if (carry.length) buf = Buffer.concat([carry, buf]);
      carry = EMPTY;
      if (buf.length < 3) { carry = buf; continue; } // a pipe may deliver a byte at a time
      started = true;
      const utf16 = utf16Bom(buf);
      if (utf16) {
        yield new RcError('ENCODING', utf16Message(utf16), { file, line: 1, column: 1 });
        return;
      }
      if (hasUtf8Bom(buf)) buf = buf.subarray(3);
    }
    const nl = buf.lastIndexOf(NL);
    if (nl < 0) {
      carry = carry.length ? Buffer.concat([carry, buf]) : buf;
      if (carry.length > maxRecordBytes) {
        yield new RcError('FILE_TOO_LARGE', `record is over ${maxRecordBytes} bytes (limit maxRecordBytes); skipped`, { file, line, column: 1 });
        carry = EMPTY;
        skipping = true;
      }
      continue;
    }
    // only the line cut at the last chunk's end is copied (joined with its rest); the other lines stay where they were read
    const first = buf.indexOf(NL);
    const head = carry.length ? Buffer.concat([carry, buf.subarray(0, first + 1)]) : buf.subarray(0, first + 1);
    const body = buf.subarray(first + 1, nl + 1);
    carry = buf.subarray(nl + 1);
    yield* decoded(file, head, body, line);
    line += 1 + countNewlines(body);
    state.line = line;
  }
  if (!started && carry.length) {
    const utf16 = utf16Bom(carry);
    if (utf16) {
      yield new RcError('ENCODING', utf16Message(utf16), { file, line: 1, column: 1 });
      return;
    }
    if (hasUtf8Bom(carry)) carry = carry.subarray(3);
  }
  if (carry.length) yield* decoded(file, carry, EMPTY, line);
}

/**
 * Whole lines (`head` then `body`) as a chunk of text — or, when some line is
 * not UTF-8, as chunks of the good lines with an error in place of each bad one.
 */
function* decoded(file: string, head: Buffer, body: Buffer, firstLine: number): Generator<LinesChunk | RcError> {
  if (isCleanUtf8(head) && isCleanUtf8(body)) {
    yield { file, firstLine, text: head.toString('utf8') + body.toString('utf8') };
    return;
  }
  for (const part of decodeLines(Buffer.concat([head, body]), firstLine)) {
    yield 'message' in part
      ? new RcError('ENCODING', part.message, { file, line: part.line, column: part.column })
      : { file, firstLine: part.firstLine, text: part.text };
  }
}

function countNewlines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(NL); i >= 0; i = bytes.indexOf(NL, i + 1)) n++;
  return n;
}

/** The records of a chunk: one per non-blank line, with its line number. */
export function chunkRecords(chunk: LinesChunk): RawRecord[] {
  const out: RawRecord[] = [];
  const { text, file } = chunk;
  let line = chunk.firstLine;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let stop = end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--; // CRLF
    const t = text.slice(start, stop);
    if (t.trim()) out.push({ seq: line, file, line, column: 1, text: t, format: 'json' });
    line++;
    start = end + 1;
  }
  return out;
}
