/**
 * Signed issue runs (SPEC §11): the statement an operator signs for one run
 * of `issue`, rebuilt from the run entry's body so that only the armored
 * signature is stored beside it, and the check `ledger verify --signers`
 * makes of a whole chain: every run signature verifies in the `issue` role,
 * and every other entry lies inside exactly one signed run, whose recorded
 * last hash and head before are the chain's own. A chain rewritten after a
 * signed run, or an entry appended by hand, fails by name without anyone
 * having kept the head.
 *
 * Plain data in and out (the ledger's store is a floor above): the ledger
 * passes its run bodies and entries.
 */
import { createHash } from 'node:crypto';
import { RcError } from '../errors.js';
import { canonicalJson } from '../parse/canonical.js';
import type { AllowedSigners } from './allowed-signers.js';
import { ROLE_NAMESPACE } from './roles.js';
import { signWithSshKeygen, type SignOptions } from './sign.js';
import { statementBytes, STATEMENT_KIND } from './statement.js';
import { verifyStatement } from './verify.js';

/** The fields of a `run` entry body that the signature covers (ledger/entry.ts `RunBody`). */
export interface RunBodyLike {
  id: string;
  runId: string;
  period: string;
  /** The operator's principal. */
  operator: string;
  inputs: { name: string; sha256: string }[];
  rules: { id: string; sha256: string }[];
  counts: Record<string, number>;
  first: string;
  last: string;
  lastHash: string;
  headBefore: string;
  /** UTC ISO 8601. */
  recordedAt: string;
}

/** The statement of a run: what the operator signs. */
export function runStatement(body: RunBodyLike): Buffer {
  return statementBytes({
    kind: STATEMENT_KIND.run,
    principal: body.operator,
    time: new Date(body.recordedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    run: body.id,
    runId: body.runId,
    period: body.period,
    inputs: body.inputs,
    rules: body.rules,
    counts: body.counts,
    first: body.first,
    last: body.last,
    lastHash: body.lastHash,
    headBefore: body.headBefore,
    body: createHash('sha256').update(canonicalJson(body)).digest('hex'),
  });
}

/**
 * Signs a run with `keyFile` through ssh-keygen (before the run commits: a
 * refused signature rolls the run back). With `signers` the signature must
 * verify for the operator in the `issue` role. Returns the armored signature.
 */
export function signRun(body: RunBodyLike, keyFile: string, signers?: AllowedSigners, options?: SignOptions): string {
  const bytes = runStatement(body);
  const armored = signWithSshKeygen(bytes, ROLE_NAMESPACE.issue, keyFile, options);
  if (signers) {
    const v = verifyStatement(bytes, armored, ROLE_NAMESPACE.issue, signers);
    if (!v.ok) throw new RcError('SIGNATURE_INVALID', `the run's signature does not verify against ${signers.file}: ${v.reason}; nothing was recorded`, { file: keyFile });
  }
  return armored;
}

/** One entry of the chain, as verify reads it. */
export interface ChainEntry {
  /** 1-based place in the chain. */
  seq: number;
  id: string;
  kind: string;
  hash: string;
  prev: string;
  /** run entries: the body and the stored signature (null when unsigned). */
  run?: { body: RunBodyLike; signature: string | null };
}

/** What `checkSignedRuns` found. */
export interface RunCoverage {
  problems: string[];
  /** The last signed run that verified: who, when, the head it left, how many entries. */
  lastSigned?: { operator: string; recordedAt: string; head: string; entries: number; runId: string };
}

/**
 * Every run entry's signature verifies, and every other entry lies inside
 * exactly one signed run: between the run's first and last entries, the
 * run's recorded last hash being that entry's hash and its head before the
 * first entry's prev, with its run entry right after its last entry.
 */
export function checkSignedRuns(chain: readonly ChainEntry[], signers: AllowedSigners): RunCoverage {
  const problems: string[] = [];
  const bySeq = [...chain].sort((a, b) => a.seq - b.seq);
  const seqOf = new Map(bySeq.map((e) => [e.id, e.seq]));
  const owner = new Map<number, string[]>();
  let lastSigned: RunCoverage['lastSigned'];
  for (const e of bySeq) {
    if (e.kind !== 'run' || !e.run) continue;
    const b = e.run.body;
    const name = `run ${b.runId} (entry ${e.seq})`;
    if (!e.run.signature) {
      problems.push(`${name} is not signed`);
      continue;
    }
    const v = verifyStatement(runStatement(b), e.run.signature, ROLE_NAMESPACE.issue, signers);
    if (!v.ok) {
      problems.push(`${name}: ${v.reason}`);
      continue;
    }
    if (b.first === '' && b.last === '') {
      // a run that recorded nothing (the service keeps each request's Idempotency-Key in one): it covers no
      // entry, and the head it signed is the entry right before it
      if (b.lastHash !== b.headBefore || e.prev !== b.headBefore) problems.push(`${name}: it recorded nothing, but the head it signed is not the entry before it (the chain was rewritten after the run was signed)`);
      else lastSigned = { operator: b.operator, recordedAt: b.recordedAt, head: e.hash, entries: 0, runId: b.runId };
      continue;
    }
    const from = seqOf.get(b.first);
    const to = seqOf.get(b.last);
    if (from === undefined || to === undefined || from > to) {
      problems.push(`${name}: its first or last entry is not in the chain (the chain was rewritten after the run was signed)`);
      continue;
    }
    const last = bySeq.find((x) => x.seq === to)!;
    const first = bySeq.find((x) => x.seq === from)!;
    if (last.hash !== b.lastHash) problems.push(`${name}: its last entry's hash is not the one signed (the chain was rewritten after the run was signed)`);
    if (first.prev !== b.headBefore) problems.push(`${name}: the head before its first entry is not the one signed (an entry was added or removed before it)`);
    if (e.seq !== to + 1) problems.push(`${name}: entries lie between its last entry and the run entry (appended by hand)`);
    for (let s = from; s <= to; s++) owner.set(s, [...(owner.get(s) ?? []), b.runId]);
    lastSigned = { operator: b.operator, recordedAt: b.recordedAt, head: e.hash, entries: to - from + 1, runId: b.runId };
  }
  for (const e of bySeq) {
    if (e.kind === 'run') continue;
    const runs = owner.get(e.seq) ?? [];
    if (runs.length === 0) problems.push(`entry ${e.seq} (${e.kind} ${e.id.slice(0, 12)}…) lies inside no signed run (appended by hand, or its run is unsigned)`);
    else if (runs.length > 1) problems.push(`entry ${e.seq} lies inside ${runs.length} signed runs (${runs.join(', ')})`);
  }
  return { problems, ...(lastSigned ? { lastSigned } : {}) };
}
