/**
 * SPEC §9 Integrity as an insider would attack it: entries planted, edited,
 * re-ordered or duplicated *with the chain re-hashed by the recipe* (so the
 * hashes alone prove nothing), carry-over side rows planted or deleted in a
 * version-1 ledger, and files that are not ledgers at all. Each case asserts
 * the exact lines `ledger verify` prints, the exit status, and what `issue`
 * does with such a ledger (refuses, never pays twice).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, openSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, APPLICATION_ID } from '../src/ledger/schema.js';
import { entryCount, snap, writeNdjson } from './support/ledger.js';
import { runCli } from './support/run-cli.js';
import { sha256, sortedJson } from './support/sorted-json.js';
import { tempDir } from './support/temp.js';

const work = tempDir('rc-ledger-integrity-');
let n = 0;
const fresh = (name: string) => join(work, `${n++}-${name}`);
// fixed run ids and times: the same ledger bytes on every run of the test
const cli = (args: string[]) => runCli(args, { env: { RESELLER_CREDITS_TEST_RUN: 'run-1@2026-12-01T00:00:00.000Z' } });
const issue = (ledger: string, period: string, snaps: object[], ...more: string[]) =>
  cli(['issue', '--period', period, '--ledger', ledger, ...more, writeNdjson(work, `${n++}.ndjson`, snaps)]);
const verifyLines = async (ledger: string) => {
  const v = await cli(['ledger', 'verify', '--ledger', ledger]);
  const lines = v.stdout.trimEnd().split('\n');
  return { status: v.status, problems: lines.slice(0, -2), last: lines.at(-1), stderr: v.stderr };
};

const I1 = sha256('issue|R-1|2026-10|1');
const I2 = sha256('issue|R-2|2026-10|1');
const A1 = sha256('adjustment|R-1|2026-10|1');
const I1N = sha256('issue|R-1|2026-11|1');
const P2 = sha256('adjustment|R-2|2026-10|1');

/**
 * The base ledger: #1 issue R-1 2026-10 (credit 10.00), #2 issue R-2 2026-10,
 * #3 adjustment R-1 2026-10 (+2.00, credit 12.00), #4 issue R-1 2026-11
 * carrying #3 (amount due 88.00). `upTo` 3 stops before #4 (the adjustment pending).
 */
const bases = new Map<number, string>();
async function base(upTo: 3 | 4): Promise<string> {
  if (!bases.has(upTo)) {
    const file = fresh(`base-${upTo}.sqlite`);
    expect((await cli(['ledger', 'init', file])).status).toBe(0);
    expect((await issue(file, '2026-10', [snap('R-1', '2026-10', 25), snap('R-2', '2026-10', 25)])).status).toBe(0);
    expect((await issue(file, '2026-10', [snap('R-1', '2026-10', 30)])).status).toBe(0);
    if (upTo === 4) expect((await issue(file, '2026-11', [snap('R-1', '2026-11', 25)])).status).toBe(0);
    bases.set(upTo, file);
  }
  const copy = fresh('copy.sqlite');
  copyFileSync(bases.get(upTo)!, copy);
  return copy;
}

type Body = Record<string, unknown> & { kind: string; account: string; period: string; n: number; statement?: { adjustments: { entry: string; origin: string; amount: string }[]; amountDue: string } };

/**
 * The forger's tool: drops the triggers, replaces every entry from `from` on
 * with `bodies`, each re-chained by the auditor's recipe (prev = the hash
 * before, hash = sha256(prev + canonical JSON)), columns written to match.
 */
