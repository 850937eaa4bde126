/**
 * A run's output held back until the run knows every duplicate claim
 * (`run-duplicates.ts`): a record refused because of a LATER record must be
 * written as an error record although its result was ready first. Holding a
 * million results in memory would break the memory budget (NDJSON output is
 * ~2 KiB a snapshot), so the bytes go, in order, to a temporary file with
 * the end offset of each record; `finishTo` copies the file to the real
 * output in large chunks, putting each refused record's replacement in
 * place of its bytes. Bytes that belong to no record (a CSV header) are
 * written with `appendOther`.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync, writevSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RcError } from '../errors.js';

/**
 * A temporary file of the run that cannot be made or written (a full disk),
 * as the one error family says it: the file named, no stack trace.
 */
export function tempFileError(err: unknown, file: string): RcError {
  if (err instanceof RcError) return err;
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'ENOSPC' ? 'the disk is full' : e.code === 'EDQUOT' ? 'the disk quota is used up' : e.message;
  return new RcError('WRITE_FAILED',
    `a temporary file of the run cannot be written (${why}; TMPDIR names the folder); the run stopped, nothing was written`, { file });
}

/** Runs `f`; a file-system error becomes `tempFileError` for `file`. */
export function onTempFile<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw tempFileError(err, file);
  }
}

/** The held output of one run. */
export interface HeldOutput {
  /** Appends the bytes of record `index` (indexes ascending, each once); they are kept, unchanged, until written. */
  appendRecord(index: number, bytes: Uint8Array): void;
  /** Appends bytes that belong to no record (a header). */
  appendOther(bytes: Uint8Array): void;
  /**
   * Writes everything held, in order, through `write`; the bytes of a record
   * for which `replace` returns something are replaced by them. Removes the file.
   */
  finishTo(write: (chunk: Uint8Array) => void, replace: (index: number) => Uint8Array | undefined): void;
  /**
   * `finishTo` with a `write` that may return a promise, awaited before the
   * next chunk is read (backpressure: a slow reader of a large output never
   * has more than one chunk waiting).
   */
  drainTo(write: (chunk: Uint8Array) => Promise<void> | void, replace: (index: number) => Uint8Array | undefined): Promise<void>;
  /** Removes the temporary file (a run that stops early). */
  close(): void;
}

/** Segments per block of the offset table. */
const TABLE_BLOCK = 16384;

/** Options of `createHeldOutput`. */
export interface HeldOutputOptions {
  /** Folder for the temporary file (default: the system's temporary folder). */
  dir?: string;
  /** Bytes gathered before a write to the file, and the copy's chunk size (default 1 MiB). */
  chunkBytes?: number;
  /** Segments per block of the offset table kept in memory (default 16384; tests use a few). */
  tableBlock?: number;
}

