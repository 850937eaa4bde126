/**
 * The ledger under faults, through the command line as a user runs it:
 * kill -9 at several points of a 4,000-snapshot run (30,000 in a soak) (a seam that makes the
 * process SIGKILL itself, and a real kill from outside), two runs at once,
 * files that cannot be used (not SQLite, a newer schema, read-only, a full
 * disk), and rows changed behind the program's back. Assertions are on the
 * state left behind: entry counts, never times.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePortfolio } from '../bench/generate.js';
import { BATCH_RECORDS } from '../src/run/batches.js';
import { entryCount, snap, writeNdjson } from './support/ledger.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

const work = tempDir('rc-ledger-faults-');
const CLI = 'bin/reseller-credits.js';
let n = 0;
const fresh = (name: string) => join(work, `${n++}-${name}`);

/** A real process, for the kill tests (the fault seam makes the process SIGKILL itself). */
function spawnCli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI without waiting; resolves with its end. */
function cliAsync(args: string[], env: Record<string, string> = {}, onStderr?: (text: string) => void) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; onStderr?.(stderr); });
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, done, out: () => stdout };
}

/** The CLI in this process (test/support/run-cli.ts), for everything that needs no process of its own. */
const cli = (args: string[]) => runCli(args);
/** `ledger init` (issue never creates a ledger); returns the path */
const init = async (ledger: string) => { expect((await cli(['ledger', 'init', ledger])).status).toBe(0); return ledger; };

// 4,000 snapshots on every run: 16 batches of 250 (BATCH_RECORDS) over both
// workers, so every kill point but the first falls inside a transaction that
// already holds records of several batches from both workers, as at 10,000 or
// 30,000 (what is asserted, all of the run or none of it, does not depend on
// the size beyond that). RC_STRESS_ROUNDS set (a soak) runs the 30,000 of
// issue 9, as was done for it.
const BIG = process.env.RC_STRESS_ROUNDS ? 30_000 : 4_000;
const HALF = BIG / 2;
let big = '';
let small = '';

beforeAll(async () => {
  big = join(work, 'big.ndjson');
  await generatePortfolio({ count: BIG, seed: 7, out: big, period: '2026-11' });
  small = join(work, 'small.ndjson');
  await generatePortfolio({ count: 2000, seed: 8, out: small, period: '2026-11' });
}, 300_000);

describe('kill -9 during a large issue run: all of the run or none', () => {
  // one ledger through every point: each killed run must leave it exactly as it was
  const ledger = join(work, 'kill.sqlite');
  beforeAll(() => init(ledger));
  const points: [string, string, number][] = [
    ['after the first record', 'after:1', 0],
    [`after ${HALF.toLocaleString('en-US')} records`, `after:${HALF}`, 0],
    ['just before the commit (every record written)', 'before-commit', 0],
    ['just after the commit', 'after-commit', BIG],
  ];
  it('the run spans several batches on each worker, the half point several batches in', () => {
    expect(BIG / BATCH_RECORDS).toBeGreaterThanOrEqual(16);
    expect(HALF / BATCH_RECORDS).toBeGreaterThanOrEqual(8);
  });

  for (const [name, fault, expected] of points) {
    it(`killed ${name}: ${expected} entries`, () => {
      const r = spawnCli(['issue', '--period', '2026-11', '--format', 'csv', '--jobs', '2', '--ledger', ledger, big], { RESELLER_CREDITS_FAULT: fault });
      expect(r.signal).toBe('SIGKILL');
      expect(existsSync(ledger)).toBe(true);
      expect(entryCount(ledger)).toBe(expected);
    }, 600_000);
  }

  it('after the kills the ledger verifies and a re-run finds every account unchanged', async () => {
    const again = await cli(['issue', '--period', '2026-11', '--format', 'csv', '--jobs', '2', '--ledger', ledger, big]);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain(`0 issued, ${BIG} unchanged, 0 adjusted, 0 error(s)`);
    expect(entryCount(ledger)).toBe(BIG);
  }, 600_000);

  it('killed from outside while it spools its output: nothing printed, none of it recorded, the earlier period intact', async () => {
    const ledger = await init(fresh('ext.sqlite'));
    // a first period already in the ledger must survive untouched
    const nov = writeNdjson(work, `${n++}.ndjson`, [snap('R-KEEP', '2026-10', 25)]);
    expect((await cli(['issue', '--period', '2026-10', '--ledger', ledger, nov])).status).toBe(0);
    // the run spools its output in a temporary folder of its own: kill once a quarter of the records
    // are spooled (several batches), which are inside the open transaction
    const tmp = fresh('spool-tmp');
    mkdirSync(tmp);
    const run = cliAsync(['issue', '--period', '2026-11', '--format', 'csv', '--jobs', '2', '--ledger', ledger, big], { TMPDIR: tmp });
    // (the output spool only: the run's other temporary files are folders of their own)
    const spooledLines = () => readdirSync(tmp, { withFileTypes: true }).filter((f) => f.isFile())
      .reduce((t, f) => t + readFileSync(join(tmp, f.name), 'utf8').split('\n').length - 1, 0);
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (spooledLines() > BIG / 4) { clearInterval(t); run.child.kill('SIGKILL'); resolve(); }
      }, 5);
    });
    const r = await run.done;
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).toBe('');
    expect(entryCount(ledger)).toBe(1);
    expect((await cli(['ledger', 'verify', '--ledger', ledger])).status).toBe(0);
  }, 600_000);
});

