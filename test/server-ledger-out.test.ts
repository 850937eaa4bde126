/**
 * Credits out over HTTP (SPEC §11, §12, §13) on a real port, every answer
 * checked against the served OpenAPI document: vendor exports byte for byte
 * the CLI's golden files and recorded in the ledger, the repeat refused
 * (409) and `again`/`onlyNew`, error records for an unmapped account, a
 * server without a mapping; statements in text, HTML and PDF, the CLI's
 * bytes, chosen by `?format=` or Accept; evidence bundles as tar and zip,
 * unpacked with the system's `tar` and python3's zipfile and checked with
 * the CLI's `evidence verify`; the `decisionId` of every evaluation result,
 * stable across requests and a restart and recomputable from the answer.
 * Roles: `read` for the three, 401/403 otherwise.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker, TOKENS, client, writeTokensFile } from './support/service.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';
import { snap, writeNdjson } from './support/ledger.js';

const ROOT = resolve('.');
const { startService } = await import(join(ROOT, 'dist/server/start.js'));
const { readTokens } = await import(join(ROOT, 'dist/server/tokens.js'));
const { resolveLimits } = await import(join(ROOT, 'dist/index.js'));

const work = tempDir('rc-service-out-');
const rulesDir = join(work, 'rules');
cpSync(join(ROOT, 'rules'), rulesDir, { recursive: true });
const ledger = join(work, 'ledger.sqlite');
const mappingFile = join(work, 'mapping.yaml');
const FULL_MAPPING = readFileSync(join(ROOT, 'test/fixtures/exports/mapping.yaml'), 'utf8');
writeFileSync(mappingFile, FULL_MAPPING);
const brandingFile = join(work, 'branding.yaml');
writeFileSync(brandingFile, 'company: { name: "Northwind Billing", address: ["1 Main St", "Springfield"] }\ncolor: "#225588"\n');
const GOLDEN = (t: string) => readFileSync(join(ROOT, `test/fixtures/exports/portfolio.${t}.${t === 'xero' ? 'csv' : 'ndjson'}`), 'utf8');
const TEST_RUN = 'run-2026-11@2026-12-01T09:30:00.000Z';
const sha = (t: string | Buffer) => createHash('sha256').update(t).digest('hex');

const tokensFile = writeTokensFile(work);
const NDJSON = readFileSync(join(ROOT, 'examples/portfolio.ndjson'), 'utf8');
const LINES = NDJSON.split('\n').filter(Boolean);

type Service = { app: { close(): Promise<void> }; url: string };
let service: Service;
let call: ReturnType<typeof client>;
const options = (extra: Record<string, unknown> = {}) => ({
  rulesDir, ledger, tokens: readTokens(tokensFile), limits: resolveLimits(), jobs: 1,
  body: { maxBytes: 256 * 1024, timeoutMs: 2000 }, maxConcurrent: 8, readyEverySeconds: 0, ...extra,
});
const start = (extra: Record<string, unknown> = {}): Promise<Service> =>
  startService(options(extra), { host: '127.0.0.1', port: 0, shutdownTimeoutMs: 5000 }, false);
async function clientOf(s: Service): Promise<ReturnType<typeof client>> {
  return client(s.url, new ContractChecker(await (await fetch(`${s.url}/openapi.json`)).json()));
}
const exportsRecorded = () => {
  const db = new Database(ledger, { readonly: true });
  try {
    if (!db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'exports'").get()) return []; // before the first export
    return db.prepare('SELECT seq, target, records, again, file_sha256 AS sha FROM exports ORDER BY seq').all() as { seq: number; target: string; records: number; again: number; sha: string }[]; } finally { db.close(); }
};

beforeAll(async () => {
  expect((await runCli(['ledger', 'init', ledger])).status).toBe(0);
  const issued = await runCli(['--rules-dir', rulesDir, 'issue', '--period', '2026-11', '--ledger', ledger, join(ROOT, 'examples/portfolio.ndjson')],
    { env: { RESELLER_CREDITS_TEST_RUN: TEST_RUN } });
  expect(issued.status, issued.stderr).toBe(0);
  service = await start({ exportMapping: mappingFile, branding: brandingFile });
  call = await clientOf(service);
});
afterAll(async () => { await service?.app.close(); });

const vendor = (query: string, token = TOKENS.rd, headers: Record<string, string> = {}) => call('POST', `/v1/ledger/export?${query}`, { token, headers });

describe('POST /v1/ledger/export (vendor targets)', () => {
  it.each(['stripe', 'killbill', 'xero', 'quickbooks'])('%s: the CLI\'s golden file byte for byte, counts in X-Export-*, recorded with its sha256', async (t) => {
    const before = exportsRecorded().length;
    const a = await vendor(`period=2026-11&target=${t}`);
    expect(a.status, a.text).toBe(200);
    expect(a.text).toBe(GOLDEN(t));
    expect(a.headers.get('content-type')).toBe(t === 'xero' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    expect(a.headers.get('x-export-records')).toBe('8');
    expect(a.headers.get('x-export-zero')).toBe('4');
    expect(a.headers.get('x-export-errors')).toBe('0');
    expect(a.headers.get('x-export-total')).toBe('986.41');
    expect(a.headers.get('x-export-sha256')).toBe(sha(a.bytes!));
    const rec = exportsRecorded();
    expect(rec).toHaveLength(before + 1);
    expect(rec.at(-1)).toMatchObject({ target: t, records: 8, again: 0, sha: sha(a.bytes!) });
    expect(a.headers.get('x-export-number')).toBe(String(rec.at(-1)!.seq));
  });

  it('a repeat is refused (409 EXPORT_REPEAT, nothing recorded); again=true writes and records it; onlyNew=true writes only the others', async () => {
    const forced = await vendor('period=2026-11&target=quickbooks&again=true');
    expect(forced.status).toBe(200);
    expect(forced.text).toBe(GOLDEN('quickbooks'));
    const before = exportsRecorded().length;
    const again = await vendor('period=2026-11&target=quickbooks');
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('EXPORT_REPEAT');
    expect(again.json.detail).toMatch(/8 of the 8 statement\(s\) of 2026-11 were exported to quickbooks before .*again=true/);
    expect(exportsRecorded()).toHaveLength(before);
    const forcedAgain = await vendor('period=2026-11&target=quickbooks&again=true');
    expect(forcedAgain.text).toBe(GOLDEN('quickbooks'));
    expect(exportsRecorded().at(-1)).toMatchObject({ target: 'quickbooks', records: 8, again: 1 });

    // the 8 with a credit were exported; the 4 zero statements never were
    const onlyNew = await vendor('period=2026-11&target=quickbooks&onlyNew=true', TOKENS.adm, { accept: 'application/json' });
    expect(onlyNew.status).toBe(200);
    expect(onlyNew.json).toMatchObject({ records: 0, skipped: 8, zero: 4, export: null, content: '', errors: [] });
    expect(onlyNew.headers.get('x-export-number')).toBeNull();
    expect(exportsRecorded()).toHaveLength(before + 1);
  });

  it('an account without a mapping is an error record (Accept: application/json), the rest are written; the mapping is read at each export', async () => {
    writeFileSync(mappingFile, FULL_MAPPING.replace(/^ {2}P-002:.*\n/m, ''));
    try {
      const a = await vendor('period=2026-11&target=killbill&again=true&includeZero=true', TOKENS.rd, { accept: 'application/json' });
      expect(a.status).toBe(200);
      expect(a.json.errors).toHaveLength(1);
      expect(a.json.errors[0]).toMatchObject({ account: 'P-002', period: '2026-11', error: { code: 'EXPORT_UNMAPPED' } });
      expect(a.json.errors[0].error.message).toContain('no killbill id');
      const lines = a.json.content.trim().split('\n').map((l: string) => JSON.parse(l));
      expect(lines).toHaveLength(11); // 12 statements, zeros kept, P-002 refused
      expect(lines.map((l: any) => l.headers['X-Killbill-Comment'])).not.toContain(undefined);
      expect(a.json.sha256).toBe(sha(a.json.content));
      expect(a.headers.get('x-export-errors')).toBe('1');
      expect(exportsRecorded().at(-1)).toMatchObject({ seq: a.json.export, target: 'killbill', records: 11, sha: a.json.sha256 });
    } finally {
      writeFileSync(mappingFile, FULL_MAPPING);
    }
  });

  it('a mapping with errors, or without what the target needs, is 503 with the error records; nothing recorded', async () => {
    const before = exportsRecorded().length;
    writeFileSync(mappingFile, 'schemaVersion: 1\naccounts: { P-001: { stripe: 42 } }\nsurprise: true\n');
    try {
      const bad = await vendor('period=2026-11&target=stripe&again=true');
      expect(bad.status).toBe(503);
      expect(bad.json.errors.length).toBeGreaterThan(0);
      writeFileSync(mappingFile, FULL_MAPPING.replace(/^xero:.*\n/m, ''));
      const noXero = await vendor('period=2026-11&target=xero&again=true');
      expect(noXero.status).toBe(503);
      expect(noXero.json.code).toBe('EXPORT_UNMAPPED');
    } finally {
      writeFileSync(mappingFile, FULL_MAPPING);
    }
    expect(exportsRecorded()).toHaveLength(before);
  });

  it('refuses bad parameters (400), no token (401), a token without `read` (403); GET stays the generic export', async () => {
    expect((await vendor('period=2026-11&target=sap')).status).toBe(400);
    expect((await vendor('period=2026-13&target=stripe')).status).toBe(400);
    expect((await vendor('target=stripe')).status).toBe(400);
    expect((await call('POST', '/v1/ledger/export?period=2026-11&target=stripe')).status).toBe(401);
    const forbidden = await vendor('period=2026-11&target=stripe', TOKENS.ev);
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.detail).toContain('"read"');
    expect((await call('GET', '/v1/ledger/export?period=2026-11&target=stripe', { token: TOKENS.rd })).status).toBe(400);
    const generic = await call('GET', '/v1/ledger/export?period=2026-11', { token: TOKENS.rd });
    expect(generic.status).toBe(200);
  });
});

describe('GET /v1/ledger/statements/{account}/{period}', () => {
  const cliStatement = async (format: string) => {
    const out = join(work, `statement-${format}`);
    const r = await runCli(['--rules-dir', rulesDir, 'ledger', 'statement', 'P-001', '2026-11', '--ledger', ledger, '--format', format, '--branding', brandingFile, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    return readFileSync(out);
  };

  it.each([['text', 'text/plain; charset=utf-8'], ['html', 'text/html; charset=utf-8'], ['pdf', 'application/pdf']])('%s: the bytes `ledger statement --format` writes', async (format, type) => {
    const a = await call('GET', `/v1/ledger/statements/P-001/2026-11?format=${format}`, { token: TOKENS.rd });
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe(type);
    expect(a.bytes!.equals(await cliStatement(format))).toBe(true);
    if (format === 'text') expect(a.text).toContain('Northwind Billing');
    if (format === 'pdf') expect(a.bytes!.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('without ?format= the Accept header chooses; the default is text', async () => {
    const pdf = await call('GET', '/v1/ledger/statements/P-001/2026-11', { token: TOKENS.rd, headers: { accept: 'application/pdf' } });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.bytes!.equals(await cliStatement('pdf'))).toBe(true);
    const html = await call('GET', '/v1/ledger/statements/P-001/2026-11', { token: TOKENS.rd, headers: { accept: 'text/html,application/xhtml+xml;q=0.9' } });
    expect(html.text).toMatch(/^<!DOCTYPE html>/i);
    const plain = await call('GET', '/v1/ledger/statements/P-001/2026-11', { token: TOKENS.rd, headers: { accept: '*/*' } });
    expect(plain.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('404 for an account-period with nothing issued, 400 for a bad format or period, 401/403 without `read`', async () => {
    for (const path of ['/v1/ledger/statements/P-999/2026-11', '/v1/ledger/statements/P-001/2026-10']) {
      const a = await call('GET', path, { token: TOKENS.rd });
      expect(a.status).toBe(404);
      expect(a.json.code).toBe('LEDGER_NOT_FOUND');
    }
    expect((await call('GET', '/v1/ledger/statements/P-001/2026-11?format=docx', { token: TOKENS.rd })).status).toBe(400);
    expect((await call('GET', '/v1/ledger/statements/P-001/11-2026', { token: TOKENS.rd })).status).toBe(400);
    expect((await call('GET', '/v1/ledger/statements/P-001/2026-11')).status).toBe(401);
    expect((await call('GET', '/v1/ledger/statements/P-001/2026-11', { token: TOKENS.ev })).status).toBe(403);
  });
});

