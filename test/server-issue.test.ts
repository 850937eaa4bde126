/**
 * Issuing over HTTP (SPEC §9, §13) on a real port: Idempotency-Key kept in
 * the ledger's run entry with the body's sha256 — the same key and body
 * answer the first answer byte for byte and issue nothing more, another body
 * is 422, a key still running is 409 — the token's principal recorded as the
 * operator, reads answered while a run is open, and `ledger verify` clean
 * after it all. Every answer checked against the served OpenAPI document.
 */
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker, client, trickle } from './support/service.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

const ROOT = resolve('.');
const { startService } = await import(join(ROOT, 'dist/server/start.js'));
const { readTokens } = await import(join(ROOT, 'dist/server/tokens.js'));
const { resolveLimits } = await import(join(ROOT, 'dist/index.js'));

const work = tempDir('rc-service-issue-');
const rulesDir = join(work, 'rules');
cpSync(join(ROOT, 'rules'), rulesDir, { recursive: true });
const ledger = join(work, 'ledger.sqlite');
const sha = (t: string | Buffer) => createHash('sha256').update(t).digest('hex');
const TOKENS = { issuer: 'tok-issuer-0001', rd: 'tok-read-0002' };
const tokensFile = join(work, 'tokens.yaml');
writeFileSync(tokensFile, `tokens:
  - { principal: invoicing-job, sha256: ${sha(TOKENS.issuer)}, roles: [issue, read] }
  - { principal: finance-reader, sha256: ${sha(TOKENS.rd)}, roles: [read] }
`);
const NDJSON = readFileSync(join(ROOT, 'examples/portfolio.ndjson'), 'utf8');
const LINES = NDJSON.split('\n').filter(Boolean);

let service: { app: { close(): Promise<void> }; url: string };
let checker: ContractChecker;
let call: ReturnType<typeof client>;
const issue = (key: string | undefined, body = NDJSON, token = TOKENS.issuer) => call('POST', '/v1/periods/2026-11/issue', {
  body, type: 'application/x-ndjson', token, headers: key === undefined ? {} : { 'idempotency-key': key },
});
const entryCount = async () => (await call('GET', '/v1/ledger/entries', { token: TOKENS.rd })).json.length as number;

beforeAll(async () => {
  const init = await runCli(['ledger', 'init', ledger]);
  expect(init.status, init.stderr).toBe(0);
  service = await startService({
    rulesDir, ledger, tokens: readTokens(tokensFile), limits: resolveLimits(), jobs: 1,
    body: { maxBytes: 64 * 1024, timeoutMs: 2000 }, maxConcurrent: 8, readyEverySeconds: 0, issueBodyBytes: 64 * 1024,
  }, { host: '127.0.0.1', port: 0, shutdownTimeoutMs: 5000 }, false);
  checker = new ContractChecker(await (await fetch(`${service.url}/openapi.json`)).json());
  call = client(service.url, checker);
});
afterAll(async () => { await service?.app.close(); });