describe('two issue runs at once', () => {
  it('two periods, and the same period twice: both complete, nothing doubled or lost', async () => {
    const ledger = await init(fresh('two.sqlite'));
    const dec = join(work, 'dec.ndjson');
    writeFileSync(dec, readFileSync(small, 'utf8').replaceAll('"period":"2026-11"', '"period":"2026-12"'));
    const runs = [
      cliAsync(['issue', '--period', '2026-11', '--format', 'csv', '--ledger', ledger, small]),
      cliAsync(['issue', '--period', '2026-12', '--format', 'csv', '--ledger', ledger, dec]),
      cliAsync(['issue', '--period', '2026-11', '--format', 'csv', '--ledger', ledger, small]),
    ];
    const rs = await Promise.all(runs.map((r) => r.done));
    for (const r of rs) expect(r.status, r.stderr).toBe(0);
    expect(entryCount(ledger)).toBe(4000);
    const nov = [rs[0]!, rs[2]!].map((r) => /(\d+) issued, (\d+) unchanged/.exec(r.stderr)!.slice(1).map(Number));
    // one of the two November runs issued all 2000, the other found them all unchanged
    expect(nov.map(([i]) => i).sort()).toEqual([0, 2000]);
    expect(nov.map(([, u]) => u).sort()).toEqual([0, 2000]);
    const v = await cli(['ledger', 'verify', '--ledger', ledger]);
    expect(v.status, v.stdout).toBe(0);
    expect(v.stdout).toContain('4000 entries verified, 0 problem(s)');
  }, 600_000);

  it('a run that finds the ledger busy says so, waits, and completes when the other finishes', async () => {
    const ledger = await init(fresh('busy.sqlite'));
    const one = writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-11', 25)]);
    expect((await cli(['issue', '--period', '2026-11', '--ledger', ledger, one])).status).toBe(0);
    const holder = new Database(ledger);
    holder.exec('BEGIN IMMEDIATE'); // another writer holds the ledger
    let released = false;
    const two = writeNdjson(work, `${n++}.ndjson`, [snap('R-2', '2026-11', 25)]);
    const run = cliAsync(['issue', '--period', '2026-11', '--ledger', ledger, two], {}, (err) => {
      if (!released && err.includes('is busy')) { released = true; holder.exec('COMMIT'); holder.close(); }
    });
    const r = await run.done;
    expect(r.stderr).toMatch(/ledger .*busy\.sqlite is busy .*waiting up to 600 s/);
    expect(r.status).toBe(0);
    expect(entryCount(ledger)).toBe(2);
  });

  it('--wait runs out: exit 2, nothing written', async () => {
    const ledger = await init(fresh('busy2.sqlite'));
    const one = writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-11', 25)]);
    expect((await cli(['issue', '--period', '2026-11', '--ledger', ledger, one])).status).toBe(0);
    const holder = new Database(ledger);
    holder.exec('BEGIN IMMEDIATE');
    const two = writeNdjson(work, `${n++}.ndjson`, [snap('R-2', '2026-11', 25)]);
    const r = await cliAsync(['issue', '--period', '2026-11', '--wait', '1', '--ledger', ledger, two]).done;
    holder.exec('ROLLBACK');
    holder.close();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${ledger}: ledger still busy after 1 s`);
    expect(entryCount(ledger)).toBe(1);
  });
});

describe('a ledger that cannot be used: exit 2, the file named, nothing written', () => {
  const one = () => writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-11', 25)]);

  it('not an SQLite file', async () => {
    const ledger = fresh('notes.sqlite');
    writeFileSync(ledger, 'these are my notes, not a database\n'.repeat(100));
    const before = readFileSync(ledger);
    for (const args of [['issue', '--period', '2026-11', '--ledger', ledger, one()], ['ledger', 'show', '--ledger', ledger], ['ledger', 'verify', '--ledger', ledger]]) {
      const r = await cli(args);
      expect(r.status, args[0]).toBe(2);
      expect(r.stderr).toContain(`${ledger}: not a ledger: not an SQLite database; nothing was written`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    expect(readFileSync(ledger).equals(before)).toBe(true);
  });

  it('an SQLite database from a newer schema version', async () => {
    const ledger = fresh('newer.sqlite');
    const db = new Database(ledger);
    db.pragma('user_version = 7');
    db.close();
    const r = await cli(['issue', '--period', '2026-11', '--ledger', ledger, one()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${ledger}: ledger has schema version 7, newer than this program's (3)`);
    const d2 = new Database(ledger, { readonly: true });
    expect(d2.prepare("SELECT COUNT(*) AS n FROM sqlite_schema").get()).toEqual({ n: 0 });
    d2.close();
    expect((await cli(['ledger', 'show', '--ledger', ledger])).status).toBe(2);
  });

  it('a read command on a missing ledger is an error and creates nothing', async () => {
    const ledger = fresh('missing.sqlite');
    for (const args of [['show'], ['export', '--period', '2026-11'], ['verify'], ['replay', 'R-1', '2026-11']]) {
      const r = await cli(['ledger', ...args, '--ledger', ledger]);
      expect(r.status, args[0]).toBe(2);
      expect(r.stderr).toContain(`${ledger}: no ledger at ${ledger} (create one with reseller-credits ledger init, or name it with --ledger)`);
    }
    expect(existsSync(ledger)).toBe(false);
  });

  // read-only and full disks are real file systems: a small tmpfs (root only; skipped elsewhere)
  const mnt = join(work, 'mnt');
  mkdirSync(mnt);
  const canMount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]).status === 0;
  if (canMount) spawnSync('umount', [mnt]);

  it.skipIf(!canMount)('a full disk: exit 2, the run rolled back, the earlier entries intact', async () => {
    const dir = fresh('full');
    mkdirSync(dir);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=600k', 'tmpfs', dir]).status).toBe(0);
    try {
      const ledger = await init(join(dir, 'ledger.sqlite'));
      expect((await cli(['issue', '--period', '2026-10', '--ledger', ledger, writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-10', 25)])])).status).toBe(0);
      const r = await cli(['issue', '--period', '2026-11', '--format', 'csv', '--ledger', ledger, small]);
      expect(r.stdout).toBe('');
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${ledger}: ledger cannot be written: the disk is full; nothing was written`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(entryCount(ledger)).toBe(1);
      const v = await cli(['ledger', 'verify', '--ledger', ledger]);
      expect(v.stdout).toContain('1 entries verified, 0 problem(s)');
    } finally {
      spawnSync('umount', [dir]);
    }
  }, 300_000);

  it.skipIf(!canMount)('a read-only file system: issue exits 2 and writes nothing', async () => {
    const dir = fresh('ro');
    mkdirSync(dir);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]).status).toBe(0);
    try {
      const ledger = await init(join(dir, 'ledger.sqlite'));
      expect((await cli(['issue', '--period', '2026-10', '--ledger', ledger, writeNdjson(work, `${n++}.ndjson`, [snap('R-1', '2026-10', 25)])])).status).toBe(0);
      expect(spawnSync('mount', ['-o', 'remount,ro', dir]).status).toBe(0);
      const size = statSync(ledger).size;
      const r = await cli(['issue', '--period', '2026-11', '--ledger', ledger, one()]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${ledger}: ledger cannot be written (read-only`);
      expect(statSync(ledger).size).toBe(size);
      // (SQLite cannot read a WAL database on a read-only file system without its -shm file: count after remounting)
      expect(spawnSync('mount', ['-o', 'remount,rw', dir]).status).toBe(0);
      expect(entryCount(ledger)).toBe(1);
    } finally {
      spawnSync('umount', [dir]);
    }
  });
});