describe('GET /v1/ledger/evidence/{account}/{period}', () => {
  const files = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name).slice(dir.length + 1)).sort();

  it('tar: unpacked with the system tar, the same files as `ledger evidence`, and `evidence verify` passes; a changed byte fails it', async () => {
    const a = await call('GET', '/v1/ledger/evidence/P-003/2026-11', { token: TOKENS.rd });
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe('application/x-tar');
    expect(a.headers.get('content-disposition')).toBe('attachment; filename="evidence-P-003-2026-11.tar"');
    const into = join(work, 'unpacked-tar');
    mkdirSync(into);
    writeFileSync(join(work, 'bundle.tar'), a.bytes!);
    execFileSync('tar', ['-xf', join(work, 'bundle.tar'), '-C', into]);
    expect(readdirSync(into)).toEqual(['evidence-P-003-2026-11']);
    const bundle = join(into, 'evidence-P-003-2026-11');
    const viaCli = join(work, 'evidence-cli');
    const made = await runCli(['--rules-dir', rulesDir, 'ledger', 'evidence', 'P-003', '2026-11', '--ledger', ledger, '--out', viaCli]);
    expect(made.status, made.stderr).toBe(0);
    expect(files(bundle)).toEqual(files(viaCli));
    expect(readFileSync(join(bundle, 'MANIFEST.sha256'), 'utf8')).toBe(readFileSync(join(viaCli, 'MANIFEST.sha256'), 'utf8'));
    const verified = await runCli(['evidence', 'verify', bundle]);
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('the bundle verifies');
    const snap = files(bundle).find((f) => f.startsWith('snapshots/'))!;
    writeFileSync(join(bundle, snap), readFileSync(join(bundle, snap), 'utf8').replace('P-003', 'P-033'));
    expect((await runCli(['evidence', 'verify', bundle])).status).toBe(1);
  });

  it('zip (by ?format= or Accept): unpacked with python3\'s zipfile, `evidence verify` passes', async () => {
    for (const [query, headers] of [['?format=zip', {}], ['', { accept: 'application/zip' }]] as const) {
      const a = await call('GET', `/v1/ledger/evidence/P-003/2026-11${query}`, { token: TOKENS.adm, headers });
      expect(a.status).toBe(200);
      expect(a.headers.get('content-type')).toBe('application/zip');
      const zip = join(work, `bundle${query ? 1 : 2}.zip`);
      const into = join(work, `unpacked-zip${query ? 1 : 2}`);
      writeFileSync(zip, a.bytes!);
      execFileSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; z.extractall(sys.argv[2])', zip, into]);
      const verified = await runCli(['evidence', 'verify', join(into, 'evidence-P-003-2026-11')]);
      expect(verified.status, verified.stderr).toBe(0);
    }
  });

  it('404 for an account-period without entries, 400 for a bad format, 401/403 without `read`', async () => {
    const a = await call('GET', '/v1/ledger/evidence/P-999/2026-11', { token: TOKENS.rd });
    expect(a.status).toBe(404);
    expect(a.json.code).toBe('LEDGER_NOT_FOUND');
    expect((await call('GET', '/v1/ledger/evidence/P-003/2026-11?format=rar', { token: TOKENS.rd })).status).toBe(400);
    expect((await call('GET', '/v1/ledger/evidence/P-003/2026-11')).status).toBe(401);
    expect((await call('GET', '/v1/ledger/evidence/P-003/2026-11', { token: TOKENS.ev })).status).toBe(403);
  });
});

