/**
 * `rules/publish-log.ndjson`: one line per publish, appended by `publish`
 * (SPEC §6 "Approvals"): `{ id, sha256, approvedBy, publishedAt, review }`.
 * Read with line numbers so `validate` can point at a line.
 */
import { join } from 'node:path';
import { RcError } from '../errors.js';
import { fsError } from '../read/fs-errors.js';
import { readBytes } from './publish-journal.js';

/** The log's file name inside the rules folder. */
export const PUBLISH_LOG_FILE = 'publish-log.ndjson';

/** One approval. */
export interface PublishLogEntry {
  id: string;
  /** The hash recorded in rules.lock. */
  sha256: string;
  approvedBy: string;
  /** UTC, ISO 8601: `2027-01-02T09:30:00Z`. */
  publishedAt: string;
  /** sha256 of the review report's bytes, or null when published without `--review`. */
  review: string | null;
  /** `publish` or `retire`; absent in lines written before retiring was logged (they mean `publish`). */
  action?: 'publish' | 'retire';
  /** With signers configured (SPEC §11): each signed statement the change rests on. */
  signatures?: LogSignature[];
}

/** One signed statement a log line rests on: who, in which role, and the sha256 of the statement file. */
export interface LogSignature {
  role: 'request' | 'approve' | 'attest';
  principal: string;
  statement: string;
}

/** A log line read back, with its 1-based line number. */
export interface PublishLogLine extends PublishLogEntry { line: number }

/** The log of a folder as read. */
export interface PublishLog {
  file: string;
  /** Whether the file exists. */
  exists: boolean;
  lines: PublishLogLine[];
  errors: RcError[];
}

const KEYS = ['id', 'sha256', 'approvedBy', 'publishedAt', 'review', 'action', 'signatures'] as const;
const HEX64 = /^[0-9a-f]{64}$/;
const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** The line `publish` appends, with its newline; keys in the documented order. */
export function logLineText(e: PublishLogEntry): string {
  const line: Record<string, unknown> = { id: e.id, sha256: e.sha256, approvedBy: e.approvedBy, publishedAt: e.publishedAt, review: e.review };
  if (e.action !== undefined) line.action = e.action;
  if (e.signatures !== undefined) line.signatures = e.signatures.map((g) => ({ role: g.role, principal: g.principal, statement: g.statement }));
  return `${JSON.stringify(line)}\n`;
}

/** Reads the log of `dir`, or parses `text` given for it (the content as a pending publish leaves it). */
export function readPublishLog(dir: string, text?: string): PublishLog {
  const file = join(dir, PUBLISH_LOG_FILE);
  if (text === undefined) {
    let bytes: Buffer | null;
    try {
      bytes = readBytes(file);
    } catch (err) {
      return { file, exists: true, lines: [], errors: [new RcError('LOG_INVALID', fsError(err, file).message, { file })] };
    }
    if (bytes === null) return { file, exists: false, lines: [], errors: [] };
    text = bytes.toString('utf8');
  }
  return { file, exists: true, ...parsePublishLog(file, text) };
}

/** Every line of a log's text: the valid ones, and an error at each line that is not. */
export function parsePublishLog(file: string, text: string): { lines: PublishLogLine[]; errors: RcError[] } {
  const lines: PublishLogLine[] = [];
  const errors: RcError[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const at = (msg: string, path?: string) => errors.push(new RcError('LOG_INVALID', msg, { file, line, column: 1, path }));
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      at('not a JSON line; every line of the publish log is one JSON object written by `publish`');
      return;
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      at('must be a JSON object { "id", "sha256", "approvedBy", "publishedAt", "review" }');
      return;
    }
    const o = v as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !(KEYS as readonly string[]).includes(k));
    if (extra.length) at(`unknown field(s) ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
    const problems = [
      typeof o.id === 'string' && o.id !== '' ? '' : 'id',
      typeof o.sha256 === 'string' && HEX64.test(o.sha256) ? '' : 'sha256',
      typeof o.approvedBy === 'string' && o.approvedBy.trim() !== '' ? '' : 'approvedBy',
      typeof o.publishedAt === 'string' && UTC_ISO.test(o.publishedAt) && !Number.isNaN(Date.parse(o.publishedAt)) ? '' : 'publishedAt',
      o.review === null || (typeof o.review === 'string' && HEX64.test(o.review)) ? '' : 'review',
      o.action === undefined || o.action === 'publish' || o.action === 'retire' ? '' : 'action',
      o.signatures === undefined || validSignatures(o.signatures) ? '' : 'signatures',
    ].filter(Boolean);
    const expected: Record<string, string> = {
      id: 'a version id', sha256: 'a lower-case hex sha256', approvedBy: 'a name',
      publishedAt: 'a UTC time such as 2027-01-02T09:30:00Z', review: 'null or a lower-case hex sha256',
      action: '"publish" or "retire"', signatures: 'a list of { "role", "principal", "statement" }',
    };
    for (const p of problems) at(`must be ${expected[p]}`, p);
    if (problems.length || extra.length) return;
    const entry: PublishLogLine = { id: o.id as string, sha256: o.sha256 as string, approvedBy: o.approvedBy as string, publishedAt: o.publishedAt as string, review: o.review as string | null, line };
    if (o.action !== undefined) entry.action = o.action as 'publish' | 'retire';
    if (o.signatures !== undefined) entry.signatures = o.signatures as LogSignature[];
    lines.push(entry);
  });
  return { lines, errors };
}

function validSignatures(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0 && v.every((g) => {
    const o = g as Record<string, unknown> | null;
    return !!o && typeof o === 'object' && Object.keys(o).length === 3 && (o.role === 'request' || o.role === 'approve' || o.role === 'attest')
      && typeof o.principal === 'string' && o.principal !== '' && typeof o.statement === 'string' && HEX64.test(o.statement);
  });
}
