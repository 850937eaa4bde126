/**
 * Signed issue runs (SPEC §11), the signing side built ahead of the ledger's
 * schema 2 wiring: a chain of entries and run entries signed by an operator
 * key made by ssh-keygen, checked by `checkSignedRuns`: an entry appended by
 * hand and a chain rewritten consistently after a signed run are caught
 * without a kept head; an unsigned run, a key without the issue role and an
 * edited run body are named. The run statement also verifies by hand with
 * `ssh-keygen -Y verify`.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllowedSigners, type AllowedSigners } from '../src/signing/allowed-signers.js';
import { checkSignedRuns, runStatement, signRun, type ChainEntry, type RunBodyLike } from '../src/signing/run-signature.js';
import { makeKey, sshKeygenVerify, type TestKey } from './support/ssh.js';
import { tempDir } from './support/temp.js';

const dir = tempDir('rc-runs-');
let op: TestKey;
let clerk: TestKey;
let signers: AllowedSigners;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const GENESIS = '0'.repeat(64);

beforeAll(() => {
  op = makeKey(dir, 'op', 'ed25519');
  clerk = makeKey(dir, 'clerk', 'ed25519');
  const text = `ops namespaces="reseller-credits-issue" ${op.pub}\nclerk namespaces="reseller-credits-author" ${clerk.pub}\n`;
  writeFileSync(join(dir, 'allowed_signers'), text);
  signers = parseAllowedSigners(text, join(dir, 'allowed_signers'));
});

/** Builds a chain: each run's entries then its run entry, hashes linking each to the one before. */
function chain(runs: { runId: string; entries: string[]; operator?: string; key?: TestKey | null }[]): ChainEntry[] {
  const out: ChainEntry[] = [];
  let prev = GENESIS;
  const push = (e: Omit<ChainEntry, 'seq' | 'hash' | 'prev'>, body: string) => {
    const hash = sha(`${prev}|${body}`);
    out.push({ ...e, seq: out.length + 1, hash, prev });
    prev = hash;
  };
  for (const r of runs) {
    const headBefore = prev;
    const ids = r.entries.map((name) => sha(`issue|${name}`));
    ids.forEach((id, i) => push({ id, kind: 'issue' }, r.entries[i]!));
    const body: RunBodyLike = {
      id: sha(`run|${r.runId}`), runId: r.runId, period: '2026-11', operator: r.operator ?? 'ops',
      inputs: [{ name: 'portfolio.ndjson', sha256: sha('portfolio') }], rules: [{ id: '2026-01', sha256: sha('rules') }],
      counts: { issued: ids.length, unchanged: 0, adjusted: 0, errors: 0 },
      first: ids[0]!, last: ids.at(-1)!, lastHash: prev, headBefore, recordedAt: '2026-12-07T10:00:00.000Z',
    };
    const signature = r.key === null ? null : signRun(body, (r.key ?? op).file);
    push({ id: body.id, kind: 'run', run: { body, signature } }, JSON.stringify(body));
  }
  return out;
}