describe('decisionId on every evaluation result', () => {
  const recompute = (r: any) => sha(`decision|${r.rules.sha256}|${r.snapshotSha256}|${r.programVersion}`);
  const evaluate = (c: ReturnType<typeof client>, body: string, type = 'application/json', query = '') =>
    c('POST', `/v1/evaluate${query}`, { body, type, token: TOKENS.ev });

  it('is recomputable from the answer, the same across requests, forms (one, array, NDJSON) and a restart; the snapshot hash is the ledger\'s', async () => {
    const one = await evaluate(call, LINES[0]!);
    expect(one.status).toBe(200);
    expect(one.json.decisionId).toMatch(/^[0-9a-f]{64}$/);
    expect(one.json.decisionId).toBe(recompute(one.json));
    expect(one.json.programVersion).toBe(`reseller-credits@${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}`);
    // the snapshot's hash is the one the ledger recorded when this snapshot was issued
    const entries = (await call('GET', '/v1/ledger/entries?account=P-001&period=2026-11', { token: TOKENS.rd })).json;
    expect(one.json.snapshotSha256).toBe(entries[0].snapshotSha256);
    expect((await evaluate(call, LINES[0]!)).json.decisionId).toBe(one.json.decisionId);
    const batch = await evaluate(call, `[${LINES.slice(0, 3).join(',')}]`);
    const nd = await evaluate(call, `${LINES.slice(0, 3).join('\n')}\n`, 'application/x-ndjson');
    const ndIds = nd.text.trim().split('\n').map((l) => JSON.parse(l).decisionId);
    expect(batch.json.map((r: any) => r.decisionId)).toEqual(ndIds);
    expect(ndIds[0]).toBe(one.json.decisionId);
    expect(new Set(ndIds).size).toBe(3); // another snapshot, another id
    for (const r of batch.json) expect(r.decisionId).toBe(recompute(r));
    // the same snapshot, the same rules, another process-lifetime of the server: the same id
    const again = await start();
    try {
      expect((await evaluate(await clientOf(again), LINES[0]!)).json.decisionId).toBe(one.json.decisionId);
    } finally {
      await again.app.close();
    }
  });

  it('another rule set, or a snapshot changed by one field, gives another id; the CLI\'s results carry none', async () => {
    const base = (await evaluate(call, LINES[0]!)).json;
    const other = await evaluate(call, LINES[0]!, 'application/json', '?rules=2027-01');
    expect(other.status, other.text).toBe(200);
    expect(other.json.rules.sha256).not.toBe(base.rules.sha256);
    expect(other.json.snapshotSha256).toBe(base.snapshotSha256);
    expect(other.json.decisionId).not.toBe(base.decisionId);
    expect(other.json.decisionId).toBe(recompute(other.json));
    const changed = JSON.parse(LINES[0]!);
    changed.lineItems[0].quantity = Number(changed.lineItems[0].quantity ?? 1) + 1;
    const c = (await evaluate(call, JSON.stringify(changed))).json;
    expect(c.snapshotSha256).not.toBe(base.snapshotSha256);
    expect(c.decisionId).not.toBe(base.decisionId);
    // whitespace and key order do not change the canonical snapshot, so not the id
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(LINES[0]!)).reverse()), null, 3);
    expect((await evaluate(call, reordered)).json.decisionId).toBe(base.decisionId);
    const file = join(work, 'one.json');
    writeFileSync(file, LINES[0]!);
    const viaCli = await runCli(['--rules-dir', rulesDir, 'evaluate', '--format', 'json', file]);
    expect(viaCli.stdout).not.toContain('decisionId');
  });
});

