/**
 * A portfolio — files, folders, NDJSON, JSON arrays, multi-document YAML —
 * as one ordered stream of raw records. NDJSON is streamed in chunks of
 * whole lines, so its size does not matter; other files are read whole
 * (limit `maxFileBytes`).
 * Nothing is parsed here: that happens per record, possibly in a worker.
 */
import { RcError } from '../errors.js';
import { kindOf, listInputs } from './input-files.js';
import type { LoadLimits } from '../load/limits.js';
import { readTextFile } from './read-file.js';
import { splitJsonArray, splitYamlDocuments, type SplitItem } from './record-splitter.js';
import type { RawRecord } from './raw-record.js';
import { chunkRecords, ndjsonChunks, type LinesChunk } from './ndjson-chunks.js';

/**
 * An error record in place of a file's records or part of them: the file is
 * unreadable, too large or of an unknown kind, or a stretch of it is malformed.
 */
export interface FileProblem { seq: number; file: string; error: RcError }

/** What the portfolio stream yields, in input order. */
export type PortfolioItem = { kind: 'record'; record: RawRecord } | { kind: 'problem'; problem: FileProblem };

/** A named input that yields no snapshot is an error naming it (SPEC §5 "Exit status in detail"). */
const noSnapshot = (file: string) => new RcError('NO_SNAPSHOT', 'the file holds no snapshot', { file, line: 1, column: 1 });

/** The files an input names: itself, or every snapshot file below a folder, sorted. */
export function expandInputs(inputs: readonly string[]): string[] {
  return listInputs(inputs).map((f) => f.file);
}

/** Every record of `inputs`, in order, each as raw text with its position. */
export async function* readPortfolio(inputs: readonly string[], limits: LoadLimits): AsyncGenerator<PortfolioItem> {
  let seq = 0;
  for await (const item of readPortfolioChunks(inputs, limits)) {
    if (item.kind !== 'lines') {
      yield item.kind === 'record'
        ? { kind: 'record', record: { ...item.record, seq: seq++ } }
        : { kind: 'problem', problem: { ...item.problem, seq: seq++ } };
      continue;
    }
    for (const record of chunkRecords(item.chunk)) yield { kind: 'record', record: { ...record, seq: seq++ } };
  }
}

/**
 * Like `readPortfolio`, but NDJSON comes as chunks of whole lines, to be split
 * where they are parsed (`chunkRecords`); `seq` then counts items, not records.
 */
export async function* readPortfolioChunks(inputs: readonly string[], limits: LoadLimits): AsyncGenerator<PortfolioItem | { kind: 'lines'; chunk: LinesChunk }> {
  let seq = 0;
  const problem = (file: string, error: RcError) => ({ kind: 'problem' as const, problem: { seq: seq++, file, error } });
  for (const { file, error } of listInputs(inputs)) {
    if (error) {
      yield problem(file, error);
      continue;
    }
    const kind = kindOf(file);
    if (!kind) {
      yield problem(file, new RcError('READ_FAILED', 'unknown kind of file: use .yaml, .yml, .json, .ndjson or .jsonl', { file }));
      continue;
    }
    if (kind === 'ndjson') {
      // read errors (the file vanished, a folder, no permission) come as RcErrors after the lines read so far
      let anything = false;
      for await (const c of ndjsonChunks(file, limits.maxRecordBytes)) {
        anything ||= c instanceof RcError || /\S/.test(c.text);
        yield c instanceof RcError ? problem(file, c) : { kind: 'lines', chunk: c };
      }
      if (!anything) yield problem(file, noSnapshot(file));
      continue;
    }
    let text: string;
    try {
      text = readTextFile(file, limits.maxFileBytes);
    } catch (err) {
      if (!(err instanceof RcError)) throw err;
      yield problem(file, err);
      continue;
    }
    const pieces: SplitItem[] = kind === 'json'
      ? splitJsonArray(text) ?? [{ text, line: 1, column: 1 }]
      : splitYamlDocuments(text);
    if (!pieces.length) yield problem(file, noSnapshot(file));
    for (const p of pieces) {
      if ('problem' in p) { // the array itself is malformed here; its good elements still come as records
        yield problem(file, new RcError('JSON_SYNTAX', `invalid JSON: ${p.problem}`, { file, line: p.line, column: p.column }));
        continue;
      }
      yield { kind: 'record', record: { seq: seq++, file, line: p.line, column: p.column, text: p.text, format: kind } };
    }
  }
}