describe('checkSignedRuns', () => {
  it('two signed runs cover every entry; verify names the last signed run (who, when, head, count)', () => {
    const c = chain([{ runId: 'r1', entries: ['a', 'b'] }, { runId: 'r2', entries: ['c'] }]);
    const r = checkSignedRuns(c, signers);
    expect(r.problems).toEqual([]);
    expect(r.lastSigned).toEqual({ operator: 'ops', recordedAt: '2026-12-07T10:00:00.000Z', head: c.at(-1)!.hash, entries: 1, runId: 'r2' });
  });

  it('an entry appended by hand after the last signed run is caught without a kept head', () => {
    const c = chain([{ runId: 'r1', entries: ['a', 'b'] }]);
    const last = c.at(-1)!;
    c.push({ seq: c.length + 1, id: sha('issue|forged'), kind: 'issue', prev: last.hash, hash: sha(`${last.hash}|forged`) });
    expect(checkSignedRuns(c, signers).problems).toEqual([`entry 4 (issue ${sha('issue|forged').slice(0, 12)}…) lies inside no signed run (appended by hand, or its run is unsigned)`]);
  });

  it('a chain rewritten consistently after a signed run (an entry changed, every later hash recomputed) fails by name', () => {
    const c = chain([{ runId: 'r1', entries: ['a', 'b'] }, { runId: 'r2', entries: ['c'] }]);
    // the insider rewrites entry 2 and re-hashes the rest of the chain; the signed run bodies cannot follow
    let prev = c[0]!.hash;
    for (const e of c.slice(1)) {
      e.prev = prev;
      e.hash = sha(`${prev}|${e.seq === 2 ? 'b-approved' : e.id}`);
      prev = e.hash;
    }
    const problems = checkSignedRuns(c, signers).problems;
    expect(problems).toContain("run r1 (entry 3): its last entry's hash is not the one signed (the chain was rewritten after the run was signed)");
    expect(problems).toContain('run r2 (entry 5): the head before its first entry is not the one signed (an entry was added or removed before it)');
  });

  it('an unsigned run, a run signed by a key without the issue role, and an edited run body are named', () => {
    const c = chain([{ runId: 'r1', entries: ['a'], key: null }, { runId: 'r2', entries: ['b'], operator: 'clerk', key: clerk }, { runId: 'r3', entries: ['c'] }]);
    c[5]!.run!.body.counts = { issued: 9, unchanged: 0, adjusted: 0, errors: 0 };
    const problems = checkSignedRuns(c, signers).problems;
    expect(problems).toContain('run r1 (entry 2) is not signed');
    expect(problems.some((p) => p.startsWith('run r2 (entry 4): line 2: the key of "clerk" is not permitted for "reseller-credits-issue"'))).toBe(true);
    expect(problems.some((p) => p.startsWith('run r3 (entry 6): signature of "ops": the signature does not match the signed content'))).toBe(true);
    expect(problems.filter((p) => p.includes('lies inside no signed run'))).toHaveLength(3);
  });

  it('the run statement verifies by hand with ssh-keygen -Y verify in the issue namespace', () => {
    const c = chain([{ runId: 'r1', entries: ['a'] }]);
    const run = c.at(-1)!.run!;
    const sigFile = join(dir, 'run.sig');
    writeFileSync(sigFile, run.signature!);
    expect(sshKeygenVerify({ signers: join(dir, 'allowed_signers'), principal: 'ops', namespace: 'reseller-credits-issue', sigFile, message: runStatement(run.body), time: '2026-12-07T10:00:00Z' })).toBe(true);
  });

  it('signRun with signers refuses a key the verifier does not trust for issuing, before anything is stored', () => {
    const c = chain([{ runId: 'r1', entries: ['a'] }]);
    expect(() => signRun({ ...c.at(-1)!.run!.body, operator: 'clerk' }, clerk.file, signers)).toThrow(/not permitted for "reseller-credits-issue"/);
  });
});

describe('a signed run that recorded nothing (the service keeps each Idempotency-Key in one)', () => {
  /** A chain of one run with entry `a`, then a run that recorded nothing, its signed head `signedHead` (default: the real one). */
  function withEmptyRun(signedHead?: string): ChainEntry[] {
    const c = chain([{ runId: 'r1', entries: ['a'] }]);
    const prev = c.at(-1)!.hash;
    const head = signedHead ?? prev;
    const body: RunBodyLike = {
      id: sha('run|r2'), runId: 'r2', period: '2026-11', operator: 'ops', inputs: [{ name: 'request body from invoicing-job', sha256: sha('body') }],
      rules: [], counts: { issued: 0, unchanged: 1, adjusted: 0, errors: 0 }, first: '', last: '', lastHash: head, headBefore: head,
      recordedAt: '2026-12-07T11:00:00.000Z',
    };
    c.push({ seq: c.length + 1, id: body.id, kind: 'run', prev, hash: sha(`${prev}|r2`), run: { body, signature: signRun(body, op.file) } });
    return c;
  }

  it('verifies, covers no entry, and is the last signed run (0 entries)', () => {
    const c = withEmptyRun();
    const r = checkSignedRuns(c, signers);
    expect(r.problems).toEqual([]);
    expect(r.lastSigned).toMatchObject({ runId: 'r2', entries: 0, head: c.at(-1)!.hash });
  });

  it('fails by name when the head it signed is not the entry before it (an entry slipped in before it)', () => {
    const r = checkSignedRuns(withEmptyRun(sha('another head')), signers);
    expect(r.problems).toEqual(['run r2 (entry 3): it recorded nothing, but the head it signed is not the entry before it (the chain was rewritten after the run was signed)']);
    expect(r.lastSigned?.runId).toBe('r1');
  });
});