/** A new, empty held output. */
export function createHeldOutput(options: HeldOutputOptions = {}): HeldOutput {
  const chunk = options.chunkBytes ?? 1 << 20;
  const BLOCK = options.tableBlock ?? TABLE_BLOCK;
  const dir = onTempFile(join(options.dir ?? tmpdir(), 'rc-held-…'), () => mkdtempSync(join(options.dir ?? tmpdir(), 'rc-held-')));
  const file = join(dir, 'output');
  const fd = onTempFile(file, () => openSync(file, 'w+'));
  const table = join(dir, 'offsets'); // the offset table (below)
  const tableFd = onTempFile(table, () => openSync(table, 'w+'));
  // the open file lives on without its name: a run killed (Ctrl-C, SIGKILL) leaves no gigabytes behind in TMPDIR
  // (where a system cannot remove an open file, it is removed by `close`)
  let named = true;
  try {
    rmSync(dir, { recursive: true, force: true });
    named = false;
  } catch { /* removed by close() */ }
  // segment i: bytes [end(i-1), end(i)) of the file, belonging to record index(i) (-1: no record). The table
  // (16 bytes a segment: 16 MB at a million records) goes to a second unnamed file a block at a time; only the
  // block being filled is in memory (measured: the table in memory put a 1M run over the 250 MB budget)
  const cur = new Float64Array(2 * BLOCK);
  let count = 0;
  let size = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let closed = false;

  const flush = (): void => {
    if (!pendingBytes) return;
    onTempFile(file, () => {
      // one gathered write, no copy into a joint buffer; a short write (rare) writes the rest from a copy
      let done = writevSync(fd, pending);
      if (done < pendingBytes) {
        const all = Buffer.concat(pending, pendingBytes);
        while (done < pendingBytes) done += writeSync(fd, all, done);
      }
    });
    pending = [];
    pendingBytes = 0;
  };
  const push = (index: number, bytes: Uint8Array): void => {
    size += bytes.length;
    const j = count % BLOCK;
    cur[2 * j] = size;
    cur[2 * j + 1] = index;
    count++;
    if (count % BLOCK === 0) {
      const at = (count / BLOCK - 1) * BLOCK * 16;
      onTempFile(table, () => {
        const b = Buffer.from(cur.buffer, cur.byteOffset, cur.byteLength);
        for (let done = 0; done < b.length;) done += writeSync(tableFd, b, done, b.length - done, at + done);
      });
    }
    pending.push(bytes);
    pendingBytes += bytes.length;
    if (pendingBytes >= chunk) flush();
  };
  /** What to write, in order: ranges of the file to copy and replacements (the table read back a block at a time). */
  function* steps(replace: (index: number) => Uint8Array | undefined): Generator<{ from: number; to: number } | { bytes: Uint8Array }> {
    let start = 0; // file offset of the next byte not yet handled
    let prevEnd = 0; // end of the segment before
    const written = Math.floor(count / BLOCK); // blocks in the table file; the rest is in `cur`
    const block = new Float64Array(2 * BLOCK);
    for (let b = 0; b * BLOCK < count; b++) {
      let arr = cur;
      if (b < written) {
        const buf = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
        for (let done = 0; done < buf.length;) {
          const n = readSync(tableFd, buf, done, buf.length - done, b * BLOCK * 16 + done);
          if (n <= 0) throw new RcError('READ_FAILED', `held output: the temporary offset table ended in block ${b}`);
          done += n;
        }
        arr = block;
      }
      const n = Math.min(BLOCK, count - b * BLOCK);
      for (let j = 0; j < n; j++) {
        const end = arr[2 * j]!;
        const index = arr[2 * j + 1]!;
        const r = index >= 0 ? replace(index) : undefined;
        if (r !== undefined) { // kept segments before it are copied as one range
          if (prevEnd > start) yield { from: start, to: prevEnd };
          yield { bytes: r };
          start = end;
        }
        prevEnd = end;
      }
    }
    if (size > start) yield { from: start, to: size };
  }
  const close = (): void => {
    if (closed) return;
    closed = true;
    closeSync(fd);
    closeSync(tableFd);
    if (named) rmSync(dir, { recursive: true, force: true });
  };

  return {
    appendRecord: push,
    appendOther: (bytes) => push(-1, bytes),
    finishTo(write, replace) {
      try {
        flush();
        const buf = Buffer.allocUnsafe(chunk);
        for (const step of steps(replace)) {
          if ('bytes' in step) write(step.bytes);
          else copy(fd, buf, step.from, step.to, write);
        }
      } finally {
        close();
      }
    },
    async drainTo(write, replace) {
      try {
        flush();
        const buf = Buffer.allocUnsafe(chunk);
        for (const step of steps(replace)) {
          if ('bytes' in step) {
            await write(step.bytes);
            continue;
          }
          for (let pos = step.from; pos < step.to;) {
            const n = readSync(fd, buf, 0, Math.min(buf.length, step.to - pos), pos);
            if (n <= 0) throw new RcError('READ_FAILED', `held output: the temporary file ended at byte ${pos} of ${step.to}`);
            await write(Buffer.from(buf.subarray(0, n)));
            pos += n;
          }
        }
      } finally {
        close();
      }
    },
    close,
  };
}

/** Copies bytes [from, to) of the file through `write`, a chunk at a time. */
function copy(fd: number, buf: Buffer, from: number, to: number, write: (chunk: Uint8Array) => void): void {
  let pos = from;
  while (pos < to) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, to - pos), pos);
    if (n <= 0) throw new RcError('READ_FAILED', `held output: the temporary file ended at byte ${pos} of ${to}`);
    write(Buffer.from(buf.subarray(0, n))); // a copy: the caller may keep the chunk
    pos += n;
  }
}
