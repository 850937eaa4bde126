/**
 * Duplicates across one run (SPEC §4 "In one run"): both records refused,
 * each naming the other, with the partition files forced to spill; the held
 * output puts each refused record's error in its place. Both checked against
 * plain reference computations over generated runs.
 */
import fc from 'fast-check';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accountsOfSnapshot, createDuplicateCheck, type AccountRole, type RecordAccounts } from '../src/validate/run-duplicates.js';
import { createHeldOutput } from '../src/validate/held-output.js';

const rec = (period: string, own: string, others: [AccountRole, string][] = [], where = own): RecordAccounts =>
  ({ period, where, accounts: [{ text: own, role: 'own' }, ...others.map(([role, text]) => ({ role, text }))] });

function run(records: RecordAccounts[], opts = {}): Map<number, { other: number; message: string }[]> {
  const check = createDuplicateCheck(opts);
  records.forEach((r, i) => check.add(i, r));
  return check.finish();
}

describe('createDuplicateCheck', () => {
  it('refuses both snapshots of one reseller and period, each naming the other', () => {
    const out = run([rec('2026-11', 'A03', [], 'p.ndjson:1'), rec('2026-11', 'B-1', [], 'p.ndjson:2'), rec('2026-11', 'a03 ', [], 'p.ndjson:3')]);
    expect([...out.keys()]).toEqual([0, 2]);
    expect(out.get(0)![0]!.message).toBe(
      'reseller "A03" has another snapshot for 2026-11 in this run (p.ndjson:3, written "a03 "); both are refused: keep only the right one');
    expect(out.get(2)![0]!.message).toBe(
      'reseller "a03 " has another snapshot for 2026-11 in this run (p.ndjson:1, written "A03"); both are refused: keep only the right one');
  });

  it('shows two spellings that look alike (NFC and NFD) escaped, so the reader sees how they differ', () => {
    const out = run([rec('2026-11', '\u00c403', [], 'p.ndjson:1'), rec('2026-11', 'A\u030803', [], 'p.ndjson:2')]);
    expect(out.get(0)![0]!.message).toBe(
      'reseller "\\u00c403" has another snapshot for 2026-11 in this run (p.ndjson:2, written "A\\u030803"); both are refused: keep only the right one');
  });

  it('refuses a managed account claimed by two resellers, in either spelling, for one period only', () => {
    const out = run([
      rec('2026-11', 'R-1', [['managed', 'M-9']], 'f:1'),
      rec('2026-12', 'R-1', [['managed', 'M-9']], 'f:2'),
      rec('2026-11', 'R-2', [['referred', '\uff2d-9']], 'f:3'),
    ]);
    expect([...out.keys()]).toEqual([0, 2]);
    expect(out.get(0)![0]!.message).toBe('managed account "M-9" is also claimed for 2026-11 by reseller "R-2" (f:3, as referred account "Ｍ-9"); ' +
      'both claims are refused: an account counts for one reseller a period');
    expect(out.get(2)![0]!.message).toContain('by reseller "R-1" (f:1, as managed account "M-9")');
  });

  it('refuses a reseller that another lists as managed, and the linked affiliate shared by two', () => {
    const out = run([rec('2026-11', 'R-1', [['affiliate', 'AF-1']]), rec('2026-11', 'R-2', [['managed', 'r-1'], ['affiliate', 'af-1']])]);
    expect(out.get(0)!.map((c) => c.other)).toEqual([1]);
    expect(out.get(1)!).toHaveLength(1);
    expect(out.get(1)![0]!.message).toContain('managed account "r-1" is also claimed for 2026-11 by reseller "R-1" (R-1, as its own account)');
  });

  it('keeps tabs, newlines and backslashes of where a record is, through the partition files', () => {
    const where = 'odd\tdir\\x\n.ndjson:1';
    const out = run([rec('2026-11', 'R\\1', [], where), rec('2026-11', 'r\\1', [], 'f:2')], { partitions: 1, bufferBytes: 1 });
    expect(out.get(1)![0]!.message).toBe(`reseller "r\\1" has another snapshot for 2026-11 in this run (${where}, written "R\\1"); both are refused: keep only the right one`);
  });

  it('takes the accounts of a snapshot in the order own, managed, referred, linked affiliate', () => {
    expect(accountsOfSnapshot({ account: 'R', managedAccounts: [{ account: 'M' }], linkedAffiliate: { account: 'AF', referredAccounts: [{ account: 'C' }] } }))
      .toEqual([{ text: 'R', role: 'own' }, { text: 'M', role: 'managed' }, { text: 'C', role: 'referred' }, { text: 'AF', role: 'affiliate' }]);
  });

  it('leaves repeats inside one snapshot and distinct accounts alone', () => {
    expect(run([rec('2026-11', 'R-1', [['managed', 'M'], ['managed', 'm'], ['referred', 'R-1']]), rec('2026-11', 'R-2', [['managed', 'M2']])]).size).toBe(0);
  });

  it('agrees with a plain pairwise reference, whether it spills or not', () => {
    const ids = fc.constantFrom('A', 'a', 'B', ' b', 'C', '\uff23', 'D');
    const record = fc.record({
      period: fc.constantFrom('2026-11', '2026-12'), own: ids,
      others: fc.array(fc.tuple(fc.constantFrom<AccountRole>('managed', 'referred', 'affiliate'), ids), { maxLength: 3 }),
    });
    fc.assert(fc.property(fc.array(record, { maxLength: 12 }), (rs) => {
      const records = rs.map((r) => rec(r.period, r.own, r.others));
      const key = (t: string) => t.trim().normalize('NFKC').toLowerCase();
      const claims = records.map((r) => new Set(r.accounts.map((a) => `${r.period}|${key(a.text)}`)));
      const expected = records.map((_, i) => claims.some((c, j) => j !== i && [...c].some((k) => claims[i]!.has(k)))).flatMap((x, i) => (x ? [i] : []));
      expect([...run(records).keys()]).toEqual(expected);
      expect([...run(records, { partitions: 3, bufferBytes: 1 }).keys()]).toEqual(expected);
    }), { seed: 19, numRuns: 300 });
  });
});

