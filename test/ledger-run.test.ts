/**
 * An `issue` run as SPEC §9 Integrity wants it: one rule set per period per
 * run (the rules folder swapped while stdin is still being fed), ambiguous
 * windows refused by evaluate and issue, a currency change refused for an
 * adjustment, output only after the commit (spooled; a full disk for the
 * spool, a kill before the commit, `--out`), and the ledger file replaced,
 * moved or truncated while the run holds it. Real files, real SQLite, real
 * tmpfs mounts (root only; skipped cleanly when mounting is refused).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePortfolio } from '../bench/generate.js';
import { initLedger, issuePeriod, openLedger, readRuleSetFile, resolveLimits } from '../src/index.js';
import { entryCount, snap, writeNdjson } from './support/ledger.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

const work = tempDir('rc-ledger-run-');
const CLI = 'bin/reseller-credits.js';
let n = 0;
const fresh = (name: string) => join(work, `${n++}-${name}`);
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env });
const init = (file: string) => { initLedger(file); return file; };
const rulesOf = (file: string) => {
  const l = openLedger(file, { readonly: true });
  try { return [...l.entries()].map((e) => `${e.rules.id}@${e.rules.sha256.slice(0, 12)}`); } finally { l.close(); }
};

/** A copy of rules/ where 2026-01 is retired and `id` is published for the same window, edited by `edit`. */
function rulesWith(id: string, edit: (text: string) => string, keep2026 = false): string {
  const dir = fresh('rules');
  mkdirSync(dir);
  const text = readFileSync('rules/2026-01.yaml', 'utf8');
  writeFileSync(join(dir, '2026-01.yaml'), keep2026 ? text : text.replace('status: published', 'status: retired'));
  writeFileSync(join(dir, `${id}.yaml`), edit(text.replace('id: "2026-01"', `id: "${id}"`)));
  const lock = JSON.parse(readFileSync('rules/rules.lock', 'utf8')) as Record<string, string>;
  lock[id] = readRuleSetFile(join(dir, `${id}.yaml`)).ruleSet!.sha256;
  writeFileSync(join(dir, 'rules.lock'), JSON.stringify(lock));
  return dir;
}
const TIER10 = '{ name: tier-10, from: "50",   creditPercent: "10" }';

let portfolio = '';
beforeAll(async () => {
  portfolio = join(work, 'portfolio.ndjson');
  await generatePortfolio({ count: 1000, seed: 11, out: portfolio, period: '2026-11' });
}, 120_000);

