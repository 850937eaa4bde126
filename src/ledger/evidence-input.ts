/**
 * What goes into one statement's evidence bundle, read from the ledger
 * (SPEC §11): the account-period's entries as stored, the run records of the
 * runs that wrote them (with their signatures), and the head. One function
 * for `ledger evidence` and the service's `GET /v1/ledger/evidence/…`, so
 * both bundles hold the same files.
 */
import type { RunBodyLike } from '../signing/run-signature.js';
import type { EvidenceEntry, EvidenceInput } from './evidence.js';
import type { Ledger } from './store.js';

/** The bundle's input for `account` in `period`, or undefined when the ledger holds no entry of it. */
export function evidenceInput(l: Ledger, account: string, period: string, rulesDir: string): EvidenceInput | undefined {
  const entries = [...l.rows({ account, period })].filter((r) => r.kind !== 'run')
    .map((r) => ({ seq: r.seq, hash: r.hash, prev: r.prev, body: JSON.parse(r.body) as EvidenceEntry['body'] }));
  if (!entries.length) return undefined;
  const runIds = new Set(entries.map((e) => String(e.body.runId)));
  const runs = [...l.rows({ kind: 'run' })].map((r) => ({ body: JSON.parse(r.body) as RunBodyLike, signature: r.signature ?? null }))
    .filter((r) => runIds.has(r.body.runId));
  return { account, period, entries, rulesDir, runs, head: l.head().hash };
}
