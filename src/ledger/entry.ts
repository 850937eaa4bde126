/**
 * Ledger entries (SPEC §9) and the recipe of their ids and hashes, so that an
 * auditor can recompute both without this program (docs/ledger.md):
 *
 *   id   = sha256("<kind>|<account>|<period>|<n>")           (UTF-8, lower-case hex)
 *   hash = sha256(prev + canonicalJson(entry without `hash`))
 *
 * `prev` is the previous entry's hash, 64 zeros for the first entry.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../parse/canonical.js';

/** The `prev` of the first entry. */
export const ZERO_HASH = '0'.repeat(64);

/** What an entry records: a credit (`issue`, `adjustment`) or a run (`run`, SPEC §11). */
export type EntryKind = 'issue' | 'adjustment';

/** Every kind of entry in the chain. */
export type AnyKind = EntryKind | 'run';

/** Why an adjustment was recorded. */
export type AdjustmentReason = 'snapshot changed' | 'rules changed';

/** The recorded result of one evaluation (the figures a credit note needs). */
export interface EntryResult {
  tier: string;
  creditPercent: string;
  tierBasis: string;
  creditBase: string;
  charges: string;
  credit: string;
  eligible: boolean;
  reasons: string[];
}

/** An adjustment carried by a statement. `amount` > 0 is more credit. */
export interface CarriedAdjustment { entry: string; origin: string; amount: string }

/** The statement an issue entry is: amountDue = charges − credit − Σ adjustments (rounded once). */
export interface Statement {
  charges: string;
  credit: string;
  adjustments: CarriedAdjustment[];
  amountDue: string;
}

/** One ledger entry as hashed (everything but `hash`). */
export interface EntryBody {
  id: string;
  kind: EntryKind;
  /** counts from 1 per kind, account and period */
  n: number;
  account: string;
  /** the account key of SPEC §4 (schema version 2 on; absent from version-1 entries) */
  accountKey?: string;
  period: string;
  currency: string;
  rules: { id: string; sha256: string };
  snapshotSha256: string;
  /** The snapshot as parsed (canonical JSON of it hashes to `snapshotSha256`). */
  snapshot: unknown;
  result: EntryResult;
  /** issue entries: the statement */
  statement?: Statement;
  /** adjustment entries: recomputed credit − (issued credit + earlier adjustments) */
  amount?: string;
  reason?: AdjustmentReason;
  programVersion: string;
  runId: string;
  /** UTC, ISO 8601 */
  recordedAt: string;
  prev: string;
}

/**
 * A run entry as hashed (SPEC §11, §13): who ran what. Written by a later
 * issue (signed runs, the service); schema version 2 already holds it, with
 * its signature stored beside the hashed body.
 */
export interface RunBody {
  /** sha256("run|" + runId) */
  id: string;
  kind: 'run';
  runId: string;
  period: string;
  /** the operator's principal, or the name as typed */
  operator: string;
  /** each input and the sha256 of its bytes */
  inputs: { name: string; sha256: string }[];
  rules: { id: string; sha256: string }[];
  counts: { issued: number; unchanged: number; adjusted: number; errors: number };
  /** first and last entry ids of the run, and the last one's hash */
  first: string;
  last: string;
  lastHash: string;
  /** the head before the run */
  headBefore: string;
  /** the service's Idempotency-Key and the sha256 of the request body */
  idempotencyKey?: string;
  requestSha256?: string;
  programVersion: string;
  recordedAt: string;
  prev: string;
}

/** The id of a run entry. */
export function runEntryId(runId: string): string {
  return sha256Hex(`run|${runId}`);
}

/** A stored entry: its body and its hash, and its place in the chain (1-based). */
export interface LedgerEntry extends EntryBody {
  hash: string;
  seq: number;
}

/** Lower-case hex sha256 of UTF-8 text. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The id (idempotency key) of the n-th entry of a kind for an account and period. */
export function entryId(kind: EntryKind, account: string, period: string, n: number): string {
  return sha256Hex(`${kind}|${account}|${period}|${n}`);
}

/**
 * The canonical JSON of an entry body whose snapshot (and, when given, result)
 * is canonical JSON text already (computed in a worker): equal to
 * `canonicalJson(body)` with those parsed, without walking them again.
 */
export function canonicalEntry(body: Omit<EntryBody, 'snapshot'>, snapshotJson: string, resultJson?: string): string {
  const obj = body as unknown as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => k !== 'snapshot' && obj[k] !== undefined);
  keys.push('snapshot');
  keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = k === 'snapshot' ? snapshotJson : k === 'result' && resultJson !== undefined ? resultJson : canonicalJson(obj[k]);
    out += `${i ? ',' : ''}${JSON.stringify(k)}:${v}`;
  }
  return `${out}}`;
}

/** hash = sha256(prev + canonical JSON of the entry without hash). */
export function entryHash(prev: string, canonicalBody: string): string {
  return createHash('sha256').update(prev, 'utf8').update(canonicalBody, 'utf8').digest('hex');
}
