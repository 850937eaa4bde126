/**
 * The two Stripe loaders of docs/invoicing.md (examples/invoicing/: a Node
 * script using fetch, and curl + jq) run against a real HTTP server on a real
 * port that answers as Stripe's balance transaction endpoint does, including
 * its idempotency: a request with a key seen before gets the first answer and
 * creates nothing. Checked: path, auth, Idempotency-Key, the form body as
 * Stripe's API takes it, and that replaying the file twice posts once.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Async: the HTTP server answers in this process, so the child must not block its event loop. */
const run = promisify(execFile);
const GOLDEN = resolve('test/fixtures/exports/portfolio.stripe.ndjson');
const lines = readFileSync(GOLDEN, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const created = new Map<string, { path: string; form: Record<string, string> }>();
const seen: { key: string; auth: string; type: string }[] = [];
let base = '';
const server = createServer((req: IncomingMessage, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const key = String(req.headers['idempotency-key'] ?? '');
    seen.push({ key, auth: String(req.headers.authorization ?? ''), type: String(req.headers['content-type'] ?? '') });
    const m = /^\/v1\/customers\/(cus_[A-Za-z0-9]+)\/balance_transactions$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) { res.writeHead(404).end('{}'); return; }
    if (!created.has(key)) created.set(key, { path: req.url!, form: Object.fromEntries(new URLSearchParams(body)) });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `cbtxn_${key.slice(0, 8)}`, object: 'customer_balance_transaction' }));
  });
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function check(): void {
  expect(created.size).toBe(lines.length);
  for (const l of lines) {
    const c = created.get(l.idempotencyKey)!;
    expect(c.path).toBe(l.path);
    expect(c.form).toEqual({
      amount: String(l.body.amount), currency: l.body.currency, description: l.body.description,
      'metadata[entry]': l.body.metadata.entry, 'metadata[account]': l.body.metadata.account, 'metadata[period]': l.body.metadata.period,
      'metadata[rules]': l.body.metadata.rules, 'metadata[rulesSha256]': l.body.metadata.rulesSha256,
    });
  }
}

describe('loading the Stripe export', () => {
  it('the Node fetch script: every request once, keyed; a second replay creates nothing', async () => {
    created.clear(); seen.length = 0;
    for (let i = 0; i < 2; i++) {
      const { stdout: out } = await run(process.execPath, ['examples/invoicing/stripe-replay.mjs', GOLDEN], { env: { ...process.env, STRIPE_API_BASE: base, STRIPE_SECRET_KEY: 'sk_test_x' }, encoding: 'utf8' });
      expect(out.trim().split('\n')).toHaveLength(lines.length);
      expect(out).toMatch(/^200 P-001 -78400 usd cbtxn_/);
    }
    check();
    expect(seen).toHaveLength(2 * lines.length);
    for (const s of seen) expect(s).toMatchObject({ auth: 'Bearer sk_test_x', type: expect.stringMatching(/^application\/x-www-form-urlencoded/) });
  });

  it.skipIf(!existsSync('/usr/bin/jq') || !existsSync('/usr/bin/curl'))('curl + jq: the same requests', async () => {
    created.clear(); seen.length = 0;
    await run('bash', ['examples/invoicing/stripe-replay.sh', GOLDEN], { env: { ...process.env, STRIPE_API_BASE: base, STRIPE_SECRET_KEY: 'sk_test_x' }, encoding: 'utf8' });
    check();
    for (const s of seen) expect(s.auth).toBe(`Basic ${Buffer.from('sk_test_x:').toString('base64')}`);
  });
});