function forge(file: string, edit: (bodies: Body[]) => Body[], from: number, opts: { dropUnique?: boolean } = {}): void {
  const db = new Database(file);
  db.exec('DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete;');
  if (opts.dropUnique) db.exec('CREATE TABLE plain AS SELECT * FROM entries; DROP TABLE entries; ALTER TABLE plain RENAME TO entries;');
  const rows = db.prepare('SELECT seq, body, hash FROM entries ORDER BY seq').all() as { seq: number; body: string; hash: string }[];
  const bodies = edit(rows.map((r) => JSON.parse(r.body) as Body));
  db.prepare('DELETE FROM entries WHERE seq >= ?').run(from);
  let prev = from > 1 ? rows[from - 2]!.hash : '0'.repeat(64);
  const ins = db.prepare(`INSERT INTO entries (seq, id, kind, account, account_key, period, n, rules_sha256, snapshot_sha256, credit, amount, statement, run_id, body, prev, hash)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  bodies.slice(from - 1).forEach((b, i) => {
    const body = JSON.parse(JSON.stringify({ ...b, prev })) as Body; // (keys set to undefined dropped)
    const text = sortedJson(body);
    const hash = sha256(prev + text);
    const r = body as unknown as { id: string; rules: { sha256: string }; snapshotSha256: string; result: { credit: string }; amount?: string; runId: string; accountKey: string };
    ins.run(from + i, r.id, b.kind, b.account, r.accountKey, b.period, b.n, r.rules.sha256, r.snapshotSha256, r.result.credit, r.amount ?? null,
      b.statement ? sortedJson(b.statement) : null, r.runId, text, prev, hash);
    prev = hash;
  });
  db.close();
}

interface TamperCase { name: string; make: () => Promise<string>; lines: string[]; then?: (ledger: string) => Promise<void> }

const CASES: TamperCase[] = [
  {
    name: 'a planted adjustment of 5,000.00 with a correct prev and hash',
    make: async () => {
      const f = await base(4);
      forge(f, (b) => [...b, { ...b[1]!, id: P2, kind: 'adjustment', amount: '5000.00', reason: 'snapshot changed', statement: undefined }], 5);
      return f;
    },
    lines: [
      `entry #5 (${P2}): money does not add up: its amount 5000.00 is not its credit 10.00 − 10.00 credited before (issue and earlier adjustments)`,
      `entry #5 (${P2}): money does not add up: R-2 in 2026-10: issued credit + adjustments = 5010.00, but its latest entry records credit 10.00`,
    ],
    // the next issue refuses to carry it: nothing paid, nothing recorded
    then: async (ledger) => {
      const r = await issue(ledger, '2026-11', [snap('R-2', '2026-11', 25)]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`${ledger}: the ledger contradicts itself (adjustment ${P2}: its amount 5000.00 is not its credit 10.00 − 10.00 credited before); run reseller-credits ledger verify; nothing was written\n`);
      expect(entryCount(ledger)).toBe(5);
    },
  },
  {
    name: 'an adjustment\'s amount edited, the chain re-hashed from it',
    make: async () => {
      const f = await base(4);
      forge(f, (b) => b.map((e, i) => (i === 2 ? { ...e, amount: '7.00' } : e)), 3);
      return f;
    },
    lines: [
      `entry #3 (${A1}): money does not add up: its amount 7.00 is not its credit 12.00 − 10.00 credited before (issue and earlier adjustments)`,
      `entry #3 (${A1}): money does not add up: R-1 in 2026-10: issued credit + adjustments = 17.00, but its latest entry records credit 12.00`,
      `entry #4 (${I1N}): money does not add up: its statement carries adjustment ${A1} as 2026-10 2.00, but that adjustment is R-1's, of 2026-10, 7.00`,
    ],
  },
  {
    name: 'the amount and the statement carrying it both edited to agree, re-hashed',
    make: async () => {
      const f = await base(4);
      forge(f, (b) => b.map((e, i) => (i === 2 ? { ...e, amount: '7.00' }
        : i === 3 ? { ...e, statement: { ...e.statement!, adjustments: [{ entry: A1, origin: '2026-10', amount: '7.00' }], amountDue: '83.00' } } : e)), 3);
      return f;
    },
    lines: [
      `entry #3 (${A1}): money does not add up: its amount 7.00 is not its credit 12.00 − 10.00 credited before (issue and earlier adjustments)`,
      `entry #3 (${A1}): money does not add up: R-1 in 2026-10: issued credit + adjustments = 17.00, but its latest entry records credit 12.00`,
    ],
  },
  {
    name: 'a statement re-hashed without the adjustment it carried (a deleted carry)',
    make: async () => {
      const f = await base(4);
      forge(f, (b) => b.map((e, i) => (i === 3 ? { ...e, statement: { ...e.statement!, adjustments: [], amountDue: '90.00' } } : e)), 4);
      return f;
    },
    lines: [`entry #4 (${I1N}): money does not add up: its statement does not carry adjustment ${A1} (2026-10, 2.00), pending when it was recorded`],
    // the next statement must not pay it (again, or for the first time): refused, named
    then: async (ledger) => {
      const r = await issue(ledger, '2026-12', [snap('R-1', '2026-12', 25)]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`${ledger}: the ledger contradicts itself (adjustment ${A1}: statement ${I1N}, the first after it, does not carry it); run reseller-credits ledger verify; nothing was written\n`);
      expect(entryCount(ledger)).toBe(4);
    },
  },
  {
    name: 'the adjustment moved after the statement that carries it, re-hashed',
    make: async () => {
      const f = await base(4);
      forge(f, (b) => [b[0]!, b[1]!, b[3]!, b[2]!], 3);
      return f;
    },
    lines: [`entry #3 (${I1N}): money does not add up: its statement carries ${A1}, which is no earlier adjustment`],
  },
  {
    name: 'an entry duplicated (the id column\'s UNIQUE dropped), re-hashed',
    make: async () => {
      const f = await base(4);
      forge(f, (b) => [...b, b[0]!], 5, { dropUnique: true });
      return f;
    },
    lines: [
      `entry #5 (${I1}): ids broken: its id is entry #1's too (ids must be unique)`,
      `entry #5 (${I1}): ids broken: its n is 1, but it is issue number 2 of R-1 in 2026-10`,
      `entry #5 (${I1}): money does not add up: a second issue entry for R-1 in 2026-10 (the first is ${I1})`,
    ],
  },
  {
    name: 'a stored amount column changed behind the hash (no re-hash)',
    make: async () => {
      const f = await base(4);
      const db = new Database(f);
      db.exec("DROP TRIGGER entries_no_update; UPDATE entries SET amount = '7.00' WHERE seq = 3");
      db.close();
      return f;
    },
    lines: [`entry #3 (${A1}): tampered: stored amount differs from its hashed content`],
    then: async (ledger) => {
      const r = await issue(ledger, '2026-12', [snap('R-1', '2026-12', 25)]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`${ledger}: the ledger contradicts itself (adjustment ${A1}: its stored columns differ from its hashed content); run reseller-credits ledger verify; nothing was written\n`);
    },
  },
];

