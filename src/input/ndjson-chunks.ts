/**
 * NDJSON read in large chunks of whole lines rather than line by line: the
 * reading thread only finds the last newline of each chunk, and the lines are
 * split where the records are parsed (in a worker). Memory is bounded by the
 * chunk size plus one record.
 */
import { createReadStream } from 'node:fs';
import { RcError } from '../errors.js';
import { fsError } from './fs-errors.js';
import type { RawRecord } from './raw-record.js';
import { countNewlines } from '../load/text.js';

/** Whole lines of an NDJSON file, starting at line `firstLine` (1-based). */
export interface LinesChunk { file: string; firstLine: number; text: string }

/** Bytes read at a time. */
export const CHUNK_BYTES = 256 * 1024;

/**
 * The chunks of `file`, in order. A line longer than `maxRecordBytes` becomes
 * an error in its place and is skipped without being held in memory. A read
 * error (no such file, a folder, no permission, an I/O error midway) ends the
 * file with an error after the lines read so far: the run goes on.
 */
export async function* ndjsonChunks(file: string, maxRecordBytes: number): AsyncGenerator<LinesChunk | RcError> {
  const state = { line: 1 };
  try {
    yield* readChunks(file, maxRecordBytes, state);
  } catch (err) {
    const e = fsError(err, file);
    // midway, say where: the line cut short and those after it are not read
    yield state.line > 1 ? new RcError(e.code, `${e.message}; stopped reading before line ${state.line}`, { file }) : e;
  }
}

async function* readChunks(file: string, maxRecordBytes: number, state: { line: number }): AsyncGenerator<LinesChunk | RcError> {
  let carry = '';
  let line = 1; // line number of the first line in `carry`
  let skipping = false; // inside an over-long line, discarding up to its newline
  let first = true;
  for await (const piece of createReadStream(file, { encoding: 'utf8', highWaterMark: CHUNK_BYTES })) {
    let text = piece as string;
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    first = false;
    if (skipping) {
      const nl = text.indexOf('\n');
      if (nl < 0) continue;
      skipping = false;
      line++;
      text = text.slice(nl + 1);
    }
    text = carry + text;
    const nl = text.lastIndexOf('\n');
    if (nl < 0) {
      carry = text;
      if (carry.length > maxRecordBytes) {
        yield new RcError('FILE_TOO_LARGE', `record is over ${maxRecordBytes} bytes (limit maxRecordBytes); skipped`, { file, line, column: 1 });
        carry = '';
        skipping = true;
      }
      continue;
    }
    const whole = text.slice(0, nl + 1);
    carry = text.slice(nl + 1);
    yield { file, firstLine: line, text: whole };
    line += countNewlines(whole);
    state.line = line;
  }
  if (carry) yield { file, firstLine: line, text: carry };
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
