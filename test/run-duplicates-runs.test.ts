/**
 * SPEC §4 "In one run", through the real commands: two snapshots of one
 * period whose resellers have the same account key (in one file or across
 * two), and an account claimed by two resellers for one period, make BOTH
 * records error records (`DUPLICATE_IN_RUN`), each naming the other's file
 * and line — in every format of `evaluate`, in `whatif`, `review` and `issue`
 * (where nothing is recorded for them). The other records are untouched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

const dir = tempDir('rc-dup-');
const base = JSON.parse(readFileSync('examples/portfolio.ndjson', 'utf8').split('\n')[0]!) as Record<string, unknown>;
const managed = parseYaml(readFileSync('examples/managed-affiliate.yaml', 'utf8')) as Record<string, unknown>;
const snap = (account: string, extra: Record<string, unknown> = {}) => JSON.stringify({ ...base, account, ...extra });
const write = (name: string, lines: string[]): string => {
  const file = join(dir, name);
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
};

/**
 * A situation: the input files, the accounts (as written) of the two refused
 * records with the `file:line` each must name, and the accounts that evaluate.
 */
interface Situation { name: string; files: string[]; refused: [string, string, string, string][]; kept: string[] }

const SITUATIONS: Situation[] = (() => {
  const one = write('one.ndjson', [snap('P-001'), snap('P-002'), snap('p-001')]);
  const a = write('a.ndjson', [snap('Q-1'), snap('P-009')]);
  const b = write('b.ndjson', [snap('Ｐ-009'), snap('Q-2')]);
  const other = write('managed-other.ndjson', [snap('M-1'), snap('X-7', { managedAccounts: [{ account: 'r-2001-a', lineItems: [{ service: 'vpn', amount: '12.00' }] }] })]);
  const m = write('managed.ndjson', [JSON.stringify(managed)]);
  const periods = write('periods.ndjson', [snap('P-001'), snap('p-001', { period: '2026-10' })]);
  return [
    { name: 'one reseller in two spellings in one file', files: [one], refused: [['P-001', `${one}:3`, 'p-001', `${one}:1`]], kept: ['P-002'] },
    { name: 'one reseller in two spellings across two files', files: [a, b], refused: [['P-009', `${b}:1`, 'Ｐ-009', `${a}:2`]], kept: ['Q-1', 'Q-2'] },
    { name: 'a managed account claimed by two resellers', files: [m, other], refused: [['R-2001', `${other}:2`, 'X-7', `${m}:1`]], kept: ['M-1'] },
    { name: 'one reseller in two periods (no conflict)', files: [periods], refused: [], kept: ['P-001', 'p-001'] },
  ];
})();

interface Out { account?: string; error?: { code: string; message: string }; ok: boolean }

