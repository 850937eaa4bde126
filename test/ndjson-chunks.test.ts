/**
 * NDJSON read in chunks (src/read/ndjson-chunks.ts): an over-long line is
 * reported in its place and skipped up to its newline, even when it spans
 * several chunks; line numbers after it stay right; BOM, CRLF and blank lines.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RcError } from '../src/errors.js';
import { CHUNK_BYTES, chunkRecords, ndjsonChunks, type LinesChunk } from '../src/read/ndjson-chunks.js';
import { tempDir } from './support/temp.js';

const dir = tempDir('rc-ndjson-');

async function read(file: string, max: number): Promise<(LinesChunk | { error: string; message: string; line?: number })[]> {
  const out: (LinesChunk | { error: string; message: string; line?: number })[] = [];
  for await (const c of ndjsonChunks(file, max)) {
    out.push(c instanceof RcError ? { error: c.code, message: c.message, line: c.line } : c);
  }
  return out;
}

const rec = (n: number) => `{"schemaVersion":1,"account":"R-${n}"}`;

describe('ndjsonChunks: over-long lines', () => {
  it('a line spanning three chunks is one error at its line, and the lines after it keep their numbers', async () => {
    const file = join(dir, 'long-middle.ndjson');
    const long = 'x'.repeat(CHUNK_BYTES * 2 + 100); // ends inside the third chunk
    writeFileSync(file, `${rec(1)}\n${long}\n${rec(3)}\n\n${rec(5)}\n`);
    expect(await read(file, 100_000)).toEqual([
      { file, firstLine: 1, text: `${rec(1)}\n` },
      { error: 'FILE_TOO_LARGE', message: 'record is over 100000 bytes (limit maxRecordBytes); skipped', line: 2 },
      { file, firstLine: 3, text: `${rec(3)}\n\n${rec(5)}\n` },
    ]);
  });

  it('an over-long first line, its newline at the very start of a chunk', async () => {
    const file = join(dir, 'long-first.ndjson');
    writeFileSync(file, `${'y'.repeat(CHUNK_BYTES)}\n${rec(2)}\n`);
    expect(await read(file, 1000)).toEqual([
      { error: 'FILE_TOO_LARGE', message: 'record is over 1000 bytes (limit maxRecordBytes); skipped', line: 1 },
      { file, firstLine: 2, text: `${rec(2)}\n` },
    ]);
  });

  it('an over-long last line without a newline: the error, then nothing', async () => {
    const file = join(dir, 'long-last.ndjson');
    writeFileSync(file, `${rec(1)}\n${rec(2)}\n${'z'.repeat(CHUNK_BYTES * 3)}`);
    expect(await read(file, 5000)).toEqual([
      { file, firstLine: 1, text: `${rec(1)}\n${rec(2)}\n` },
      { error: 'FILE_TOO_LARGE', message: 'record is over 5000 bytes (limit maxRecordBytes); skipped', line: 3 },
    ]);
  });

  it('a line under the limit that spans two chunks is kept whole', async () => {
    const file = join(dir, 'spanning.ndjson');
    const big = `{"pad":"${'p'.repeat(CHUNK_BYTES)}"}`;
    writeFileSync(file, `${rec(1)}\n${big}\n${rec(3)}`);
    const chunks = await read(file, 4 * CHUNK_BYTES);
    // chunk 1: line 1 (line 2 carried over); chunk 2: the end of line 2; then line 3, which has no newline
    expect(chunks.map((c) => ('text' in c ? c.firstLine : c))).toEqual([1, 2, 3]);
    expect(chunks.map((c) => ('text' in c ? c.text : '')).join('')).toBe(`${rec(1)}\n${big}\n${rec(3)}`);
  });

  it('a byte order mark is dropped; an empty file has no chunks', async () => {
    const bom = join(dir, 'bom.ndjson');
    writeFileSync(bom, `\ufeff${rec(1)}\n`);
    expect(await read(bom, 1000)).toEqual([{ file: bom, firstLine: 1, text: `${rec(1)}\n` }]);
    const empty = join(dir, 'empty.ndjson');
    writeFileSync(empty, '');
    expect(await read(empty, 1000)).toEqual([]);
  });

  it('a missing file is one FILE_NOT_FOUND error; a folder is READ_FAILED', async () => {
    expect(await read(join(dir, 'nope.ndjson'), 1000)).toEqual([{ error: 'FILE_NOT_FOUND', message: 'no such file', line: undefined }]);
    expect(await read(dir, 1000)).toEqual([{ error: 'READ_FAILED', message: 'cannot read: is a folder, not a file (EISDIR)', line: undefined }]);
  });
});

describe('chunkRecords', () => {
  it('one record per non-blank line, numbered from the chunk\'s first line, CRLF cut', () => {
    const text = `${rec(7)}\r\n\n   \r\n${rec(10)}\n${rec(11)}`;
    expect(chunkRecords({ file: 'f.ndjson', firstLine: 7, text })).toEqual([
      { seq: 7, file: 'f.ndjson', line: 7, column: 1, text: rec(7), format: 'json' },
      { seq: 10, file: 'f.ndjson', line: 10, column: 1, text: rec(10), format: 'json' },
      { seq: 11, file: 'f.ndjson', line: 11, column: 1, text: rec(11), format: 'json' },
    ]);
  });
});
