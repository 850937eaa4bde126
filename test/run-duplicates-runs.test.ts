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
