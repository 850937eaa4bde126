/**
 * Signed issue runs over HTTP (SPEC §11, §13): a server started with an
 * issue key made by `ssh-keygen` signs every run entry before its commit,
 * with the key's principal as the operator and the caller's principal named
 * in the run's input; the CLI's `ledger verify --signers` checks the chain —
 * a run that issued and a repeat that recorded nothing — and fails for a key
 * the verifier does not trust. A server without a key refuses to issue on a
 * ledger that holds a signed run (no silent downgrade). And `serve
 * --sign-key` as a process, verified the same way.
 */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker, client } from './support/service.js';
import { runCli } from './support/run-cli.js';
import { makeKey, type TestKey } from './support/ssh.js';
import { copyRules, signedFolder } from './support/signed-folder.js';
import { tempDir } from './support/temp.js';

const ROOT = resolve('.');
const { startService } = await import(join(ROOT, 'dist/server/start.js'));
const { readTokens } = await import(join(ROOT, 'dist/server/tokens.js'));
const { resolveLimits } = await import(join(ROOT, 'dist/index.js'));

const work = tempDir('rc-service-signed-');
let rulesDir: string;
const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const TOKEN = 'tok-issuer-0001';
const tokensFile = join(work, 'tokens.yaml');
writeFileSync(tokensFile, `tokens:\n  - { principal: invoicing-job, sha256: ${sha(TOKEN)}, roles: [issue, read] }\n`);
const NDJSON = readFileSync(join(ROOT, 'examples/portfolio.ndjson'), 'utf8');
const signers = join(work, 'allowed_signers');
let ops: TestKey;
let stranger: TestKey;

type Service = { app: { close(): Promise<void> }; url: string };
const running: Service[] = [];
async function start(ledger: string, sign?: { key: string; principal: string }): Promise<ReturnType<typeof client>> {
  const s: Service = await startService({
    rulesDir, ledger, tokens: readTokens(tokensFile), limits: resolveLimits(), jobs: 1, sign,
    body: { maxBytes: 64 * 1024, timeoutMs: 2000 }, maxConcurrent: 8, readyEverySeconds: 0,
  }, { host: '127.0.0.1', port: 0, shutdownTimeoutMs: 5000 }, false);
  running.push(s);
  return client(s.url, new ContractChecker(await (await fetch(`${s.url}/openapi.json`)).json()));
}
const issue = (call: ReturnType<typeof client>, key: string, body = NDJSON) => call('POST', '/v1/periods/2026-11/issue', {
  body, type: 'application/x-ndjson', token: TOKEN, headers: { 'idempotency-key': key },
});
const verify = (ledger: string) => runCli(['--rules-dir', rulesDir, '--signers', signers, 'ledger', 'verify', '--ledger', ledger]);
async function freshLedger(name: string): Promise<string> {
  const file = join(work, name);
  expect((await runCli(['ledger', 'init', file])).status).toBe(0);
  return file;
}

beforeAll(async () => {
  // a rules folder with signed approvals (so the process below can run with --signers), and security's
  // allowed_signers file with the operator's issue key added
  const f = await signedFolder();
  rulesDir = copyRules(f, 'service');
  ops = makeKey(work, 'ops', 'ed25519');
  stranger = makeKey(work, 'stranger', 'ed25519');
  writeFileSync(signers, `${readFileSync(f.signers, 'utf8')}ops namespaces="reseller-credits-issue" ${ops.pub}\n`);
}, 120_000);
afterAll(async () => { for (const s of running) await s.app.close(); });

