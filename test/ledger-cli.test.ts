/**
 * `issue` and `ledger show|export|verify|replay` as a user runs them
 * (the CLI run in this process, test/support/run-cli.ts, and a spawned
 * bin/reseller-credits.js for another working directory; real SQLite files in temp folders).
 * Expected figures are worked out by hand (test/support/ledger.ts) or, for
 * ids and hashes, recomputed with the test's own canonical JSON
 * (test/support/sorted-json.ts): the auditor's recipe of docs/ledger.md.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { creditCents, dollars, entryCount, snap, writeNdjson } from './support/ledger.js';
import { sha256, sortedJson } from './support/sorted-json.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

const ROOT = resolve('.');
const CLI = join(ROOT, 'bin/reseller-credits.js');
const work = tempDir('rc-ledger-cli-');
let n = 0;
const fresh = (name: string) => join(work, `${n++}-${name}`);

/** A real process, for the test that needs another working directory. */
function spawnCli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const cli = (args: string[]) => runCli(args);
/** issue without making the ledger first */
const issueOnly = (ledger: string, period: string, snaps: object[], ...more: string[]) =>
  cli(['issue', '--period', period, '--ledger', ledger, ...more, writeNdjson(work, `${n++}.ndjson`, snaps)]);
/** `ledger init` once (as an operator does at set-up), then issue; a dry run never makes the ledger */
async function issue(ledger: string, period: string, snaps: object[], ...more: string[]) {
  if (!existsSync(ledger) && !more.includes('--dry-run')) expect((await cli(['ledger', 'init', ledger])).status).toBe(0);
  return issueOnly(ledger, period, snaps, ...more);
}

interface ShownEntry {
  seq: number; id: string; kind: string; n: number; account: string; period: string; hash: string; prev: string;
  result: { credit: string }; amount?: string; snapshot: unknown; snapshotSha256: string;
  statement?: { adjustments: { entry: string; origin: string; amount: string }[]; amountDue: string };
}
const show = async (ledger: string, ...args: string[]) => JSON.parse((await cli(['ledger', 'show', '--format', 'json', '--ledger', ledger, ...args])).stdout) as ShownEntry[];