/** The records of an evaluate output, per format. */
function recordsOf(format: string, stdout: string): Out[] {
  switch (format) {
    case 'ndjson': return stdout.trim().split('\n').map((l) => JSON.parse(l) as Out).map((r) => ({ ...r, ok: !r.error }));
    case 'json': {
      const v = JSON.parse(stdout) as Out | Out[];
      return (Array.isArray(v) ? v : [v]).map((r) => ({ ...r, ok: !r.error }));
    }
    case 'csv': return (parseCsv(stdout, { columns: true }) as Record<string, string>[])
      .map((r) => ({ account: r.account, ok: !r.error, ...(r.error ? { error: { code: r.error.includes('has another snapshot') || r.error.includes('also claimed') ? 'DUPLICATE_IN_RUN' : 'OTHER', message: r.error } } : {}) }));
    default: return stdout.trim().split(/\n\n(?=ERROR \(|\S+ · period)/).map((block) => {
      const err = /^ERROR \((.*?)\): (.*)/.exec(block);
      return err ? { account: err[1], ok: false, error: { code: block.includes('has another snapshot') || block.includes('also claimed') ? 'DUPLICATE_IN_RUN' : 'OTHER', message: err[2]! } }
        : { account: block.split(' · ')[0], ok: true };
    });
  }
}

describe('evaluate refuses both records of a duplicate, in every format', () => {
  for (const s of SITUATIONS) {
    for (const format of ['ndjson', 'json', 'csv', 'text']) {
      it(`${s.name} — ${format}`, async () => {
        const r = await runCli(['evaluate', '--rules-version', '2026-01', '--format', format, ...s.files]);
        const records = recordsOf(format, r.stdout);
        const refusedAccounts = s.refused.flatMap(([x, , y]) => [x, y]);
        expect(records.map((x) => x.account).sort()).toEqual([...refusedAccounts, ...s.kept].sort());
        for (const [acc, names, acc2, names2] of s.refused) {
          for (const [who, where] of [[acc, names], [acc2, names2]] as const) {
            const rec = records.find((x) => x.account === who)!;
            expect(rec.ok).toBe(false);
            expect(rec.error!.code).toBe('DUPLICATE_IN_RUN');
            expect(rec.error!.message).toContain(`(${where}`);
            expect(r.stderr).toContain(`(${where}`);
          }
        }
        for (const k of s.kept) expect(records.find((x) => x.account === k)!.ok).toBe(true);
        const n = refusedAccounts.length;
        expect(r.stderr).toContain(`${n + s.kept.length} record(s): ${s.kept.length} evaluated, ${n} error(s)`);
        expect(r.status).toBe(n ? 1 : 0);
      });
    }
  }
});

/** Checks the two refused records of each pair name each other and the others are compared. */
function expectRefused(s: Situation, rows: Out[], stderr: string): void {
  const refusedAccounts = s.refused.flatMap(([x, , y]) => [x, y]);
  expect(rows.map((x) => x.account).sort()).toEqual([...refusedAccounts, ...s.kept].sort());
  for (const [acc, names, acc2, names2] of s.refused) {
    for (const [who, where] of [[acc, names], [acc2, names2]] as const) {
      const rec = rows.find((x) => x.account === who)!;
      expect(rec.ok).toBe(false);
      expect(rec.error!.code).toBe('DUPLICATE_IN_RUN');
      expect(rec.error!.message).toContain(`(${where}`);
      expect(stderr).toContain(`(${where}`);
    }
  }
  for (const k of s.kept) expect(rows.find((x) => x.account === k)!.ok).toBe(true);
}

describe('whatif refuses both records of a duplicate', () => {
  for (const s of SITUATIONS) {
    it(`${s.name} — json and csv`, async () => {
      const n = s.refused.length * 2;
      const j = await runCli(['whatif', '--baseline', '2026-01', '--candidate', 'rules/2027-01.yaml', '--format', 'json', ...s.files]);
      const report = JSON.parse(j.stdout) as { accounts: (Out & { delta?: string })[]; summary: { accounts: number; errors: number } };
      expectRefused(s, report.accounts.map((a) => ({ ...a, ok: !a.error })), j.stderr);
      expect(report.summary).toMatchObject({ accounts: s.kept.length, errors: n });
      expect(j.status).toBe(n ? 1 : 0);
      const c = await runCli(['whatif', '--baseline', '2026-01', '--candidate', 'rules/2027-01.yaml', '--format', 'csv', ...s.files]);
      const rows = (parseCsv(c.stdout, { columns: true }) as Record<string, string>[]);
      expectRefused(s, rows.map((r) => ({ account: r.account, ok: !r.error, ...(r.error ? { error: { code: /has another snapshot|also claimed/.test(r.error) ? 'DUPLICATE_IN_RUN' : 'OTHER', message: r.error } } : {}) })), c.stderr);
      expect(c.status).toBe(n ? 1 : 0);
    });
  }
});

describe("review's impact tallies only the records that survive", () => {
  for (const s of SITUATIONS) {
    it(s.name, async () => {
      const r = await runCli(['review', 'rules/2027-01.yaml', '--format', 'json', ...s.files]);
      const impact = (JSON.parse(r.stdout) as { impact: {
        summary: { accounts: number; errors: number }; errors: Out[]; accounts: Out[];
        byTier: { baseline: { accounts: number } | null }[];
      } }).impact;
      expectRefused(s, [...impact.errors.map((e) => ({ ...e, ok: false })), ...impact.accounts.map((a) => ({ ...a, ok: true }))], r.stderr);
      expect(impact.summary).toMatchObject({ accounts: s.kept.length, errors: s.refused.length * 2 });
      expect(impact.byTier.reduce((n, t) => n + (t.baseline?.accounts ?? 0), 0)).toBe(s.kept.length);
    });
  }
});

const ledgerRows = (file: string): { account: string; kind: string }[] => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT account, kind FROM entries WHERE kind <> 'run' ORDER BY seq").all() as { account: string; kind: string }[];
  } finally {
    db.close();
  }
};
let ledgers = 0;
const newLedger = async (): Promise<string> => {
  const file = join(dir, `ledger-${ledgers++}.sqlite`);
  expect((await runCli(['ledger', 'init', file])).status).toBe(0);
  return file;
};
const issue = (ledger: string, files: string[]) => runCli(['issue', '--period', '2026-11', '--ledger', ledger, '--format', 'ndjson', ...files]);
const issueRows = (stdout: string): Out[] => stdout.trim().split('\n').filter(Boolean)
  .map((l) => JSON.parse(l) as Out).map((r) => ({ ...r, ok: !r.error }));