describe('createHeldOutput', () => {
  it('writes everything in order with each refused record replaced, across chunk and offset-table block boundaries', () => {
    // tableBlock: the offset table spills to its file every few segments (the default, 16384, only in big runs)
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 30 }), fc.array(fc.nat(40)), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 8 }),
      (outs, refusedList, chunkBytes, tableBlock) => {
        const refused = new Set(refusedList);
        const held = createHeldOutput({ chunkBytes, tableBlock });
        held.appendOther(Buffer.from('header\n'));
        outs.forEach((o, i) => held.appendRecord(i, Buffer.from(`${o}\n`)));
        const got: Buffer[] = [];
        held.finishTo((c) => got.push(Buffer.from(c)), (i) => (refused.has(i) ? Buffer.from(`ERROR ${i}\n`) : undefined));
        const want = `header\n${outs.map((o, i) => (refused.has(i) ? `ERROR ${i}\n` : `${o}\n`)).join('')}`;
        expect(Buffer.concat(got).toString()).toBe(want);
      }), { seed: 19, numRuns: 200 });
  });
});

/** Every file under `dir`, at any depth. */
const filesUnder = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());

describe("a run's temporary files have no name while the run uses them (a killed run leaves no data in TMPDIR)", () => {
  it('the held output and the claim partitions, spilled, then finished', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rc-unnamed-'));
    try {
      const held = createHeldOutput({ dir, chunkBytes: 1, tableBlock: 2 });
      const check = createDuplicateCheck({ dir, bufferBytes: 1, partitions: 3 });
      const records = [rec('2026-11', 'A03', [['managed', 'M-1']], 'p:1'), rec('2026-11', 'B-1', [['managed', 'm-1']], 'p:2'), rec('2026-11', 'C-1', [], 'p:3')];
      records.forEach((r, i) => { check.add(i, r); held.appendRecord(i, Buffer.from(`record ${i}\n`)); });
      expect(filesUnder(dir)).toEqual([]); // written (chunk and buffer of one byte), yet nothing named
      const refused = check.finish();
      expect([...refused.keys()]).toEqual([0, 1]);
      const got: Buffer[] = [];
      await held.drainTo(async (c) => { await Promise.resolve(); got.push(Buffer.from(c)); }, (i) => (refused.has(i) ? Buffer.from(`refused ${i}\n`) : undefined));
      expect(Buffer.concat(got).toString()).toBe('refused 0\nrefused 1\nrecord 2\n');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

