/**
 * A portfolio — files, folders, NDJSON, JSON arrays, multi-document YAML,
 * standard input and pipes — as one ordered stream of raw records. NDJSON
 * is streamed in chunks of whole lines, so its size does not matter; other
 * files are read whole (limit `maxFileBytes`). Text is strict UTF-8: a record
 * holding a line that is not becomes an error record (SPEC §4).
 * Nothing is parsed here: that happens per record, possibly in a worker.
 */
import { RcError } from '../errors.js';
import { kindOf, listInputs, STDIN_NAME, type InputFile } from './input-files.js';
import type { LoadLimits } from '../limits.js';
import { decodeFile, readFileBytes } from './read-file.js';
import { splitJsonArray, splitYamlDocuments, type SplitItem } from './record-splitter.js';
import type { RawRecord } from './raw-record.js';
import { chunkRecords, fileBytes, ndjsonChunks, type LinesChunk } from './ndjson-chunks.js';
import { detectFormat, readAll, type InputFormat } from './input-stream.js';
import { fsError } from './fs-errors.js';

export { STDIN_NAME, type InputFormat };

/**
 * An error record in place of a file's records or part of them: the file is
 * unreadable, too large or of an unknown kind, or a stretch of it is malformed.
 */
export interface FileProblem {
  seq: number;
  file: string;
  /** The problem, or the first of several of one record (`errors`). */
  error: RcError;
  errors?: RcError[];
}

/** What the portfolio stream yields, in input order. */
export type PortfolioItem = { kind: 'record'; record: RawRecord } | { kind: 'problem'; problem: FileProblem };

/** How the portfolio is read. */
export interface ReadOptions {
  /**
   * The format of standard input and of pipes named on the command line
   * (`--input-format`). Default: a pipe's extension if it has one, else
   * recognised from the content (see `detectFormat`).
   */
  inputFormat?: InputFormat;
  /** Standard input (a seam for tests). Default `process.stdin`. */
  stdin?: () => AsyncIterable<Uint8Array>;
}

/** A named input that yields no snapshot is an error naming it (SPEC §5 "Exit status in detail"). */
const noSnapshot = (file: string) => new RcError('NO_SNAPSHOT', 'the file holds no snapshot', { file, line: 1, column: 1 });

/** The files an input names: itself, or every snapshot file below a folder, sorted. */
export function expandInputs(inputs: readonly string[]): string[] {
  return listInputs(inputs).map((f) => f.file);
}

/** Every record of `inputs`, in order, each as raw text with its position. */
export async function* readPortfolio(inputs: readonly string[], limits: LoadLimits, options: ReadOptions = {}): AsyncGenerator<PortfolioItem> {
  let seq = 0;
  for await (const item of readPortfolioChunks(inputs, limits, options)) {
    if (item.kind !== 'lines') {
      yield item.kind === 'record'
        ? { kind: 'record', record: { ...item.record, seq: seq++ } }
        : { kind: 'problem', problem: { ...item.problem, seq: seq++ } };
      continue;
    }
    for (const record of chunkRecords(item.chunk)) yield { kind: 'record', record: { ...record, seq: seq++ } };
  }
}

type ChunkItem = PortfolioItem | { kind: 'lines'; chunk: LinesChunk };

/**
 * Like `readPortfolio`, but NDJSON comes as chunks of whole lines, to be split
 * where they are parsed (`chunkRecords`); `seq` then counts items, not records.
 */
export async function* readPortfolioChunks(inputs: readonly string[], limits: LoadLimits, options: ReadOptions = {}): AsyncGenerator<ChunkItem> {
  const seq = { n: 0 };
  for (const input of listInputs(inputs)) {
    if (input.error) {
      yield problem(seq, input.file, input.error);
      continue;
    }
    if (input.stream) {
      yield* streamItems(input, limits, options, seq);
      continue;
    }
    const { file } = input;
    const kind = kindOf(file);
    if (!kind) {
      yield problem(seq, file, new RcError('READ_FAILED', 'unknown kind of file: use .yaml, .yml, .json, .ndjson or .jsonl', { file }));
      continue;
    }
    if (kind === 'ndjson') {
      // read errors (the file vanished, a folder, no permission) come as RcErrors after the lines read so far
      yield* ndjsonItems(file, ndjsonChunks(file, limits.maxRecordBytes), seq);
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = readFileBytes(file, limits.maxFileBytes);
    } catch (err) {
      if (!(err instanceof RcError)) throw err;
      yield problem(seq, file, err);
      continue;
    }
    yield* documentItems(file, bytes, kind, seq);
  }
}