describe('one rule set per run: the rules folder swapped while stdin is still coming', () => {
  it('every entry of the run is under the rule set read at its start', async () => {
    const rules = fresh('rules-live');
    cpSync('rules', rules, { recursive: true });
    const other = rulesWith('2026-02', (t) => t.replace(TIER10, TIER10.replace('"10"', '"12"')));
    const ledger = init(fresh('swap.sqlite'));
    const tmp = fresh('tmp');
    mkdirSync(tmp);
    const lines = readFileSync(portfolio, 'utf8').split('\n').filter(Boolean);
    const child = spawn(process.execPath, [CLI, '--rules-dir', rules, 'issue', '--period', '2026-11', '--jobs', '2', '--format', 'csv', '--ledger', ledger, '-'],
      { env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    // part one: one batch (250 records) and a little, led by a snapshot of another period; wait until its error line is
    // on stderr: its batch was evaluated (results are recorded once the input has ended: SPEC §4, a later record may refuse an earlier one)
    const wrong = lines[0]!.replace('"period":"2026-11"', '"period":"2026-10"');
    expect(wrong).not.toBe(lines[0]);
    child.stdin.write(`${[wrong, ...lines.slice(0, 300)].join('\n')}\n`);
    await new Promise<void>((resolve) => { const t = setInterval(() => { if (/^<stdin>:1:/m.test(stderr)) { clearInterval(t); resolve(); } }, 10); });
    // swap the folder: the second worker has read nothing yet
    renameSync(rules, `${rules}.old`);
    renameSync(other, rules);
    child.stdin.end(`${lines.slice(300).join('\n')}\n`);
    expect(await done, stderr).toBe(1);
    expect(stderr).toContain('1000 issued, 0 unchanged, 0 adjusted, 1 error(s)');
    expect(stdout.trimEnd().split('\n')).toHaveLength(1002);
    const pins = new Set(rulesOf(ledger));
    expect([...pins]).toHaveLength(1);
    expect([...pins][0]).toMatch(/^2026-01@/);
  }, 300_000);
});

describe('ambiguous windows: two published versions share the first day of a period', () => {
  // 2026-11 published from 2026-11-01 while 2026-01 (to 2027-01-01) is still published
  const make = () => rulesWith('2026-11', (t) => t.replace(/from: "?2026-01-01"?/, 'from: "2026-11-01"'), true);

  it('validate names both files in one message', async () => {
    const rules = make();
    const r = await cli(['--rules-dir', rules, 'validate']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`effective: published versions "2026-01" (2026-01-01 to 2027-01-01) and "2026-11" (2026-11-01 to 2027-01-01) overlap (${rules}/2026-01.yaml and ${rules}/2026-11.yaml); a period must select exactly one`);
  });

  it('evaluate: each snapshot of the shared period is an error record naming both (exit 1); other periods as usual', async () => {
    const rules = make();
    const input = writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-11', 25), snap('R-2', '2026-10', 25)]);
    const r = await cli(['--rules-dir', rules, 'evaluate', '--format', 'ndjson', input]);
    expect(r.status).toBe(1);
    const [a, b] = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { error?: { code: string; message: string }; credit?: string });
    expect(a!.error).toMatchObject({ code: 'AMBIGUOUS_RULES', message: `period 2026-11 is ambiguous: 2026-11-01 lies in the windows of published versions "2026-01" (${rules}/2026-01.yaml) and "2026-11" (${rules}/2026-11.yaml); fix the effective windows (reseller-credits validate) before evaluating or issuing it` });
    expect(b!.credit).toBe('10.00');
  });

  it('issue: exit 2 naming both, nothing recorded; another period issues as usual', async () => {
    const rules = make();
    const ledger = init(fresh('ambiguous.sqlite'));
    const r = await cli(['--rules-dir', rules, 'issue', '--period', '2026-11', '--ledger', ledger, writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-11', 25)])]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`period: period 2026-11 is ambiguous: 2026-11-01 lies in the windows of published versions "2026-01" (${rules}/2026-01.yaml) and "2026-11" (${rules}/2026-11.yaml)`);
    expect(entryCount(ledger)).toBe(0);
    const oct = await cli(['--rules-dir', rules, 'issue', '--period', '2026-10', '--ledger', ledger, writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-10', 25)])]);
    expect(oct.status, oct.stderr).toBe(0);
    expect(entryCount(ledger)).toBe(1);
  });
});

describe('a correction across a currency change', () => {
  it('is refused (an error record naming both currencies, exit 1, nothing recorded for that account); a new account issues', async () => {
    const rules = fresh('rules-usd');
    cpSync('rules', rules, { recursive: true });
    const ledger = init(fresh('currency.sqlite'));
    expect((await cli(['--rules-dir', rules, 'issue', '--period', '2026-11', '--ledger', ledger, writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-11', 25)])])).status).toBe(0);
    const eur = rulesWith('2026-02', (t) => t.replace('currency: USD', 'currency: EUR'));
    const r = await cli(['--rules-dir', eur, 'issue', '--period', '2026-11', '--format', 'ndjson', '--ledger', ledger,
      writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-11', 50), snap('R-NEW', '2026-11', 25)])]);
    expect(r.status).toBe(1);
    const [a, b] = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { account: string; error?: { code: string; message: string }; ledger?: { status: string }; currency?: string });
    expect(a!.error).toEqual(expect.objectContaining({ code: 'CURRENCY_CHANGE', message: 'the period was issued in USD and the rules now give EUR: an adjustment between currencies is refused (rules that change currency start a new program; correct this period under rules in USD); nothing was recorded for this account' }));
    expect(b).toMatchObject({ account: 'R-NEW', currency: 'EUR', ledger: { status: 'issued' } });
    expect(r.stderr).toContain('1 issued, 0 unchanged, 0 adjusted, 1 error(s)');
    expect(entryCount(ledger)).toBe(2);
  });
});

describe('output only after the commit', () => {
  const csvArgs = (ledger: string, ...more: string[]) => ['issue', '--period', '2026-11', '--format', 'csv', '--ledger', ledger, ...more, portfolio];
  const SEAM = { RESELLER_CREDITS_TEST_RUN: 'run-1@2026-12-01T00:00:00.000Z' };

  it('--out FILE is renamed into place after the commit, byte for byte what stdout gets; no spool is left', async () => {
    const dir = fresh('out');
    mkdirSync(dir);
    const out = join(dir, 'issued.csv');
    const a = await cli(csvArgs(init(fresh('a.sqlite')), '--out', out), SEAM);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toBe('');
    const b = await cli(csvArgs(init(fresh('b.sqlite'))), SEAM);
    expect(readFileSync(out, 'utf8')).toBe(b.stdout);
    expect(b.stdout.split('\n')).toHaveLength(1002);
    expect(readdirSync(dir)).toEqual(['issued.csv']);
  });

  for (const fault of ['after:600', 'before-commit']) {
    it(`killed (${fault}) with stdout captured: no row printed, nothing recorded`, () => {
      const ledger = init(fresh('kill.sqlite'));
      const r = spawnSync(process.execPath, [CLI, ...csvArgs(ledger)], {
        encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1', RESELLER_CREDITS_FAULT: fault },
      });
      expect(r.signal).toBe('SIGKILL');
      expect(r.stdout).toBe('');
      expect(entryCount(ledger)).toBe(0);
    }, 300_000);
  }

  // a full disk is a real small file system (root only)
  const probe = fresh('probe');
  mkdirSync(probe);
  const canMount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (canMount) spawnSync('umount', [probe]);
  const onSmallDisk = async (fn: (dir: string) => Promise<void>) => {
    const dir = fresh('full');
    mkdirSync(dir);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]).status).toBe(0);
    try { await fn(dir); } finally { spawnSync('umount', [dir]); }
  };

  it.skipIf(!canMount)('a spool that cannot be written (the temporary folder full) rolls the run back: exit 2, nothing printed or recorded', async () => {
    await onSmallDisk(async (tmp) => {
      const ledger = init(fresh('full-tmp.sqlite'));
      const r = await cli(csvArgs(ledger), { TMPDIR: tmp });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      // the first of the run's temporary files to meet the full disk: the items held until the input ends, or the output spool
      expect(r.stderr).toMatch(new RegExp(`^(${tmp}/\\.reseller-credits-issue-\\d+-[0-9a-f]{12}\\.tmp: the output cannot be spooled \\(the disk is full\\); the run was rolled back, nothing was written`
        + `|${tmp}/rc-(held|claims)-\\w+/[\\w.]+: a temporary file of the run cannot be written \\(the disk is full; TMPDIR names the folder\\); the run stopped, nothing was written)$`, 'm'));
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(entryCount(ledger)).toBe(0);
      expect(readdirSync(tmp)).toEqual([]);
    });
  });

  it.skipIf(!canMount)('--out on a full disk: exit 2, no file, nothing recorded', async () => {
    await onSmallDisk(async (dir) => {
      const ledger = init(fresh('full-out.sqlite'));
      const r = await cli(csvArgs(ledger, '--out', join(dir, 'issued.csv')));
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('the output cannot be spooled (the disk is full); the run was rolled back, nothing was written');
      expect(readdirSync(dir)).toEqual([]);
      expect(entryCount(ledger)).toBe(0);
    });
  });
});

describe('the ledger file changed under a run (the run paused before its commit)', () => {
  const CASES: [string, (ledger: string) => void, RegExp][] = [
    ['replaced', (ledger) => renameSync(init(fresh('other.sqlite')), ledger), /^the ledger file was replaced during the run; the run was rolled back, nothing was written$/],
    ['moved away', (ledger) => renameSync(ledger, fresh('moved.sqlite')), /^the ledger file was moved or deleted during the run; the run was rolled back, nothing was written$/],
    ['truncated', (ledger) => truncateSync(ledger, 4096), /^the ledger file was truncated during the run \(\d+ → 4096 bytes\); the run was rolled back, nothing was written$/],
  ];
  for (const [what, change, message] of CASES) {
    it(`${what}: the run fails before its commit, nothing of it is written anywhere`, async () => {
      const ledger = init(fresh(`${what}.sqlite`));
      expect((await cli(['issue', '--period', '2026-10', '--ledger', ledger, writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-10', 25)])])).status).toBe(0);
      const original = fresh('original.sqlite');
      linkSync(ledger, original); // the file the run opened, whatever happens to its name
      const l = openLedger(ledger);
      const run = issuePeriod(l, [writeNdjson(work, `${n++}.ndjson`, [snap('R-2', '2026-11', 25)])], {
        period: '2026-11', limits: resolveLimits(), beforeCommit: () => change(ledger),
      });
      await expect(run).rejects.toMatchObject({ code: 'LEDGER_UNUSABLE', message: expect.stringMatching(message) });
      l.close();
      if (what !== 'truncated') expect(entryCount(original)).toBe(1);
      if (existsSync(ledger) && what === 'replaced') expect(entryCount(ledger)).toBe(0);
    });
  }
});

describe('the account key (SPEC §4) against the ledger', () => {
  it('an account-period issued as "R-1" refuses "r-1" and "Ｒ-1" (an error record each, exit 1); "R-1" itself stays unchanged', async () => {
    const ledger = init(fresh('key.sqlite'));
    expect((await cli(['issue', '--period', '2026-11', '--ledger', ledger, writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-11', 25)])])).status).toBe(0);
    // each in a run of its own (in one run, two spellings of one reseller refuse each other: run-duplicates-runs.test.ts)
    const rows: { error?: { code: string; message: string }; ledger?: { status: string } }[] = [];
    for (const [account, status] of [['r-1', 1], ['Ｒ-1', 1], ['R-1', 0]] as const) {
      const r = await cli(['issue', '--period', '2026-11', '--format', 'ndjson', '--ledger', ledger,
        writeNdjson(work, `${n++}.ndjson`, [snap(account, '2026-11', account === 'R-1' ? 25 : 30)])]);
      expect(r.status).toBe(status);
      rows.push(JSON.parse(r.stdout.trimEnd()) as (typeof rows)[number]);
    }
    expect(rows.map((x) => x.error?.message ?? x.ledger?.status)).toEqual([
      'account "r-1" is the account "R-1" already issued for 2026-11, written differently (the same account key); issue it as "R-1"; nothing was recorded for this account',
      'account "Ｒ-1" is the account "R-1" already issued for 2026-11, written differently (the same account key); issue it as "R-1"; nothing was recorded for this account',
      'unchanged',
    ]);
    expect(rows[0]!.error!.code).toBe('ACCOUNT_KEY_CONFLICT');
    expect(entryCount(ledger)).toBe(1);
  });
});
