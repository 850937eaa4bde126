/**
 * SPEC §9 through the library (`openLedger`, `issuePeriod`) on real SQLite
 * files: each case is a sequence of runs of one account, with the status of
 * each run, the adjustment it recorded and the statement it shows, all worked
 * out by hand (creditCents).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initLedger, loadRules, openLedger, issuePeriod, readRuleSetFile, resolveLimits, verifyLedger, type IssueRecord, type LedgerEntry } from '../src/index.js';
import { creditCents, dollars, snap, writeNdjson } from './support/ledger.js';
import { tempDir } from './support/temp.js';

const work = tempDir('rc-ledger-');
let n = 0;

interface Run {
  period: string;
  users: number;
  status: 'issued' | 'unchanged' | 'adjusted';
  /** adjusted: the amount in cents */
  adjustment?: number;
  /** the statement shown: amount due and carried adjustments (origin, cents), in cents */
  amountDue?: number;
  carried?: [string, number][];
}

interface Case { name: string; runs: Run[]; entries: number }

const A = 'R-2001';
// charges of u users: 400u cents
const due = (u: number, adj = 0) => 400 * u - creditCents(u) - adj;

const CASES: Case[] = [
  { name: 'first issue', entries: 1, runs: [{ period: '2026-11', users: 25, status: 'issued', amountDue: due(25), carried: [] }] },
  { name: 'identical re-run changes nothing', entries: 1, runs: [
    { period: '2026-11', users: 25, status: 'issued' },
    { period: '2026-11', users: 25, status: 'unchanged', amountDue: due(25) },
    { period: '2026-11', users: 25, status: 'unchanged' },
  ] },
  { name: 'correction up: a positive adjustment; the issued statement stays', entries: 2, runs: [
    { period: '2026-11', users: 25, status: 'issued' },
    { period: '2026-11', users: 30, status: 'adjusted', adjustment: creditCents(30) - creditCents(25), amountDue: due(25) },
  ] },
  { name: 'correction down: a negative adjustment', entries: 2, runs: [
    { period: '2026-11', users: 30, status: 'issued' },
    { period: '2026-11', users: 25, status: 'adjusted', adjustment: creditCents(25) - creditCents(30) },
  ] },
  { name: 'back to the original: an adjustment that cancels the first, then unchanged', entries: 3, runs: [
    { period: '2026-11', users: 25, status: 'issued' },
    { period: '2026-11', users: 30, status: 'adjusted', adjustment: 200 },
    { period: '2026-11', users: 25, status: 'adjusted', adjustment: -200 },
    { period: '2026-11', users: 25, status: 'unchanged' },
  ] },
  { name: 'a change of snapshot with the same credit is still an adjustment (amount 0)', entries: 2, runs: [
    { period: '2026-11', users: 5, status: 'issued' },
    { period: '2026-11', users: 6, status: 'adjusted', adjustment: 0 },
  ] },
  { name: 'carried onto the next statement, once', entries: 4, runs: [
    { period: '2026-10', users: 25, status: 'issued' },
    { period: '2026-10', users: 30, status: 'adjusted', adjustment: 200 },
    { period: '2026-11', users: 25, status: 'issued', carried: [['2026-10', 200]], amountDue: due(25, 200) },
    { period: '2026-12', users: 25, status: 'issued', carried: [], amountDue: due(25) },
  ] },
  { name: 'not carried onto an earlier period, then onto the later one', entries: 4, runs: [
    { period: '2026-11', users: 25, status: 'issued' },
    { period: '2026-11', users: 20, status: 'adjusted', adjustment: -200 },
    { period: '2026-10', users: 25, status: 'issued', carried: [], amountDue: due(25) },
    { period: '2026-12', users: 25, status: 'issued', carried: [['2026-11', -200]], amountDue: due(25, -200) },
  ] },
  { name: 'not carried by a statement of the same period', entries: 2, runs: [
    { period: '2026-11', users: 25, status: 'issued' },
    { period: '2026-11', users: 30, status: 'adjusted', adjustment: 200, carried: [], amountDue: due(25) },
  ] },
  { name: 'two adjustments of two periods, carried together', entries: 5, runs: [
    { period: '2026-10', users: 25, status: 'issued' },
    { period: '2026-11', users: 25, status: 'issued' },
    { period: '2026-10', users: 30, status: 'adjusted', adjustment: 200 },
    { period: '2026-11', users: 20, status: 'adjusted', adjustment: -200 },
    { period: '2026-12', users: 25, status: 'issued', carried: [['2026-10', 200], ['2026-11', -200]], amountDue: due(25) },
    { period: '2026-12', users: 25, status: 'unchanged', carried: [['2026-10', 200], ['2026-11', -200]] },
  ] },
  { name: 'a credit balance: the amount due goes negative', entries: 3, runs: [
    { period: '2026-10', users: 25, status: 'issued' },
    { period: '2026-10', users: 1300, status: 'adjusted', adjustment: creditCents(1300) - creditCents(25) },
    { period: '2026-11', users: 25, status: 'issued', amountDue: due(25, creditCents(1300) - creditCents(25)) },
  ] },
];