describe('issue over HTTP', () => {
  it('needs an Idempotency-Key (400), well formed (400), and the issue role (403)', async () => {
    const none = await issue(undefined);
    expect(none.status).toBe(400);
    expect(none.json.code).toBe('IDEMPOTENCY_KEY_MISSING');
    expect((await issue('has spaces, no quotes')).status).toBe(400);
    expect((await issue('x'.repeat(256))).status).toBe(400);
    expect((await issue('k-forbidden', NDJSON, TOKENS.rd)).status).toBe(403);
    const json = await call('POST', '/v1/periods/2026-11/issue', { body: `[${LINES[0]}]`, type: 'application/json', token: TOKENS.issuer, headers: { 'idempotency-key': 'k-json' } });
    expect(json.status).toBe(415);
    expect(await entryCount()).toBe(0);
  });

  let first: { text: string; json: any };
  it('issues after its commit: the run entry names the operator, the key and the body\'s sha256', async () => {
    const a = await issue('"month 2026-11, try 1"');
    expect(a.status).toBe(200);
    first = a;
    expect(a.json.run).toMatchObject({
      kind: 'run', period: '2026-11', operator: 'invoicing-job', idempotencyKey: 'month 2026-11, try 1', requestSha256: sha(NDJSON),
      counts: { issued: LINES.length, unchanged: 0, adjusted: 0, errors: 0 },
    });
    expect(a.json.entries).toHaveLength(LINES.length);
    expect(a.json.entries.every((e: { runId: string }) => e.runId === a.json.run.runId)).toBe(true);
    expect(await entryCount()).toBe(LINES.length);
  });

  it('the same key and body: the first answer byte for byte, nothing issued again', async () => {
    const again = await issue('"month 2026-11, try 1"');
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await entryCount()).toBe(LINES.length);
  });

  it('the same key with another body: 422, nothing issued', async () => {
    const other = await issue('"month 2026-11, try 1"', LINES.slice(0, 3).join('\n') + '\n');
    expect(other.status).toBe(422);
    expect(other.json.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await entryCount()).toBe(LINES.length);
  });

  it('a new key with the same snapshots: a new run, every account unchanged, no entry written', async () => {
    const b = await issue('month-2026-11-try-2');
    expect(b.status).toBe(200);
    expect(b.json.run.counts).toEqual({ issued: 0, unchanged: LINES.length, adjusted: 0, errors: 0 });
    expect(b.json.entries).toEqual([]);
    expect(b.json.run.runId).not.toBe(first.json.run.runId);
  });

  it('the same key while its run is still running: 409; reads are answered meanwhile', async () => {
    const changed = LINES.map((l) => l.replace('"2026-11"', '"2026-11"')).join('\n').replace(/"quantity":4,/, '"quantity":5,');
    const t = trickle(service.url, '/v1/periods/2026-11/issue', {
      'content-type': 'application/x-ndjson', authorization: `Bearer ${TOKENS.issuer}`, 'idempotency-key': 'held-open',
    });
    await t.write(changed.slice(0, 500));
    await new Promise((r) => setTimeout(r, 100));
    const clash = await issue('held-open', changed + '\n');
    expect(clash.status).toBe(409);
    expect(clash.json.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect((await call('GET', '/v1/ledger/entries?period=2026-11', { token: TOKENS.rd })).status).toBe(200);
    await t.write(changed.slice(500) + '\n');
    const done = await t.end();
    expect(done.status).toBe(200);
    const run = JSON.parse(done.text).run;
    expect(run.counts.adjusted).toBe(1);
    expect(run.counts.unchanged).toBe(LINES.length - 1);
  });

  it('a body over the issue limit: 413, nothing spooled or issued', async () => {
    const big = `${Array(20).fill(NDJSON).join('')}`;
    const before = await entryCount();
    const a = await issue('too-big', big);
    expect(a.status).toBe(413);
    expect(a.json.code).toBe('BODY_TOO_LARGE');
    expect(await entryCount()).toBe(before);
    expect((await issue('too-big', NDJSON)).status).toBe(200); // the key was not used
  });

  it('a snapshot with errors is counted in the run, not recorded', async () => {
    const a = await issue('with-a-bad-line', `${LINES[0]}\n{"schemaVersion": 1, "account": \n`);
    expect(a.status).toBe(200);
    expect(a.json.run.counts.errors).toBe(1);
  });

  it('leaves a ledger that verifies, run entries included', async () => {
    const v = await call('GET', '/v1/ledger/verify', { token: TOKENS.rd });
    expect(v.json.problems).toEqual([]);
    const cli = await runCli(['--rules-dir', rulesDir, 'ledger', 'verify', '--ledger', ledger]);
    expect(cli.status, cli.stdout + cli.stderr).toBe(0);
  });
});