describe('GET /v1/ledger/pending', () => {
  it('the bytes `ledger pending --format json|csv` prints: none, then a corrected October; 401/403 without `read`', async () => {
    const own = join(work, 'pending.sqlite');
    expect((await runCli(['ledger', 'init', own])).status).toBe(0);
    const s = await start({ ledger: own });
    try {
      const c = await clientOf(s);
      const none = await c('GET', '/v1/ledger/pending', { token: TOKENS.rd });
      expect([none.status, none.text]).toEqual([200, '[]\n']);
      const issue = async (name: string, users: number) => {
        const file = writeNdjson(work, `${name}.ndjson`, [snap('R-1', '2026-10', users)]);
        const r = await runCli(['--rules-dir', rulesDir, 'issue', '--period', '2026-10', '--ledger', own, file], { env: { RESELLER_CREDITS_TEST_RUN: TEST_RUN } });
        expect(r.status, r.stderr).toBe(0);
      };
      await issue('oct', 25);
      await issue('oct2', 30); // corrected after issue: +2.00, carried by no statement yet
      for (const format of ['json', 'csv'] as const) {
        const viaCli = await runCli(['--rules-dir', rulesDir, 'ledger', 'pending', '--ledger', own, '--format', format]);
        const a = await c('GET', `/v1/ledger/pending${format === 'csv' ? '?format=csv' : ''}`, { token: TOKENS.rd });
        expect(a.status).toBe(200);
        expect(a.text).toBe(viaCli.stdout);
      }
      const list = JSON.parse((await c('GET', '/v1/ledger/pending', { token: TOKENS.rd })).text);
      expect(list).toMatchObject([{ account: 'R-1', origin: '2026-10', amount: '2.00', currency: 'USD' }]);
      expect((await c('GET', '/v1/ledger/pending')).status).toBe(401);
      expect((await c('GET', '/v1/ledger/pending', { token: TOKENS.ev })).status).toBe(403);
      expect((await c('GET', '/v1/ledger/pending?format=xml', { token: TOKENS.rd })).status).toBe(400);
    } finally {
      await s.app.close();
    }
  });
});