describe('a server with an issue key', () => {
  it('signs each run as the key\'s principal, names the caller, and `ledger verify --signers` passes — a repeat that records nothing included', async () => {
    const ledger = await freshLedger('signed.sqlite');
    const call = await start(ledger, { key: ops.file, principal: 'ops' });
    const a = await issue(call, 'month-1');
    expect(a.status, a.text).toBe(200);
    expect(a.json.run.operator).toBe('ops');
    expect(a.json.run.inputs).toEqual([{ name: 'request body from invoicing-job', sha256: sha(NDJSON) }]);
    expect(a.json.run.counts.issued).toBe(12);
    let v = await verify(ledger);
    expect(v.status, v.stderr + v.stdout).toBe(0);
    expect(v.stdout).toMatch(new RegExp(`last signed run: ${a.json.run.runId} by ops at `));
    // the same body under a new key: nothing to record, but the key is kept in a (signed) run entry
    const b = await issue(call, 'month-1-again');
    expect(b.status).toBe(200);
    expect(b.json.entries).toEqual([]);
    expect(b.json.run).toMatchObject({ first: '', last: '', counts: { issued: 0, unchanged: 12 } });
    v = await verify(ledger);
    expect(v.status, v.stderr + v.stdout).toBe(0);
    expect(v.stdout).toContain('14 entries verified, 0 problem(s)'); // 12 issue entries and two run entries
    expect(v.stdout).toContain(`last signed run: ${b.json.run.runId} by ops at ${b.json.run.recordedAt}, 0 entries`);
    // the same key and body again: the first answer, byte for byte, nothing more signed or written
    const c = await issue(call, 'month-1');
    expect(c.text).toBe(a.text);
    expect(c.headers.get('idempotent-replayed')).toBe('true');
  });

  it('a key the verifier does not trust signs, but `ledger verify --signers` fails naming the run', async () => {
    const ledger = await freshLedger('stranger.sqlite');
    const call = await start(ledger, { key: stranger.file, principal: 'ops' });
    const a = await issue(call, 'k-1');
    expect(a.status).toBe(200);
    const v = await verify(ledger);
    expect(v.status).toBe(1);
    expect(v.stderr + v.stdout).toContain(`run ${a.json.run.runId}`);
  });

  it('a server without a key refuses to issue on a ledger with a signed run (503 SIGNERS_REQUIRED); nothing written', async () => {
    const ledger = await freshLedger('downgrade.sqlite');
    const signed = await start(ledger, { key: ops.file, principal: 'ops' });
    expect((await issue(signed, 'first')).status).toBe(200);
    const unsigned = await start(ledger);
    const before = (await unsigned('GET', '/v1/ledger/entries', { token: TOKEN })).json.length;
    const refused = await issue(unsigned, 'second', NDJSON.split('\n').slice(0, 2).join('\n').replace(/P-00/g, 'Q-00'));
    expect(refused.status).toBe(503);
    expect(refused.json.code).toBe('SIGNERS_REQUIRED');
    expect(refused.json.detail).toContain('--sign-key');
    expect((await unsigned('GET', '/v1/ledger/entries', { token: TOKEN })).json).toHaveLength(before);
  });

  it('a key ssh-keygen cannot sign with: 503 SIGN_FAILED, the run rolled back, nothing recorded', async () => {
    const ledger = await freshLedger('no-key.sqlite');
    const call = await start(ledger, { key: join(work, 'no-such-key'), principal: 'ops' });
    const a = await issue(call, 'k-1');
    expect(a.status).toBe(503);
    expect(a.json.code).toBe('SIGN_FAILED');
    expect(a.json.detail).not.toContain(work);
    expect((await call('GET', '/v1/ledger/entries', { token: TOKEN })).json).toEqual([]);
  });
});

describe('serve --sign-key as a process', () => {
  it('signs the runs it issues; `ledger verify --signers` passes; --principal without --sign-key is refused', async () => {
    const ledger = await freshLedger('process.sqlite');
    const child = spawn(process.execPath, [join(ROOT, 'bin/reseller-credits.js'), '--rules-dir', rulesDir, '--signers', signers, 'serve', '--port', '0',
      '--ledger', ledger, '--tokens', tokensFile, '--sign-key', ops.file], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const url = await new Promise<string>((res, rej) => {
        createInterface({ input: child.stderr! }).on('line', (l) => { const m = /serving (http:\/\/\S+)/.exec(l); if (m) res(m[1]!); });
        child.once('exit', (code) => rej(new Error(`serve exited ${code}`)));
      });
      // the principal comes from the verifier's file (the key is listed once), as `issue --sign-key` finds it
      const call = client(url, new ContractChecker(await (await fetch(`${url}/openapi.json`)).json()));
      const a = await issue(call, 'proc-1');
      expect(a.status, a.text).toBe(200);
      expect(a.json.run.operator).toBe('ops');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exit).toBe(0);
    const v = await verify(ledger);
    expect(v.status, v.stderr + v.stdout).toBe(0);
    const bad = await runCli(['serve', '--port', '0', '--principal', 'ops']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--principal is for signed runs');
  });
});