describe('tampered ledgers with a valid chain: verify names each broken entry (exit 1)', () => {
  it('the untouched base verifies', async () => {
    const v = await verifyLines(await base(4));
    expect(v).toMatchObject({ status: 0, problems: [], last: '4 entries verified, 0 problem(s)' });
  });
  for (const c of CASES) {
    it(c.name, async () => {
      const ledger = await c.make();
      const v = await verifyLines(ledger);
      expect(v.problems).toEqual(c.lines);
      expect(v.status).toBe(1);
      expect(v.last).toBe(`${entryCount(ledger)} entries verified, ${c.lines.length} problem(s)`);
      await c.then?.(ledger);
    });
  }
});

/** A version-1 ledger (the first round's schema) holding the same rows: built from a version-2 file. */
function asVersion1(v2: string, extra: (db: Database.Database) => void = () => {}): string {
  const file = fresh('v1.sqlite');
  const db = new Database(file);
  db.exec(MIGRATIONS[0]!);
  db.pragma('user_version = 1');
  const src = new Database(v2, { readonly: true });
  const rows = src.prepare('SELECT seq, id, kind, account, period, n, rules_sha256, snapshot_sha256, credit, amount, statement, body, prev, hash FROM entries ORDER BY seq').all();
  src.close();
  const ins = db.prepare('INSERT INTO entries VALUES (@seq, @id, @kind, @account, @period, @n, @rules_sha256, @snapshot_sha256, @credit, @amount, @statement, @body, @prev, @hash)');
  for (const r of rows as { id: string; statement: string | null }[]) {
    ins.run(r);
    for (const a of (JSON.parse(r.statement ?? '{"adjustments":[]}') as { adjustments: { entry: string }[] }).adjustments) {
      db.prepare('INSERT INTO carried VALUES (?, ?)').run(a.entry, r.id);
    }
  }
  extra(db);
  db.close();
  return file;
}
const pragmas = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return { version: db.pragma('user_version', { simple: true }), app: db.pragma('application_id', { simple: true }), rows: db.prepare('SELECT seq, body, hash FROM entries ORDER BY seq').all() };
  } finally { db.close(); }
};

