/**
 * A portfolio — files, folders, NDJSON, JSON arrays, multi-document YAML —
 * as one ordered stream of raw records. NDJSON is read line by line, so its
 * size does not matter; other files are read whole (limit `maxFileBytes`).
 * Nothing is parsed here: that happens per record, possibly in a worker.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { RcError } from '../errors.js';
import type { LoadLimits } from './limits.js';
import { readTextFile } from './read-file.js';
import { splitJsonArray, splitYamlDocuments } from './record-splitter.js';
import type { RawRecord } from './snapshot-parse.js';
import { chunkRecords, ndjsonChunks, type LinesChunk } from './ndjson-chunks.js';

/** A file that yielded no records at all (unreadable, too large, unknown kind). */
export interface FileProblem { seq: number; file: string; error: RcError }

/** What the portfolio stream yields, in input order. */
export type PortfolioItem = { kind: 'record'; record: RawRecord } | { kind: 'problem'; problem: FileProblem };

const KINDS: Record<string, 'ndjson' | 'json' | 'yaml'> = {
  '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.json': 'json', '.yaml': 'yaml', '.yml': 'yaml',
};

/** The files an input names: itself, or every snapshot file below a folder, sorted. */
export function expandInputs(inputs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, top: boolean) => {
    let st;
    try { st = statSync(p); } catch { out.push(p); return; } // reported when read
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        const child = join(p, name);
        if (statSync(child).isDirectory() || KINDS[extname(name).toLowerCase()]) walk(child, false);
      }
    } else if (top || KINDS[extname(p).toLowerCase()]) out.push(p);
  };
  for (const i of inputs) walk(i, true);
  return out;
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
 * where they are parsed (`chunkRecords`). `seq` here only orders items of one file.
 */
export async function* readPortfolioChunks(inputs: readonly string[], limits: LoadLimits): AsyncGenerator<PortfolioItem | { kind: 'lines'; chunk: LinesChunk }> {
  let seq = 0;
  for (const file of expandInputs(inputs)) {
    const kind = KINDS[extname(file).toLowerCase()];
    if (!kind) {
      yield { kind: 'problem', problem: { seq: seq++, file, error: new RcError('READ_FAILED', 'unknown kind of file: use .yaml, .yml, .json, .ndjson or .jsonl', { file }) } };
      continue;
    }
    if (kind === 'ndjson') {
      try {
        statSync(file);
      } catch {
        yield { kind: 'problem', problem: { seq: seq++, file, error: new RcError('FILE_NOT_FOUND', 'no such file', { file }) } };
        continue;
      }
      for await (const c of ndjsonChunks(file, limits.maxRecordBytes)) {
        yield c instanceof RcError ? { kind: 'problem', problem: { seq: seq++, file, error: c } } : { kind: 'lines', chunk: c };
      }
      continue;
    }
    let text: string;
    try {
      text = readTextFile(file, limits.maxFileBytes);
    } catch (err) {
      if (!(err instanceof RcError)) throw err;
      yield { kind: 'problem', problem: { seq: seq++, file, error: err } };
      continue;
    }
    const pieces = kind === 'json'
      ? splitJsonArray(text) ?? [{ text, line: 1, column: 1 }]
      : splitYamlDocuments(text);
    if (!pieces.length) {
      yield { kind: 'problem', problem: { seq: seq++, file, error: new RcError('SCHEMA', 'the file holds no snapshot', { file, line: 1, column: 1 }) } };
    }
    for (const p of pieces) {
      yield { kind: 'record', record: { seq: seq++, file, line: p.line, column: p.column, text: p.text, format: kind } };
    }
  }
}