async function runOnce(ledgerFile: string, period: string, snaps: object[], rulesDir = 'rules'): Promise<IssueRecord[]> {
  const file = writeNdjson(work, `in-${n++}.ndjson`, snaps);
  // a ledger is made once, as `ledger init` does; issue never creates one
  if (!existsSync(ledgerFile)) expect(initLedger(ledgerFile)).toEqual({ created: true });
  const ledger = openLedger(ledgerFile);
  const out: IssueRecord[] = [];
  try {
    await issuePeriod(ledger, [file], { period, rulesDir, limits: resolveLimits(), onRecord: (r) => { out.push(r); } });
  } finally {
    ledger.close();
  }
  return out;
}

/** verify's problems (the money invariants among them) of a ledger the program wrote: none. */
async function problems(file: string, rulesDir = 'rules'): Promise<string[]> {
  const l = openLedger(file, { readonly: true });
  try { return (await verifyLedger(l, loadRules(rulesDir), resolveLimits())).problems.map((p) => p.message); } finally { l.close(); }
}

function entries(file: string): LedgerEntry[] {
  const l = openLedger(file, { readonly: true });
  try { return [...l.entries()]; } finally { l.close(); }
}

describe('issue: statuses, adjustments and statements (SPEC §9)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const file = join(work, `case-${n++}.sqlite`);
      for (const [i, run] of c.runs.entries()) {
        const [r] = await runOnce(file, run.period, [snap(A, run.period, run.users)]);
        expect(r!.ok, `run ${i + 1}`).toBe(true);
        if (!r!.ok) continue;
        expect(r!.ledger.status, `run ${i + 1}`).toBe(run.status);
        expect(r!.result.credit).toBe(dollars(creditCents(run.users)));
        if (run.adjustment !== undefined) expect(r!.ledger.adjustment).toBe(dollars(run.adjustment));
        else expect(r!.ledger.adjustment).toBeUndefined();
        if (run.amountDue !== undefined) expect(r!.result.statement.amountDue, `run ${i + 1}`).toBe(dollars(run.amountDue));
        if (run.carried) {
          expect(r!.result.statement.adjustments.map((a) => [a.origin, a.amount]))
            .toEqual(run.carried.map(([o, cents]) => [o, dollars(cents)]));
        }
      }
      const all = entries(file);
      expect(all).toHaveLength(c.entries);
      // issued credit + Σ adjustments of each period = the credit of its latest snapshot
      const latest = new Map<string, number>();
      for (const run of c.runs) latest.set(run.period, creditCents(run.users));
      for (const [period, cents] of latest) {
        const total = all.filter((e) => e.period === period)
          .reduce((s, e) => s + Math.round(Number(e.kind === 'issue' ? e.result.credit : e.amount) * 100), 0);
        expect(total, period).toBe(cents);
      }
      // every adjustment is carried at most once
      const carried = all.flatMap((e) => e.statement?.adjustments.map((a) => a.entry) ?? []);
      expect(new Set(carried).size).toBe(carried.length);
      // and verify proves the same on the hashed values
      expect(await problems(file)).toEqual([]);
    });
  }

  it('one account several times in one run: every one of its records refused (SPEC §4), nothing recorded for it', async () => {
    // which snapshot is right cannot be told (the first may be the stale one): all of them are error records, each naming another
    const file = join(work, `within-${n++}.sqlite`);
    const out = await runOnce(file, '2026-11', [
      snap(A, '2026-11', 25), snap('R-2002', '2026-11', 25), snap(A, '2026-11', 30), snap(A, '2026-11', 30), snap(A, '2026-11', 25),
    ]);
    expect(out.map((r) => (r.ok ? [r.result.account, r.ledger.status] : [r.error.account, r.error.error.code]))).toEqual([
      [A, 'DUPLICATE_IN_RUN'], ['R-2002', 'issued'], [A, 'DUPLICATE_IN_RUN'], [A, 'DUPLICATE_IN_RUN'], [A, 'DUPLICATE_IN_RUN'],
    ]);
    expect(entries(file).map((e) => [e.account, e.kind, e.n])).toEqual([['R-2002', 'issue', 1]]);
  });

  it('ids are sha256 of kind|account|period|n and the statement is the issue entry', async () => {
    const file = join(work, `ids-${n++}.sqlite`);
    await runOnce(file, '2026-11', [snap(A, '2026-11', 25)]);
    await runOnce(file, '2026-11', [snap(A, '2026-11', 30)]);
    await runOnce(file, '2026-11', [snap(A, '2026-11', 35)]);
    const { createHash } = await import('node:crypto');
    const h = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(entries(file).map((e) => e.id)).toEqual([
      h(`issue|${A}|2026-11|1`), h(`adjustment|${A}|2026-11|1`), h(`adjustment|${A}|2026-11|2`),
    ]);
    expect(entries(file)[0]!.statement).toEqual({ charges: '100.00', credit: '10.00', adjustments: [], amountDue: '90.00' });
    expect(entries(file).map((e) => e.reason)).toEqual([undefined, 'snapshot changed', 'snapshot changed']);
  });

  it('another published rule set now chosen for the period: an adjustment with reason "rules changed"', async () => {
    const rules = join(work, `rules-${n++}`);
    mkdirSync(rules);
    cpSync('rules/2026-01.yaml', join(rules, '2026-01.yaml'));
    cpSync('rules/rules.lock', join(rules, 'rules.lock'));
    const file = join(work, `rules-${n++}.sqlite`);
    const [first] = await runOnce(file, '2026-11', [snap(A, '2026-11', 25)], rules);
    expect(first!.ok && first!.ledger.status).toBe('issued');
    // retire 2026-01 (its hash stays) and publish 2026-02 for the same window, tier-10 at 12%
    const text = readFileSync(join(rules, '2026-01.yaml'), 'utf8');
    writeFileSync(join(rules, '2026-01.yaml'), text.replace('status: published', 'status: retired'));
    writeFileSync(join(rules, '2026-02.yaml'), text.replace('id: "2026-01"', 'id: "2026-02"')
      .replace('{ name: tier-10, from: "50",   creditPercent: "10" }', '{ name: tier-10, from: "50",   creditPercent: "12" }'));
    const lock = JSON.parse(readFileSync(join(rules, 'rules.lock'), 'utf8')) as Record<string, string>;
    lock['2026-02'] = readRuleSetFile(join(rules, '2026-02.yaml')).ruleSet!.sha256;
    writeFileSync(join(rules, 'rules.lock'), JSON.stringify(lock));
    expect(loadRules(rules).errors).toEqual([]);
    const [second] = await runOnce(file, '2026-11', [snap(A, '2026-11', 25)], rules);
    // 12% of $100.00 = $12.00, $2.00 more than issued
    expect(second!.ok && second!.ledger).toEqual({ status: 'adjusted', entry: expect.any(String), adjustment: '2.00' });
    const all = entries(file);
    expect(all.map((e) => [e.kind, e.rules.id, e.reason])).toEqual([['issue', '2026-01', undefined], ['adjustment', '2026-02', 'rules changed']]);
    const [third] = await runOnce(file, '2026-11', [snap(A, '2026-11', 25)], rules);
    expect(third!.ok && third!.ledger.status).toBe('unchanged');
  });

  it('bad snapshots are error records, the good ones are recorded, a re-run after the fix records only what is missing', async () => {
    const file = join(work, `bad-${n++}.sqlite`);
    const bad = { ...snap('R-BAD', '2026-11', 25), lineItems: [{ service: 'starter-plus-user', quantity: 25, unitPrice: '4,00' }] };
    const first = await runOnce(file, '2026-11', [snap('R-1', '2026-11', 25), bad, snap('R-OTHER', '2026-10', 25), snap('R-2', '2026-11', 30)]);
    expect(first.map((r) => r.ok)).toEqual([true, false, false, true]);
    const wrong = first[2]!;
    expect(!wrong.ok && wrong.error.error.code).toBe('WRONG_PERIOD');
    expect(entries(file).map((e) => e.account)).toEqual(['R-1', 'R-2']);
    const second = await runOnce(file, '2026-11', [snap('R-1', '2026-11', 25), snap('R-BAD', '2026-11', 25), snap('R-2', '2026-11', 30)]);
    expect(second.map((r) => r.ok && r.ledger.status)).toEqual(['unchanged', 'issued', 'unchanged']);
    expect(entries(file).map((e) => e.account)).toEqual(['R-1', 'R-2', 'R-BAD']);
  });

  it('a dry run computes everything and writes nothing', async () => {
    const file = join(work, `dry-${n++}.sqlite`);
    await runOnce(file, '2026-11', [snap(A, '2026-11', 25)]);
    const f2 = writeNdjson(work, `in-${n++}.ndjson`, [snap(A, '2026-11', 30), snap('R-NEW', '2026-11', 25)]);
    const l = openLedger(file, { scratch: true });
    const out: IssueRecord[] = [];
    const s = await issuePeriod(l, [f2], { period: '2026-11', limits: resolveLimits(), dryRun: true, onRecord: (r) => { out.push(r); } });
    l.close();
    expect(out.map((r) => r.ok && r.ledger.status)).toEqual(['adjusted', 'issued']);
    expect(s.committed).toBe(false);
    expect(s.head.count).toBe(3);
    expect(entries(file)).toHaveLength(1);
  });
});

describe('property: issued credit + Σ adjustments = the credit of the latest snapshot', () => {
  it('holds for any sequence of runs and corrections of a period', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 1500 }), { minLength: 1, maxLength: 6 }),
      async (usersSeq) => {
        const file = join(work, `prop-${n++}.sqlite`);
        for (const u of usersSeq) await runOnce(file, '2026-11', [snap(A, '2026-11', u)]);
        const all = entries(file);
        const total = all.reduce((s, e) => s + Math.round(Number(e.kind === 'issue' ? e.result.credit : e.amount) * 100), 0);
        expect(total).toBe(creditCents(usersSeq[usersSeq.length - 1]!));
        // one issue; one adjustment per change of snapshot
        let changes = 0;
        for (let i = 1; i < usersSeq.length; i++) if (usersSeq[i] !== usersSeq[i - 1]) changes++;
        expect(all.filter((e) => e.kind === 'issue')).toHaveLength(1);
        expect(all.filter((e) => e.kind === 'adjustment')).toHaveLength(changes);
        expect(await problems(file)).toEqual([]);
      },
    ), { numRuns: 25 });
  });
});