describe('a version-1 ledger: read as it is, migrated by the next write keeping every entry and hash; its side table decides nothing', () => {
  it('read commands read it without migrating it', async () => {
    const v1 = asVersion1(await base(4));
    const before = readFileSync(v1);
    const v = await verifyLines(v1);
    expect(v).toMatchObject({ status: 0, problems: [], last: '4 entries verified, 0 problem(s)' });
    expect((await cli(['ledger', 'show', '--ledger', v1])).status).toBe(0);
    expect(readFileSync(v1).equals(before)).toBe(true);
    expect(pragmas(v1)).toMatchObject({ version: 1, app: 0 });
  });

  it('a planted carried row (carry-over "done" before the statement exists) is ignored: the next statement carries the adjustment', async () => {
    const v1 = asVersion1(await base(3), (db) => db.prepare('INSERT INTO carried VALUES (?, ?)').run(A1, 'f'.repeat(64)));
    const old = pragmas(v1);
    const r = await issue(v1, '2026-11', [snap('R-1', '2026-11', 25)], '--format', 'json');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { statement: { adjustments: unknown[]; amountDue: string } };
    expect(out.statement).toEqual({ charges: '100.00', credit: '10.00', adjustments: [{ entry: A1, origin: '2026-10', amount: '2.00' }], amountDue: '88.00' });
    const now = pragmas(v1);
    expect(now.version).toBe(3);
    expect(now.app).toBe(APPLICATION_ID);
    // every old entry and hash kept byte for byte
    expect(now.rows.slice(0, 3)).toEqual(old.rows);
    expect((await verifyLines(v1)).last).toBe('4 entries verified, 0 problem(s)');
  });

  it('a deleted carried row does not make the adjustment pending again: the next statement does not pay it twice', async () => {
    const v1 = asVersion1(await base(4), (db) => db.exec(`DROP TRIGGER carried_no_delete; DELETE FROM carried;
      CREATE TRIGGER carried_no_delete BEFORE DELETE ON carried BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;`));
    const r = await issue(v1, '2026-12', [snap('R-1', '2026-12', 25)], '--format', 'json');
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { statement: object }).statement).toEqual({ charges: '100.00', credit: '10.00', adjustments: [], amountDue: '90.00' });
    expect((await verifyLines(v1)).last).toBe('5 entries verified, 0 problem(s)');
  });
});

