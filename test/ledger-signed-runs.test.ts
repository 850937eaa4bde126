/**
 * Signed issue runs (SPEC §11) through the commands: `issue --sign-key`
 * ends each run that records anything with a run entry signed by the
 * operator (ssh-keygen, a key with the issue role); `ledger verify` with
 * signers checks every run signature and that every entry lies inside a
 * signed run, so an entry appended by hand is caught without a kept head.
 * With signers, an unsigned or wrongly signed run is refused and rolled
 * back; without them, a ledger holding a signed run refuses unsigned runs.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { makeKey, type TestKey } from './support/ssh.js';
import { signedFolder, type SignedFolder } from './support/signed-folder.js';
import { tempDir } from './support/temp.js';

let f: SignedFolder;
let ops: TestKey;
let env: Record<string, string>;
beforeAll(async () => {
  f = await signedFolder();
  ops = makeKey(f.base, 'ops', 'ed25519');
  const signers = join(f.base, 'signers-ops');
  writeFileSync(signers, `${readFileSync(f.signers, 'utf8')}ops namespaces="reseller-credits-issue" ${ops.pub}\n`);
  env = { RESELLER_CREDITS_SIGNERS: signers };
}, 120_000);

const SEED = 'examples/seed-px2.yaml';
const cli = (args: string[], e: Record<string, string> = env) => runCli(['--rules-dir', f.rules, ...args], { env: e });
async function ledgerWithOneSignedRun(): Promise<string> {
  const file = join(tempDir('rc-signed-ledger-'), 'ledger.sqlite');
  expect((await cli(['ledger', 'init', file])).status).toBe(0);
  const r = await cli(['issue', '--period', '2026-11', '--ledger', file, '--sign-key', ops.file, SEED]);
  expect(r.stderr).toMatch(/1 issued, 0 unchanged, 0 adjusted, 0 error\(s\)/);
  expect(r.status).toBe(0);
  return file;
}

describe('issue --sign-key and ledger verify --signers', () => {
  it('a signed run: verify names the last signed run; the run entry holds the operator and the inputs\' sha256', async () => {
    const file = await ledgerWithOneSignedRun();
    const v = await cli(['ledger', 'verify', '--ledger', file]);
    expect(v.stdout).toMatch(/^last signed run: \S+ by ops at \S+Z, 1 entry, head [0-9a-f]{64}\n/m);
    expect(v.stdout).toMatch(/2 entries verified, 0 problem\(s\)/);
    expect(v.status).toBe(0);
    const db = new Database(file, { readonly: true });
    const run = db.prepare("SELECT operator, signer, signature, body FROM entries WHERE kind = 'run'").get() as { operator: string; signer: string; signature: string; body: string };
    db.close();
    expect(run.operator).toBe('ops');
    expect(run.signer).toBe('ops');
    expect(run.signature).toMatch(/^-----BEGIN SSH SIGNATURE-----/);
    const body = JSON.parse(run.body) as { inputs: { name: string; sha256: string }[] };
    expect(body.inputs).toEqual([{ name: SEED, sha256: createHash('sha256').update(readFileSync(SEED)).digest('hex') }]);
  });

  it('an entry appended by hand (a correct prev and hash) is caught by verify --signers without a kept head; plain verify does not see it', async () => {
    const file = await ledgerWithOneSignedRun();
    const db = new Database(file);
    const last = db.prepare("SELECT * FROM entries WHERE kind = 'issue' ORDER BY seq DESC LIMIT 1").get() as Record<string, unknown>;
    const head = db.prepare('SELECT hash FROM entries ORDER BY seq DESC LIMIT 1').get() as { hash: string };
    const body = { ...(JSON.parse(last.body as string) as Record<string, unknown>), id: 'f'.repeat(64), account: 'R-9999', prev: head.hash };
    const keys = Object.keys(body).sort();
    const text = `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(body[k])}`).join(',')}}`;
    const hash = createHash('sha256').update(head.hash).update(text).digest('hex');
    db.prepare(`INSERT INTO entries (id, kind, account, account_key, period, n, rules_sha256, snapshot_sha256, credit, amount, statement, run_id, body, prev, hash)
      VALUES (?, 'issue', 'R-9999', 'r-9999', ?, 1, ?, ?, ?, NULL, ?, ?, ?, ?, ?)`)
      .run(body.id, last.period, last.rules_sha256, last.snapshot_sha256, last.credit, last.statement, last.run_id, text, head.hash, hash);
    db.close();
    const plain = await runCli(['--rules-dir', f.rules, 'ledger', 'verify', '--ledger', file], { env: { ...env, RESELLER_CREDITS_SIGNERS: '' } });
    expect(plain.stdout).not.toMatch(/lies inside no signed run/);
    const v = await cli(['ledger', 'verify', '--ledger', file]);
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/entry 3 \(issue ffffffffffff…\) lies inside no signed run \(appended by hand, or its run is unsigned\)/);
  });

  it('with signers, issue without --sign-key is refused (exit 2); a key without the issue role is refused and the run rolled back', async () => {
    const file = await ledgerWithOneSignedRun();
    const headOf = () => (new Database(file, { readonly: true }).prepare('SELECT COUNT(*) AS n FROM entries').get() as { n: number }).n;
    const before = headOf();
    const unsigned = await cli(['issue', '--period', '2026-11', '--ledger', file, SEED]);
    expect(unsigned.status).toBe(2);
    expect(unsigned.stderr).toMatch(/with --signers configured, issue signs its runs: give --sign-key KEY/);
    // 30 users instead of 25: an adjustment, so the run records something and must be signed
    const changed = join(tempDir('rc-seed-'), 'seed-30.yaml');
    writeFileSync(changed, readFileSync(SEED, 'utf8').replace('quantity: 25', 'quantity: 30'));
    const alice = await cli(['issue', '--period', '2026-11', '--ledger', file, '--sign-key', f.keys.alice.file, changed]);
    expect(alice.status).not.toBe(0);
    expect(alice.stderr).toMatch(/not permitted for "reseller-credits-issue"/);
    expect(headOf()).toBe(before);
  });

  it('ledger evidence writes the statement\'s bundle, which evidence verify accepts elsewhere, run signature included', async () => {
    const file = await ledgerWithOneSignedRun();
    const out = join(tempDir('rc-bundle-'), 'R-1001-2026-11');
    const w = await cli(['ledger', 'evidence', 'R-1001', '2026-11', '--ledger', file, '--out', out]);
    expect(w.status, w.stderr).toBe(0);
    expect(w.stdout).toMatch(/\(1 entry, 1 run record\(s\)\)/);
    const copy = join(tempDir('rc-auditor-'), 'copy');
    cpSync(out, copy, { recursive: true });
    const v = await runCli(['evidence', 'verify', copy], { env });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/checked runs\/[^ ]+\.json: signed by ops\n/);
    expect(v.stdout).toMatch(/the bundle verifies\n$/);
  });

  it('ledger replay names who approved the rules and who ran the issue', async () => {
    const file = await ledgerWithOneSignedRun();
    const r = await cli(['ledger', 'replay', 'R-1001', '2026-11', '--ledger', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Rules: 2026-01 has no publish-log line \(published before the log existed\)$/m);
    expect(r.stdout).toMatch(/^Run: \S+ by ops \(signed\)$/m);
  });

  it('without signers, a ledger holding a signed run refuses an unsigned run (no silent downgrade)', async () => {
    const file = await ledgerWithOneSignedRun();
    const r = await runCli(['--rules-dir', f.rules, 'issue', '--period', '2026-11', '--ledger', file, SEED], { env: { RESELLER_CREDITS_SIGNERS: '' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/this ledger's runs are signed: configure --signers/);
  });
});

/** Canonical JSON (keys sorted at every level), as the ledger hashes bodies. */
function canonical(v: unknown): string {
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}