describe('issue refuses both records of a duplicate and records nothing for them', () => {
  for (const s of SITUATIONS.filter((x) => !x.name.includes('two periods'))) {
    it(s.name, async () => {
      const ledger = await newLedger();
      const r = await issue(ledger, s.files);
      expectRefused(s, issueRows(r.stdout), r.stderr);
      expect(ledgerRows(ledger).map((e) => e.account).sort()).toEqual([...s.kept].sort());
      expect(r.status).toBe(1);
      // the survivors alone, run again: unchanged, nothing new recorded
      const again = await issue(ledger, s.files);
      expect(again.stderr).toContain(`0 issued, ${s.kept.length} unchanged, 0 adjusted, ${s.refused.length * 2} error(s)`);
      expect(ledgerRows(ledger)).toHaveLength(s.kept.length);
    });
  }
});

describe('issue against the ledger (SPEC §4): only what conflicts with it is refused', () => {
  const m = SITUATIONS.find((x) => x.name.includes('managed'))!;
  const managedFile = m.files[0]!;
  const claimer = write('claimer.ndjson', [snap('X-7', { managedAccounts: [{ account: 'r-2001-a', lineItems: [{ service: 'vpn', amount: '12.00' }] }] })]);
  const referrer = write('referrer.ndjson', [snap('X-9', { linkedAffiliate: { account: 'AF-9', referredAccounts: [{ account: 'Ｃ-10', lineItems: [{ service: 'vpn', amount: '12.00' }] }] } })]);
  const ownClaimer = write('own-claimer.ndjson', [snap('X-8', { managedAccounts: [{ account: 'r-2001', lineItems: [{ service: 'vpn', amount: '12.00' }] }] })]);
  const spelled = write('spelled.ndjson', [JSON.stringify({ ...managed, account: 'r-2001' })]);
  const dropped = write('dropped.ndjson', [JSON.stringify({ ...managed, managedAccounts: (managed.managedAccounts as { account: string }[]).filter((a) => a.account !== 'R-2001-A') })]);

  const CASES: { name: string; then: string; code?: string; message?: string }[] = [
    { name: 'a managed account another reseller manages', then: claimer, code: 'ACCOUNT_CLAIMED', message: 'is claimed for 2026-11 by reseller "R-2001" in its latest ledger entry (as "R-2001-A")' },
    { name: 'a referred account another reseller refers', then: referrer, code: 'ACCOUNT_CLAIMED', message: 'by reseller "R-2001" in its latest ledger entry (as "C-10")' },
    { name: 'a managed account that is an issued reseller', then: ownClaimer, code: 'ACCOUNT_CLAIMED', message: 'is issued for 2026-11 as a reseller\'s own account ("R-2001")' },
    { name: 'the reseller under another spelling', then: spelled, code: 'ACCOUNT_KEY_CONFLICT', message: 'already issued for 2026-11, written differently' },
    { name: 'a plain re-run', then: managedFile },
  ];
  for (const c of CASES) {
    it(`${c.name}: ${c.code ?? 'unchanged'}`, async () => {
      const ledger = await newLedger();
      expect((await issue(ledger, [managedFile])).status).toBe(0);
      const r = await issue(ledger, [c.then]);
      const [row] = issueRows(r.stdout);
      if (c.code) {
        expect(row!.ok).toBe(false);
        expect(row!.error!.code).toBe(c.code);
        expect(row!.error!.message).toContain(c.message);
        expect(r.status).toBe(1);
        expect(ledgerRows(ledger)).toEqual([{ account: 'R-2001', kind: 'issue' }]);
      } else {
        expect(r.stderr).toContain('0 issued, 1 unchanged, 0 adjusted, 0 error(s)');
        expect(r.status).toBe(0);
        expect(ledgerRows(ledger)).toHaveLength(1);
      }
    });
  }

  it('a claim the reseller dropped in its latest entry holds nothing: the other reseller is issued', async () => {
    const ledger = await newLedger();
    expect((await issue(ledger, [managedFile])).status).toBe(0);
    const moved = await issue(ledger, [dropped]);
    expect(issueRows(moved.stdout)[0]).toMatchObject({ ok: true, ledger: { status: 'adjusted' } });
    const r = await issue(ledger, [claimer]);
    expect(r.status, r.stderr).toBe(0);
    expect(ledgerRows(ledger).map((e) => e.account)).toEqual(['R-2001', 'R-2001', 'X-7']);
  });

  it('a ledger of schema version 2 gets its claims from the hashed snapshots when it is migrated', async () => {
    const ledger = await newLedger();
    expect((await issue(ledger, [managedFile])).status).toBe(0);
    // what a version-2 file is: the same entries without the claims table
    const db = new Database(ledger);
    db.exec('DROP TABLE claims');
    db.pragma('user_version = 2');
    db.close();
    const r = await issue(ledger, [claimer]);
    expect(issueRows(r.stdout)[0]!.error!.code).toBe('ACCOUNT_CLAIMED');
    const check = new Database(ledger, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(3);
    expect(check.prepare('SELECT account, account_key FROM claims ORDER BY rowid').all()).toEqual([
      { account: 'R-2001-A', account_key: 'r-2001-a' }, { account: 'R-2001-B', account_key: 'r-2001-b' },
      { account: 'C-9', account_key: 'c-9' }, { account: 'C-10', account_key: 'c-10' },
    ]);
    check.close();
    expect((await runCli(['ledger', 'verify', '--ledger', ledger])).status).toBe(0);
  });
});

describe('issue refuses byte-equal duplicates too (issue 19: issued, then adjusted in the same run)', () => {
  it('one reseller written the same way twice, and one managed account under two resellers: both records refused, nothing recorded', async () => {
    const twice = write('twice.ndjson', [snap('T-1'), snap('T-1', { lineItems: [{ service: 'vpn', amount: '900.00' }] }), snap('T-2')]);
    const shared = { managedAccounts: [{ account: 'S-9', lineItems: [{ service: 'vpn', amount: '12.00' }] }] };
    const claims = write('claims.ndjson', [snap('U-1', shared), snap('U-2', shared)]);
    const ledger = await newLedger();
    const r = await issue(ledger, [twice, claims]);
    expect(r.status).toBe(1);
    const rows = issueRows(r.stdout);
    expect(rows.map((x) => [x.account, x.error?.code ?? 'ok'])).toEqual([
      ['T-1', 'DUPLICATE_IN_RUN'], ['T-1', 'DUPLICATE_IN_RUN'], ['T-2', 'ok'], ['U-1', 'DUPLICATE_IN_RUN'], ['U-2', 'DUPLICATE_IN_RUN']]);
    expect(rows[0]!.error!.message).toBe(`reseller "T-1" has another snapshot for 2026-11 in this run (${twice}:2, written "T-1"); both are refused: keep only the right one`);
    expect(rows[3]!.error!.message).toContain(`managed account "S-9" is also claimed for 2026-11 by reseller "U-2" (${claims}:2, as managed account "S-9")`);
    expect(r.stderr).toContain('1 issued, 0 unchanged, 0 adjusted, 4 error(s)');
    expect(ledgerRows(ledger)).toEqual([{ account: 'T-2', kind: 'issue' }]);
  });
});