/** Files that are not ledgers, each with the message every command gives (exit 2, no stack trace, the file unchanged). */
describe('not a ledger: every command refuses it, exit 2, naming what it is', () => {
  const COMMANDS: [string, (f: string) => string[]][] = [
    ['issue', (f) => ['issue', '--period', '2026-11', '--ledger', f, writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-11', 25)])]],
    ['issue --dry-run', (f) => ['issue', '--dry-run', '--period', '2026-11', '--ledger', f, writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-11', 25)])]],
    ['ledger init', (f) => ['ledger', 'init', f]],
    ['ledger show', (f) => ['ledger', 'show', '--ledger', f]],
    ['ledger export', (f) => ['ledger', 'export', '--period', '2026-11', '--ledger', f]],
    ['ledger verify', (f) => ['ledger', 'verify', '--ledger', f]],
    ['ledger replay', (f) => ['ledger', 'replay', 'R-1', '2026-10', '--ledger', f]],
  ];
  const sqlite = (name: string, sql: string) => { const f = fresh(name); const db = new Database(f); db.exec(sql); db.close(); return f; };
  const FILES: [string, () => Promise<string>, string][] = [
    ['an empty file', async () => { const f = fresh('empty.sqlite'); closeSync(openSync(f, 'w')); return f; }, 'not a ledger: the file is empty (0 bytes); nothing was written'],
    ['a folder', async () => { const f = fresh('folder.sqlite'); mkdirSync(f); return f; }, 'not a ledger: a folder; nothing was written'],
    ['a FIFO (it would hang SQLite)', async () => { const f = fresh('fifo.sqlite'); execFileSync('mkfifo', [f]); return f; }, 'not a ledger: a FIFO (named pipe); nothing was written'],
    ['a device', async () => '/dev/null', 'not a ledger: a character device; nothing was written'],
    ['a text file', async () => { const f = fresh('notes.sqlite'); writeSync(openSync(f, 'w'), 'my notes\n'.repeat(50)); return f; }, 'not a ledger: not an SQLite database; nothing was written'],
    ['another program\'s database', async () => sqlite('foreign.sqlite', 'PRAGMA application_id = 1179864115; CREATE TABLE t (x); INSERT INTO t VALUES (1);'),
      'not a ledger: another program\'s SQLite database (application_id 0x46534c33); nothing was written'],
    ['an SQLite database with tables and no ledger schema', async () => sqlite('tables.sqlite', 'CREATE TABLE entries (x); INSERT INTO entries VALUES (1);'),
      'not a ledger: an SQLite database without a ledger schema (user_version 0); nothing was written'],
    ['an empty SQLite database', async () => sqlite('blank.sqlite', 'PRAGMA user_version = 0; VACUUM;'),
      'not a ledger: an empty SQLite database (user_version 0, no tables); create a ledger with reseller-credits ledger init; nothing was written'],
    ['a ledger whose user_version was reset to 0', async () => { const f = await base(4); const db = new Database(f); db.pragma('user_version = 0'); db.close(); return f; },
      'not a ledger: its user_version is 0 (a ledger\'s schema version was reset, or it was never set up); nothing was written'],
    ['a version-1-numbered file without a version-1 schema', async () => sqlite('v1-other.sqlite', 'PRAGMA user_version = 1; CREATE TABLE entries (x);'),
      'not a ledger: an SQLite database with user_version 1 but not a ledger\'s tables; nothing was written'],
  ];
  for (const [what, make, message] of FILES) {
    it(what, async () => {
      const f = await make();
      // (reading a FIFO would block the test itself)
      const before = statSync(f).isFile() ? readFileSync(f) : undefined;
      for (const [name, args] of COMMANDS) {
        const r = await cli(args(f));
        expect(r.status, name).toBe(2);
        expect(r.stdout, name).toBe('');
        expect(r.stderr, name).toContain(`${f}: ${message}\n`);
        expect(r.stderr, name).not.toMatch(/^\s+at /m);
      }
      if (before) expect(readFileSync(f).equals(before)).toBe(true);
    });
  }

  it('a damaged page (garbage written into a copy): every command refuses it as damaged', async () => {
    const f = await base(4);
    const db = new Database(f, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    // the root page of the entries table: a b-tree page that every query reads
    const root = (db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'entries'").get() as { rootpage: number }).rootpage;
    db.close();
    const fd = openSync(f, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
    closeSync(fd);
    for (const [name, args] of COMMANDS) {
      const r = await cli(args(f));
      expect(r.status, name).toBe(2);
      expect(r.stderr, name).toMatch(new RegExp(`^${f.replaceAll('.', '\\.')}: ledger is damaged \\(SQLite's quick_check: .+\\); nothing was written\\n$`, 'm'));
      expect(r.stderr, name).not.toMatch(/^\s+at /m);
    }
  });

  it('a missing ledger: issue says to run ledger init (absolute path) and creates nothing; ledger init creates it once', async () => {
    const dir = fresh('missing');
    mkdirSync(dir);
    const f = join(dir, 'ledger.sqlite');
    const r = await cli(COMMANDS[0]![1](f));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${f}: no ledger at ${f}; create one with reseller-credits ledger init ${f}\n`);
    const init = await cli(['ledger', 'init', '--ledger', f]);
    expect(init.stderr).toBe(`created ledger ${f}\n`);
    expect(pragmas(f)).toMatchObject({ version: 3, app: APPLICATION_ID, rows: [] });
    const again = await cli(['ledger', 'init', f]);
    expect(again).toMatchObject({ status: 0, stderr: `${f} is a ledger already; nothing changed\n` });
    // RESELLER_CREDITS_LEDGER names it when --ledger is not given
    const other = join(dir, 'env.sqlite');
    const viaEnv = await runCli(['ledger', 'init'], { env: { RESELLER_CREDITS_LEDGER: other } });
    expect(viaEnv.stderr).toBe(`created ledger ${other}\n`);
    expect(pragmas(other)).toMatchObject({ version: 3, app: APPLICATION_ID });
  });
});
