/**
 * `issue --report FILE`: the month-end report (SPEC §12) in JSON, Markdown
 * and HTML, checked against figures worked out by hand (test/support/ledger.ts
 * creditCents) and against the ledger itself.
 */
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { creditCents, dollars, snap, writeNdjson } from './support/ledger.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';
import { inputDigests, operatorName, previousPeriod } from '../src/ledger/month-end.js';
import { initLedger } from '../src/ledger/store.js';

const ROOT = resolve('.');
const work = tempDir('rc-month-end-');
let n = 0;
// a ledger is made once with `ledger init` (issue never makes one)
const fresh = (name: string) => { const p = join(work, `${n++}-${name}`); if (name.endsWith('.sqlite')) initLedger(p); return p; };
const env = { RESELLER_CREDITS_TEST_RUN: 'nov-run@2026-12-01T09:30:00.000Z', RESELLER_CREDITS_OPERATOR: 'Dana <billing>' };
const cli = (args: string[]) => runCli(['--rules-dir', join(ROOT, 'rules'), ...args], { env });

describe('issue --report', () => {
  it('JSON: inputs with sha256, rule set, operator, counts, totals, head, errors and the accounts that moved tier', async () => {
    const ledger = fresh('l.sqlite');
    const f = (name: string, snaps: object[]) => writeNdjson(work, `${n++}-${name}.ndjson`, snaps);
    await cli(['issue', '--period', '2026-10', '--ledger', ledger, f('oct', [snap('R-1', '2026-10', 25), snap('R-2', '2026-10', 130), snap('R-3', '2026-10', 10)])]);
    // October corrected for R-3 after issue (10 → 20 users: credit 0.00 → 8.00): +8.00, carried by November's statement
    await cli(['issue', '--period', '2026-10', '--ledger', ledger, f('oct-fix', [snap('R-3', '2026-10', 20)])]);
    const nov = f('nov', [snap('R-1', '2026-11', 130), snap('R-2', '2026-11', 130), snap('R-3', '2026-11', 10), snap('R-4', '2026-10', 10)]);
    const report = fresh('nov.json');
    const r = await cli(['issue', '--period', '2026-11', '--ledger', ledger, '--report', report, nov]);
    expect(r.status).toBe(1); // R-4 is of another period: an error record
    const j = JSON.parse(readFileSync(report, 'utf8'));
    expect(j.period).toBe('2026-11');
    expect(j.run).toMatchObject({ id: 'nov-run', committed: true, operator: 'Dana <billing>', recordedAt: '2026-12-01T09:30:00.000Z' });
    expect(j.inputs).toEqual([{ file: nov, bytes: readFileSync(nov).length, sha256: createHash('sha256').update(readFileSync(nov)).digest('hex') }]);
    expect(j.rules).toHaveLength(1);
    expect(j.rules[0]).toMatchObject({ id: '2026-01', accounts: 3 });
    expect(j.counts).toEqual({ records: 4, issued: 3, unchanged: 0, adjusted: 0, errors: 1, statements: 3, zeroCredit: 1 });
    const credits = creditCents(130) * 2 + creditCents(10);
    const adj = creditCents(20) - creditCents(10);
    expect(adj).toBe(800);
    expect(j.totals).toEqual([{ currency: 'USD', creditsIssued: dollars(credits), adjustmentsCarried: dollars(adj), netCredit: dollars(credits + adj),
      amountDue: dollars(2 * 52000 + 4000 - credits - adj), adjustmentsPending: '0.00', pendingCount: 0 }]);
    // R-1 rose; R-3's October as corrected (20 users, $80) was tier-10, its November ($40) is below the first paid tier
    expect(j.tierChanges).toEqual([{ account: 'R-1', from: 'tier-10', to: 'tier-15', previousPeriod: '2026-10' }, { account: 'R-3', from: 'tier-10', to: 'none', previousPeriod: '2026-10' }]);
    expect(j.errors).toHaveLength(1);
    expect(j.errors[0]).toMatchObject({ account: 'R-4', code: 'WRONG_PERIOD' });
    const verify = await cli(['ledger', 'verify', '--ledger', ledger]);
    expect(verify.stdout).toContain(`head ${j.head.hash}, ${j.head.count} entries`);
  });

  it('Markdown and HTML carry the same figures, input text escaped; an unknown extension is refused before anything is issued', async () => {
    const ledger = fresh('l.sqlite');
    const input = writeNdjson(work, `${n++}.ndjson`, [snap('A|<b>*x*</b>', '2026-11', 130), snap('R-2', '2026-11', 0)]);
    const md = fresh('r.md'); const html = fresh('r.html');
    expect((await cli(['issue', '--period', '2026-11', '--ledger', ledger, '--report', md, input])).status).toBe(0);
    const m = readFileSync(md, 'utf8');
    const c = dollars(creditCents(130));
    expect(m).toContain(`| USD | $${c} | $0.00 | $${c} | $${dollars(52000 - creditCents(130))} | $0.00 (0) |`);
    expect(m).toContain('| 2 | 2 | 0 | 0 | 0 | 2 | 1 |');
    expect(m).toContain('| operator | Dana \\<billing\\> |');
    const ledger2 = fresh('l2.sqlite');
    expect((await cli(['issue', '--period', '2026-11', '--ledger', ledger2, '--report', html, input])).status).toBe(0);
    const h = readFileSync(html, 'utf8');
    expect(h).toContain('<td>Dana &lt;billing&gt;</td>');
    expect(h).toContain(`<td>$${c}</td>`);
    expect(h).not.toMatch(/<script|<b>/);
    // the ledger exists (made by ledger init, as issue needs since schema 2) and stays empty; no report is written
    const bad = fresh('l3.sqlite'); const txt = fresh('r.txt');
    const r = await cli(['issue', '--period', '2026-11', '--ledger', bad, '--report', txt, input]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('the report is written as Markdown (.md), HTML (.html) or JSON (.json)');
    expect(r.stdout).toBe('');
    expect(existsSync(txt)).toBe(false);
    expect(JSON.parse((await cli(['ledger', 'show', '--ledger', bad, '--format', 'json'])).stdout)).toEqual([]);
  });
});

describe('the report\'s parts', () => {
  it.each([['2026-11', '2026-10'], ['2026-01', '2025-12'], ['2027-10', '2027-09']])('the period before %s is %s', (p, before) => {
    expect(previousPeriod(p)).toBe(before);
  });

  it('inputs: a file has its size and sha256; a folder, standard input or a missing path has none', () => {
    const file = writeNdjson(work, `${n++}.ndjson`, [snap('A', '2026-11', 1)]);
    const bytes = readFileSync(file);
    expect(inputDigests([file, work, '-', join(work, 'missing.ndjson')])).toEqual([
      { file, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
      { file: work, bytes: null, sha256: null }, { file: '-', bytes: null, sha256: null }, { file: join(work, 'missing.ndjson'), bytes: null, sha256: null },
    ]);
  });

  it('the operator: RESELLER_CREDITS_OPERATOR, else the system user', () => {
    expect(operatorName({ RESELLER_CREDITS_OPERATOR: 'Dana' })).toBe('Dana');
    expect(operatorName({})).toBe(userInfo().username);
  });
});