const problem = (seq: { n: number }, file: string, error: RcError, errors?: RcError[]): ChunkItem =>
  ({ kind: 'problem', problem: { seq: seq.n++, file, error, ...(errors && errors.length > 1 ? { errors } : {}) } });

async function* ndjsonItems(file: string, chunks: AsyncIterable<LinesChunk | RcError>, seq: { n: number }): AsyncGenerator<ChunkItem> {
  let anything = false;
  for await (const c of chunks) {
    anything ||= c instanceof RcError || /\S/.test(c.text);
    yield c instanceof RcError ? problem(seq, file, c) : { kind: 'lines', chunk: c };
  }
  if (!anything) yield problem(seq, file, noSnapshot(file));
}

/** Standard input or a named pipe: read as it arrives, in the format given, by extension, or recognised. */
async function* streamItems(input: InputFile, limits: LoadLimits, options: ReadOptions, seq: { n: number }): AsyncGenerator<ChunkItem> {
  const { file } = input;
  const source = input.stream === 'stdin' ? (options.stdin ?? (() => process.stdin))() : fileBytes(file);
  let format = options.inputFormat ?? (input.stream === 'pipe' ? kindOf(file) : undefined);
  let bytes = source;
  try {
    if (!format) {
      const found = await detectFormat(source, limits.maxRecordBytes);
      if (!found.format) {
        yield problem(seq, file, new RcError('NO_SNAPSHOT', `${input.stream === 'stdin' ? 'standard input' : 'the pipe'} holds no snapshot (it is empty or blank)`, { file }));
        return;
      }
      format = found.format;
      bytes = found.bytes;
    }
    if (format === 'ndjson') {
      yield* ndjsonItems(file, ndjsonChunks(file, limits.maxRecordBytes, bytes), seq);
      return;
    }
    const all = await readAll(bytes, limits.maxFileBytes, file);
    yield* documentItems(file, all, format, seq);
  } catch (err) {
    yield problem(seq, file, fsError(err, file === STDIN_NAME ? 'standard input' : file));
  }
}

/** The records of a JSON or YAML file read whole; a record holding a line that is not UTF-8 is refused. */
function* documentItems(file: string, bytes: Uint8Array, kind: 'json' | 'yaml', seq: { n: number }): Generator<ChunkItem> {
  let decoded;
  try {
    decoded = decodeFile(file, bytes);
  } catch (err) {
    if (!(err instanceof RcError)) throw err;
    yield problem(seq, file, err); // UTF-16: the whole file
    return;
  }
  const { text, problems } = decoded;
  const pieces: SplitItem[] = kind === 'json'
    ? splitJsonArray(text) ?? [{ text, line: 1, column: 1 }]
    : splitYamlDocuments(text);
  if (!pieces.length && !problems.length) yield problem(seq, file, noSnapshot(file));
  // each encoding problem belongs to the piece whose lines hold it (a piece runs up to the next one)
  let p = 0;
  for (let k = 0; k < pieces.length; k++) {
    const piece = pieces[k]!;
    const next = pieces[k + 1]?.line ?? Infinity;
    while (p < problems.length && problems[p]!.line! < piece.line) yield problem(seq, file, problems[p++]!);
    const own: RcError[] = [];
    while (p < problems.length && problems[p]!.line! < next) own.push(problems[p++]!);
    if (own.length) {
      yield problem(seq, file, own[0]!, own); // never parsed: it holds U+FFFD where the bad bytes were
      if ('problem' in piece) yield problem(seq, file, new RcError('JSON_SYNTAX', `invalid JSON: ${piece.problem}`, { file, line: piece.line, column: piece.column }));
      continue;
    }
    if ('problem' in piece) { // the array itself is malformed here; its good elements still come as records
      yield problem(seq, file, new RcError('JSON_SYNTAX', `invalid JSON: ${piece.problem}`, { file, line: piece.line, column: piece.column }));
      continue;
    }
    yield { kind: 'record', record: { seq: seq.n++, file, line: piece.line, column: piece.column, text: piece.text, format: kind } };
  }
  while (p < problems.length) yield problem(seq, file, problems[p++]!);
}