describe('a server without --export-mapping, or without a ledger', () => {
  it('answers a vendor export with 503 EXPORT_UNMAPPED, and every ledger read with 404 when there is no ledger', async () => {
    const bare = await start({ ledger: join(work, 'no-such-ledger.sqlite') });
    try {
      const c = await clientOf(bare);
      const unmapped = await c('POST', '/v1/ledger/export?period=2026-11&target=stripe', { token: TOKENS.rd });
      expect(unmapped.status).toBe(503);
      expect(unmapped.json.code).toBe('EXPORT_UNMAPPED');
      expect(unmapped.json.detail).toContain('--export-mapping');
      const withMapping = await start({ ledger: join(work, 'no-such-ledger.sqlite'), exportMapping: mappingFile });
      try {
        const c2 = await clientOf(withMapping);
        expect((await c2('POST', '/v1/ledger/export?period=2026-11&target=stripe', { token: TOKENS.rd })).status).toBe(404);
      } finally {
        await withMapping.app.close();
      }
      expect((await c('GET', '/v1/ledger/statements/P-001/2026-11', { token: TOKENS.rd })).status).toBe(404);
      expect((await c('GET', '/v1/ledger/evidence/P-001/2026-11', { token: TOKENS.rd })).status).toBe(404);
    } finally {
      await bare.app.close();
    }
  });
});