describe('issue', () => {
  it('the README example works in an empty folder: issue refuses until ledger init, then 12 accounts issued; a re-run changes nothing', async () => {
    const dir = fresh('readme');
    mkdirSync(dir);
    const args = ['--rules-dir', join(ROOT, 'rules'), 'issue', '--period', '2026-11', join(ROOT, 'examples/portfolio.ndjson')];
    const abs = join(dir, 'ledger.sqlite');
    const refused = spawnCli(args, dir);
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(`ledger.sqlite: no ledger at ${abs}; create one with reseller-credits ledger init ${abs}\n`);
    expect(existsSync(abs)).toBe(false);
    const init = spawnCli(['ledger', 'init'], dir);
    expect(init.status, init.stderr).toBe(0);
    expect(init.stderr).toBe(`created ledger ${abs}\n`);
    const r = spawnCli(args, dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/12 issued, 0 unchanged, 0 adjusted, 0 error\(s\)\n$/);
    expect(r.stderr).toMatch(/ledger ledger\.sqlite: head [0-9a-f]{64}, 12 entries/);
    expect(r.stdout).toContain('P-001 · period 2026-11');
    expect(r.stdout).toMatch(/Ledger: issued \(entry [0-9a-f]{64}\)/);
    expect(entryCount(join(dir, 'ledger.sqlite'))).toBe(12);
    const again = spawnCli(args, dir);
    expect(again.stderr).toMatch(/0 issued, 12 unchanged, 0 adjusted, 0 error\(s\)\n$/);
    expect(entryCount(join(dir, 'ledger.sqlite'))).toBe(12);
  });

  it('refuses --rules-version and --rules-file (usage error, nothing written)', async () => {
    for (const opt of [['--rules-version', '2026-01'], ['--rules-file', 'rules/2026-01.yaml']]) {
      const ledger = fresh('refuse.sqlite');
      const r = await issueOnly(ledger, '2026-11', [snap('R-1', '2026-11', 25)], ...opt);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${opt[0]} is refused here`);
      expect(existsSync(ledger)).toBe(false);
    }
  });

  it('no published rule set for the period (drafts never issue): exit 2', async () => {
    const ledger = fresh('draft.sqlite');
    const r = await issueOnly(ledger, '2027-03', [snap('R-1', '2027-03', 25)]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no usable published rule set in rules/ is effective on 2027-03-01');
    expect(existsSync(ledger)).toBe(false);
  });

  it('a snapshot of another period is an error record (exit 1); the others are recorded', async () => {
    const ledger = fresh('other.sqlite');
    const r = await issue(ledger, '2026-11', [snap('R-1', '2026-11', 25), snap('R-2', '2026-10', 25)], '--format', 'json');
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { ledger?: { status: string }; error?: { code: string; path: string; line: number } }[];
    expect(out[0]!.ledger!.status).toBe('issued');
    expect(out[1]!.error).toMatchObject({ code: 'WRONG_PERIOD', path: 'period', line: 2 });
    expect(r.stderr).toContain('1 issued, 0 unchanged, 0 adjusted, 1 error(s)');
    expect(entryCount(ledger)).toBe(1);
  });

  it('json output: the result with the statement as recorded and ledger {status, entry, adjustment}', async () => {
    const ledger = fresh('json.sqlite');
    await issue(ledger, '2026-10', [snap('R-1', '2026-10', 25)]);
    const adj = JSON.parse((await issue(ledger, '2026-10', [snap('R-1', '2026-10', 30)], '--format', 'json')).stdout);
    const adjId = sha256('adjustment|R-1|2026-10|1');
    expect(adj.ledger).toEqual({ status: 'adjusted', entry: adjId, adjustment: '2.00' });
    expect(adj.credit).toBe(dollars(creditCents(30)));
    expect(adj.statement).toEqual({ charges: '100.00', credit: '10.00', adjustments: [], amountDue: '90.00' });
    const nov = JSON.parse((await issue(ledger, '2026-11', [snap('R-1', '2026-11', 25)], '--format', 'json')).stdout);
    expect(nov.ledger).toEqual({ status: 'issued', entry: sha256('issue|R-1|2026-11|1') });
    expect(nov.statement).toEqual({ charges: '100.00', credit: '10.00', adjustments: [{ entry: adjId, origin: '2026-10', amount: '2.00' }], amountDue: '88.00' });
  });

  it('text explains adjustments and a credit balance in words', async () => {
    const ledger = fresh('words.sqlite');
    await issue(ledger, '2026-10', [snap('R-1', '2026-10', 25)]);
    const up = await issue(ledger, '2026-10', [snap('R-1', '2026-10', 1300)]);
    expect(up.stdout).toContain('Ledger: adjustment for 2026-10: +$1030.00, snapshot corrected after issue');
    const down = await issue(ledger, '2026-10', [snap('R-1', '2026-10', 1250)]);
    // 1250 users: $5000 → tier-20, credit $1000.00: -$40.00
    expect(down.stdout).toContain('Ledger: adjustment for 2026-10: -$40.00, snapshot corrected after issue');
    const nov = await issue(ledger, '2026-11', [snap('R-1', '2026-11', 25)]);
    expect(nov.stdout).toContain('Statement as issued: charges $100.00 − credit $10.00 − adjustments +$990.00 = amount due -$900.00');
    expect(nov.stdout).toContain('  adjustment for 2026-10: +$1030.00, snapshot corrected after issue');
    expect(nov.stdout).toContain('  adjustment for 2026-10: -$40.00, snapshot corrected after issue');
    expect(nov.stdout).toContain('a credit balance: $900.00 in the reseller\'s favour');
    const again = await issue(ledger, '2026-11', [snap('R-1', '2026-11', 25)]);
    expect(again.stdout).toContain('Ledger: unchanged');
    expect(again.stdout).toContain('amount due -$900.00');
  });

  it('--dry-run prints what would be recorded and writes nothing; on a missing ledger it says so and creates none', async () => {
    const ledger = fresh('dry.sqlite');
    const r = await issue(ledger, '2026-11', [snap('R-1', '2026-11', 25)], '--dry-run', '--format', 'json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).ledger.status).toBe('issued');
    expect(r.stderr).toContain(`dry run: there is no ledger at ${ledger} yet; computed as if it were empty`);
    expect(r.stderr).toContain('dry run: nothing written');
    expect(existsSync(ledger)).toBe(false);
    await issue(ledger, '2026-11', [snap('R-1', '2026-11', 25)]);
    const r2 = await issue(ledger, '2026-11', [snap('R-1', '2026-11', 30)], '--dry-run', '--format', 'json');
    expect(JSON.parse(r2.stdout).ledger.status).toBe('adjusted');
    expect(entryCount(ledger)).toBe(1);
  });

  it('csv output adds the statement adjustments, status, entry and adjustment', async () => {
    const ledger = fresh('csv.sqlite');
    await issue(ledger, '2026-10', [snap('R-1', '2026-10', 25)]);
    const r = await issue(ledger, '2026-10', [snap('R-1', '2026-10', 30)], '--format', 'csv');
    const [row] = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
    expect(row).toMatchObject({ account: 'R-1', credit: '12.00', amountDue: '90.00', status: 'adjusted', adjustment: '2.00', entry: sha256('adjustment|R-1|2026-10|1') });
  });
});

describe('ledger export', () => {
  it('one row per statement of the period, as issued; a later correction changes no row of it', async () => {
    const ledger = fresh('export.sqlite');
    await issue(ledger, '2026-10', [snap('R-1', '2026-10', 25), snap('R-2', '2026-10', 200)]);
    await issue(ledger, '2026-10', [snap('R-1', '2026-10', 30), snap('R-2', '2026-10', 200)]);
    await issue(ledger, '2026-11', [snap('R-1', '2026-11', 25), snap('R-2', '2026-11', 200)]);
    const oct1 = (await cli(['ledger', 'export', '--period', '2026-10', '--ledger', ledger])).stdout;
    await issue(ledger, '2026-10', [snap('R-2', '2026-10', 100)]); // a late correction of October
    const oct2 = (await cli(['ledger', 'export', '--period', '2026-10', '--ledger', ledger])).stdout;
    expect(oct2).toBe(oct1);
    const rows = parseCsv((await cli(['ledger', 'export', '--period', '2026-11', '--ledger', ledger])).stdout, { columns: true }) as Record<string, string>[];
    const lock = (JSON.parse(readFileSync('rules/rules.lock', 'utf8')) as Record<string, string>)['2026-01'];
    expect(rows).toEqual([
      {
        account: 'R-1', period: '2026-11', charges: '100.00', credit: '10.00', adjustmentsTotal: '2.00', amountDue: '88.00', currency: 'USD',
        rulesId: '2026-01', rulesSha256: lock, entry: sha256('issue|R-1|2026-11|1'), adjustments: sha256('adjustment|R-1|2026-10|1'),
      },
      {
        // 200 users: $800 → tier-15: credit $120.00
        account: 'R-2', period: '2026-11', charges: '800.00', credit: '120.00', adjustmentsTotal: '0.00', amountDue: '680.00', currency: 'USD',
        rulesId: '2026-01', rulesSha256: lock, entry: sha256('issue|R-2|2026-11|1'), adjustments: '',
      },
    ]);
    const json = JSON.parse((await cli(['ledger', 'export', '--period', '2026-11', '--format', 'json', '--ledger', ledger])).stdout);
    expect(json[0].adjustments).toEqual([sha256('adjustment|R-1|2026-10|1')]);
  });

  it('two carried adjustments are ;-separated', async () => {
    const ledger = fresh('export2.sqlite');
    await issue(ledger, '2026-10', [snap('R-1', '2026-10', 25)]);
    await issue(ledger, '2026-10', [snap('R-1', '2026-10', 30)]);
    await issue(ledger, '2026-10', [snap('R-1', '2026-10', 35)]);
    await issue(ledger, '2026-11', [snap('R-1', '2026-11', 25)]);
    const [row] = parseCsv((await cli(['ledger', 'export', '--period', '2026-11', '--ledger', ledger])).stdout, { columns: true }) as Record<string, string>[];
    expect(row!.adjustments).toBe(`${sha256('adjustment|R-1|2026-10|1')};${sha256('adjustment|R-1|2026-10|2')}`);
    expect(row!.adjustmentsTotal).toBe('4.00');
  });
});

describe('ledger replay', () => {
  it('is evaluate\'s text for the stored snapshot, then the statement as issued and later adjustments', async () => {
    const ledger = fresh('replay.sqlite');
    expect((await cli(['ledger', 'init', ledger])).status).toBe(0);
    const r = await cli(['issue', '--period', '2026-11', '--ledger', ledger, 'examples/seed-px2.yaml']);
    expect(r.status).toBe(0);
    const [e] = await show(ledger);
    const stored = join(work, `${n++}-stored.json`);
    writeFileSync(stored, JSON.stringify(e!.snapshot));
    const evaluated = (await cli(['evaluate', stored])).stdout;
    expect(evaluated).toContain('Credit = 10% × $250.00 = $25.00');
    const replay = await cli(['ledger', 'replay', 'R-1001', '2026-11', '--ledger', ledger]);
    expect(replay.status).toBe(0);
    expect(replay.stdout.startsWith(evaluated)).toBe(true);
    const rest = replay.stdout.slice(evaluated.length);
    expect(rest).toMatch(/^Ledger: issued \S+Z \(entry [0-9a-f]{64}, run [0-9a-f-]{36}, reseller-credits@\S+\)\n/);
    expect(rest).toContain('Statement as issued: charges $300.00 − credit $25.00 = amount due $275.00');
  });

  it('nothing issued for that account and period: exit 1', async () => {
    const ledger = fresh('replay2.sqlite');
    await issue(ledger, '2026-11', [snap('R-1', '2026-11', 25)]);
    const r = await cli(['ledger', 'replay', 'R-9', '2026-11', '--ledger', ledger]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('nothing issued for account R-9 in period 2026-11');
  });
});

describe('ledger verify and the auditor\'s recipe', () => {
  it('ids and hashes recomputed without the program: sha256(kind|account|period|n), sha256(prev + canonical JSON)', async () => {
    const ledger = fresh('audit.sqlite');
    await issue(ledger, '2026-10', [snap('R-1', '2026-10', 25), snap('R-2', '2026-10', 30)]);
    await issue(ledger, '2026-10', [snap('R-1', '2026-10', 26)]);
    await issue(ledger, '2026-11', [snap('R-1', '2026-11', 25)]);
    const entries = await show(ledger);
    expect(entries).toHaveLength(4);
    let prev = '0'.repeat(64);
    for (const e of entries) {
      const { hash, seq: _seq, ...body } = e;
      expect(e.id).toBe(sha256(`${e.kind}|${e.account}|${e.period}|${e.n}`));
      expect(e.prev).toBe(prev);
      expect(hash).toBe(sha256(prev + sortedJson(body)));
      expect(e.snapshotSha256).toBe(sha256(sortedJson(e.snapshot)));
      prev = hash;
    }
    const v = await cli(['ledger', 'verify', '--ledger', ledger]);
    expect(v.status).toBe(0);
    expect(v.stdout).toContain(`head ${prev}, 4 entries`);
    expect(v.stdout.trimEnd().split('\n').at(-1)).toBe('4 entries verified, 0 problem(s)');
  });

  it('the triggers refuse an UPDATE or DELETE of an entry', async () => {
    const ledger = fresh('trig.sqlite');
    await issue(ledger, '2026-11', [snap('R-1', '2026-11', 25)]);
    const db = new Database(ledger);
    expect(() => db.prepare("UPDATE entries SET credit = '99.00'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM entries').run()).toThrow(/append-only/);
    db.close();
    expect(entryCount(ledger)).toBe(1);
  });

  const tamper = (ledger: string, sql: string[]) => {
    const db = new Database(ledger);
    db.exec('DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete;');
    for (const s of sql) db.exec(s);
    db.close();
  };
  // one issue run of four accounts, copied for each test that tampers with it (a spawn each saved);
  // the run has closed the file, so the copy is the whole ledger (no -wal file is left behind)
  let issuedFour = '';
  const four = async (name: string) => {
    if (!issuedFour) {
      issuedFour = fresh('four.sqlite');
      expect((await issue(issuedFour, '2026-11', [1, 2, 3, 4].map((i) => snap(`R-${i}`, '2026-11', 20 + i)))).status).toBe(0);
      expect(existsSync(`${issuedFour}-wal`)).toBe(false);
    }
    const ledger = fresh(name);
    cpSync(issuedFour, ledger);
    return ledger;
  };

  it('an entry edited outside the program is named (exit 1)', async () => {
    const ledger = await four('edit.sqlite');
    tamper(ledger, ["UPDATE entries SET body = replace(body, '\"credit\":\"9.20\"', '\"credit\":\"19.20\"') WHERE seq = 3"]);
    const v = await cli(['ledger', 'verify', '--ledger', ledger]);
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/^entry #3 \([0-9a-f]{64}\): tampered: its content no longer has its hash$/m);
    expect(v.stdout.trimEnd().split('\n').at(-1)).toMatch(/^4 entries verified, [1-9]\d* problem\(s\)$/);
  });

  it('a stored column changed behind the hash is named', async () => {
    const ledger = await four('col.sqlite');
    tamper(ledger, ["UPDATE entries SET credit = '99.00' WHERE seq = 3"]);
    const v = await cli(['ledger', 'verify', '--ledger', ledger]);
    expect(v.status).toBe(1);
    expect(v.stdout).toContain('entry #3');
    expect(v.stdout).toContain('stored credit differs from its hashed content');
  });

  it('an entry removed from the middle is named', async () => {
    const ledger = await four('del.sqlite');
    tamper(ledger, ['DELETE FROM entries WHERE seq = 2']);
    const v = await cli(['ledger', 'verify', '--ledger', ledger]);
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/^1 entry before entry #3 \([0-9a-f]{64}\) removed \(#2 missing\)$/m);
    expect(v.stdout).toContain('3 entries verified, 1 problem(s)');
  });

  it('the last entry removed: the chain alone still verifies, --head with the old head does not', async () => {
    const ledger = await four('tail.sqlite');
    const head = /head ([0-9a-f]{64}), 4 entries/.exec((await cli(['ledger', 'verify', '--ledger', ledger])).stdout)![1]!;
    expect((await cli(['ledger', 'verify', '--head', head, '--ledger', ledger])).status).toBe(0);
    tamper(ledger, ['DELETE FROM entries WHERE seq = 4']);
    expect((await cli(['ledger', 'verify', '--ledger', ledger])).status).toBe(0);
    const v = await cli(['ledger', 'verify', '--head', head, '--ledger', ledger]);
    expect(v.status).toBe(1);
    expect(v.stdout).toContain(`head ${head} is not in the ledger`);
  });

  it('"rules changed" when the pinned version\'s file no longer has its hash', async () => {
    const rules = fresh('rules');
    cpSync('rules', rules, { recursive: true });
    const ledger = fresh('rules.sqlite');
    expect((await cli(['ledger', 'init', ledger])).status).toBe(0);
    const r = await cli(['--rules-dir', rules, 'issue', '--period', '2026-11', '--ledger', ledger, writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-11', 25)])]);
    expect(r.status).toBe(0);
    const file = join(rules, '2026-01.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{ name: tier-10, from: "50",   creditPercent: "10" }', '{ name: tier-10, from: "50",   creditPercent: "11" }'));
    const v = await cli(['--rules-dir', rules, 'ledger', 'verify', '--ledger', ledger]);
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/^entry #1 .*: rules changed: .*no longer has the pinned sha256/m);
    const replay = await cli(['--rules-dir', rules, 'ledger', 'replay', 'R-1', '2026-11', '--ledger', ledger]);
    expect(replay.status).toBe(1);
    expect(replay.stderr).toContain('(rules changed)');
  });

  it('"result differs" when the same rules and snapshot give another result (a consistent chain with another credit)', async () => {
    const ledger = fresh('differs.sqlite');
    await issue(ledger, '2026-11', [snap('R-1', '2026-11', 25)]);
    // rewrite the entry as another program would have recorded it, hash included (the auditor's recipe)
    const [e] = await show(ledger);
    const { hash: _h, seq: _s, ...body } = e!;
    const changed = { ...body, result: { ...(body.result as object), credit: '11.00' } };
    const text = sortedJson(changed);
    tamper(ledger, [`UPDATE entries SET body = '${text.replaceAll("'", "''")}', credit = '11.00', hash = '${sha256(body.prev + text)}' WHERE seq = 1`]);
    const v = await cli(['ledger', 'verify', '--ledger', ledger]);
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/^entry #1 \([0-9a-f]{64}\): result differs: credit recorded/m);
    expect(v.stdout).toContain('credit recorded "11.00", now "10.00"');
    expect(v.stdout).not.toContain('tampered');
  });
});

describe('ledger show', () => {
  it('filters by account and period, oldest first, in text, json and csv', async () => {
    const ledger = fresh('show.sqlite');
    await issue(ledger, '2026-10', [snap('R-1', '2026-10', 25), snap('R-2', '2026-10', 25)]);
    await issue(ledger, '2026-11', [snap('R-1', '2026-11', 25)]);
    expect((await show(ledger)).map((e) => [e.account, e.period])).toEqual([['R-1', '2026-10'], ['R-2', '2026-10'], ['R-1', '2026-11']]);
    expect((await show(ledger, '--account', 'R-1')).map((e) => e.period)).toEqual(['2026-10', '2026-11']);
    expect((await show(ledger, '--period', '2026-10')).map((e) => e.account)).toEqual(['R-1', 'R-2']);
    const text = (await cli(['ledger', 'show', '--ledger', ledger, '--account', 'R-2'])).stdout;
    expect(text).toMatch(/^#2 \S+ R-2 2026-10 issue +credit \$10\.00, amount due \$90\.00 · rules 2026-01 · entry [0-9a-f]{64}\n$/);
    const csv = parseCsv((await cli(['ledger', 'show', '--format', 'csv', '--ledger', ledger])).stdout, { columns: true }) as Record<string, string>[];
    expect(csv.map((r) => r.amountDue)).toEqual(['90.00', '90.00', '90.00']);
  });
});
