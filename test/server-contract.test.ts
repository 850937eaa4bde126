/**
 * `reseller-credits serve` against its contract (SPEC §13), over real HTTP on
 * an ephemeral port (no inject): every answer is checked against the OpenAPI
 * document the server serves (test/support/service.ts). Hostile requests —
 * bad JSON, wrong content type, oversized and trickling bodies, unknown
 * fields, missing, bad and under-privileged tokens — and a rules folder that
 * turns invalid under a running server.
 */
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker, TOKENS, client, trickle, writeTokensFile, type Answer } from './support/service.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

const require = createRequire(import.meta.url);
const ROOT = resolve('.');
const { startService, bindRefusal } = await import(join(ROOT, 'dist/server/start.js'));
const { readTokens } = await import(join(ROOT, 'dist/server/tokens.js'));
const { resolveLimits } = await import(join(ROOT, 'dist/index.js'));

const work = tempDir('rc-service-');
const rulesDir = join(work, 'rules');
cpSync(join(ROOT, 'rules'), rulesDir, { recursive: true });
const ledger = join(work, 'ledger.sqlite');

// tokens: the file holds only their sha256
const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const tokensFile = writeTokensFile(work);

const SINGLE = readFileSync(join(ROOT, 'examples/affiliate-totals.json'), 'utf8');
const NDJSON = readFileSync(join(ROOT, 'examples/portfolio.ndjson'), 'utf8');
const LINES = NDJSON.split('\n').filter(Boolean);

let service: { app: { close(): Promise<void> }; url: string; ctx: { busy: number } };
let checker: ContractChecker;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  // a ledger to read: the CLI makes it and issues the example portfolio's period
  expect((await runCli(['ledger', 'init', ledger])).status).toBe(0);
  const issued = await runCli(['--rules-dir', rulesDir, 'issue', '--period', '2026-11', '--ledger', ledger, join(ROOT, 'examples/portfolio.ndjson')]);
  expect(issued.status, issued.stderr).toBe(0);
  service = await startService({
    rulesDir, ledger, tokens: readTokens(tokensFile), limits: resolveLimits(), jobs: 1,
    body: { maxBytes: 64 * 1024, timeoutMs: 400 }, maxConcurrent: 4, readyEverySeconds: 0,
  }, { host: '127.0.0.1', port: 0, shutdownTimeoutMs: 5000 }, false);
  const doc = await (await fetch(`${service.url}/openapi.json`)).json();
  checker = new ContractChecker(doc);
  call = client(service.url, checker);
});
afterAll(async () => { await service?.app.close(); });

/** A CLI result with the decision fields of the service's answer `served` added last (error records as they are). */
const withDecision = (cli: any, served: any) => (cli.error ? cli
  : { ...cli, decisionId: served.decisionId, snapshotSha256: served.snapshotSha256, programVersion: served.programVersion });

const evaluate = (body: string, type = 'application/json', token = TOKENS.ev, query = '') =>
  call('POST', `/v1/evaluate${query}`, { body, type, token });

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 under swagger-parser, and a broken copy is not', async () => {
    const SwaggerParser = require('@apidevtools/swagger-parser');
    await expect(SwaggerParser.validate(structuredClone(checker.doc))).resolves.toBeTruthy();
    const broken = structuredClone(checker.doc);
    delete broken.paths['/v1/evaluate'].post.responses['200'].description;
    await expect(SwaggerParser.validate(broken)).rejects.toThrow(/description/);
  });

  it('is self-contained: every $ref points inside it, and every component one points at exists', () => {
    const refs = [...JSON.stringify(checker.doc).matchAll(/"\$ref":"([^"]*)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(100);
    for (const r of new Set(refs)) {
      expect(r).toMatch(/^#\/components\/schemas\//);
      expect(checker.doc.components.schemas[r.slice('#/components/schemas/'.length)], r).toBeDefined();
    }
  });

  it('has every schema file of schemas/ as a component, and a role on every /v1 operation', () => {
    for (const f of ['snapshot', 'evaluation-result', 'error-record', 'ruleset', 'whatif', 'validate', 'ledger-show', 'service.problem']) {
      expect(checker.doc.components.schemas[f], f).toBeDefined();
    }
    for (const [path, ops] of Object.entries<any>(checker.doc.paths)) {
      for (const op of Object.values<any>(ops)) {
        if (path.startsWith('/v1/')) expect(op['x-required-role'], path).toMatch(/^(evaluate|read|issue)$/);
        else expect(op.security, path).toEqual([]);
      }
    }
  });
});

describe('evaluate', () => {
  it('answers one snapshot with the bytes `evaluate --format json` prints', async () => {
    const file = join(work, 'one.json');
    writeFileSync(file, SINGLE);
    const viaCli = await runCli(['--rules-dir', rulesDir, 'evaluate', '--format', 'json', file]);
    const a = await evaluate(SINGLE);
    expect(a.status).toBe(200);
    expect(a.json.decisionId).toMatch(/^[0-9a-f]{64}$/);
    // the CLI's result and, last, the service's decisionId with what it is computed from (SPEC §13)
    expect(a.text).toBe(`${JSON.stringify(withDecision(JSON.parse(viaCli.stdout), a.json), null, 2)}\n`);
    expect(a.json.account).toBe('R-3001');
    expect(a.json.trace).toBeUndefined();
    const traced = await evaluate(SINGLE, 'application/json', TOKENS.ev, '?trace=true');
    expect(traced.json.trace.length).toBeGreaterThan(0);
  });

  it('answers a batch with an invalid snapshot inside: 200, the error record in its place', async () => {
    const bad = JSON.stringify({ ...JSON.parse(LINES[1]!), lineItems: [{ service: 'no-such-service', amount: '1.00' }], surprise: 1 });
    const a = await evaluate(`[${LINES[0]},${bad},${LINES[2]}]`);
    expect(a.status).toBe(200);
    expect(a.json).toHaveLength(3);
    expect(a.json[0].credit).toBeDefined();
    expect(a.json[1].error.code).toBeDefined();
    expect(a.json[1].account).toBe(JSON.parse(LINES[1]!).account);
    expect(a.json[2].credit).toBeDefined();
  });

  it('streams NDJSON: result lines come while the body is still being sent', async () => {
    const t = trickle(service.url, '/v1/evaluate', { 'content-type': 'application/x-ndjson', authorization: `Bearer ${TOKENS.ev}` });
    // one record per write; the run engine keeps two batches in flight, so the first answer
    // line is due once the third has arrived, before the body ends
    for (const line of LINES.slice(0, 4)) {
      await t.write(`${line}\n`);
      await new Promise((r) => setTimeout(r, 30));
    }
    const first = await t.firstBytes();
    expect(first.status).toBe(200);
    expect(first.text).toContain('"account":"P-001"');
    for (const line of LINES.slice(4)) await t.write(`${line}\n`);
    await t.write('{"account": "broken\n');
    const whole = await t.end();
    const out = whole.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(LINES.length + 1);
    expect(out.at(-1).error.code).toBe('JSON_SYNTAX');
    checker.check('POST', '/v1/evaluate', { status: whole.status, headers: new Headers(whole.headers as Record<string, string>), text: whole.text });
  });

  it('answers NDJSON with the bytes `evaluate --format ndjson` prints', async () => {
    const viaCli = await runCli(['--rules-dir', rulesDir, 'evaluate', '--format', 'ndjson', join(ROOT, 'examples/portfolio.ndjson')]);
    const a = await evaluate(NDJSON, 'application/x-ndjson');
    expect(a.status).toBe(200);
    const served = a.text.split('\n');
    expect(a.text).toBe(viaCli.stdout.split('\n').map((l, i) => (l ? JSON.stringify(withDecision(JSON.parse(l), JSON.parse(served[i]!))) : l)).join('\n'));
  });

  it('streamed NDJSON with one reseller twice: both streamed, then an error record replacing each (SPEC §4 and §13)', async () => {
    const first = JSON.parse(LINES[0]!) as { account: string };
    const twin = JSON.stringify({ ...JSON.parse(LINES[0]!), account: ` ${first.account.toLowerCase()} ` }); // the same key written another way
    const body = [LINES[0], ...LINES.slice(1), twin].join('\n') + '\n';
    const a = await evaluate(body, 'application/x-ndjson');
    expect(a.status).toBe(200);
    const out = a.text.trim().split('\n').map((l) => JSON.parse(l) as { account: string; replaces?: number; error?: { code: string; message: string } });
    const n = LINES.length + 1;
    // every record streamed once, in order, as a result; then the two refusals, the earlier first
    expect(out.slice(0, n).map((r) => [r.account, r.error?.code])).toEqual([...LINES, twin].map((l) => [JSON.parse(l!).account, undefined]));
    expect(out.slice(n).map((r) => [r.replaces, r.error?.code])).toEqual([[0, 'DUPLICATE_IN_RUN'], [n - 1, 'DUPLICATE_IN_RUN']]);
    expect(out[n]!.error!.message).toContain(`:${n}`); // names the other record's line
    checker.check('POST', '/v1/evaluate', a);
  });

  const hostile: [string, () => Promise<Answer>, number, string][] = [
    ['bad JSON', () => evaluate('{"account": "R-1", "period": '), 400, 'JSON_SYNTAX'],
    ['a duplicate key', () => evaluate('{"account":"A","account":"B"}'), 422, 'DUPLICATE_KEY'],
    ['an unknown field in the snapshot', () => evaluate(JSON.stringify({ ...JSON.parse(SINGLE), creditOverride: '100.00' })), 422, 'SCHEMA'],
    ['an unknown query parameter', () => evaluate(SINGLE, 'application/json', TOKENS.ev, '?format=csv'), 400, 'BAD_REQUEST'],
    ['a bad query value', () => evaluate(SINGLE, 'application/json', TOKENS.ev, '?trace=yes'), 400, 'BAD_REQUEST'],
    ['an unknown rule set', () => evaluate(SINGLE, 'application/json', TOKENS.ev, '?rules=1999-01'), 422, 'UNKNOWN_RULE_SET'],
    ['text/plain', () => evaluate(SINGLE, 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a YAML snapshot', () => evaluate('schemaVersion: 1\naccount: R-1\n', 'application/yaml'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['no content type', () => call('POST', '/v1/evaluate', { body: SINGLE, token: TOKENS.ev, headers: { 'content-type': '' } }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a body over the limit', () => evaluate(`[${Array(200).fill(SINGLE).join(',')}]`), 413, 'BODY_TOO_LARGE'],
    ['bytes that are not UTF-8', () => call('POST', '/v1/evaluate', { body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), type: 'application/json', token: TOKENS.ev }), 400, 'ENCODING'],
    ['an empty body', () => evaluate(''), 400, 'JSON_SYNTAX'],
    ['an unknown path', () => call('GET', '/v1/nothing-here', { token: TOKENS.ev }), 404, 'NOT_FOUND'],
  ];
  it.each(hostile)('%s: a problem document', async (_name, send, status, code) => {
    const a = await send();
    expect(a.status).toBe(status);
    expect(a.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(a.json.code).toBe(code);
    expect(a.json.status).toBe(status);
    expect(a.json.requestId).toBe(a.headers.get('x-request-id'));
  });

  it('a content type in upper case or with parameters is the same type', async () => {
    expect((await evaluate(SINGLE, 'APPLICATION/JSON; charset=utf-8')).status).toBe(200);
    expect((await evaluate(NDJSON, 'application/x-ndjson; charset=utf-8')).text.trim().split('\n')).toHaveLength(LINES.length);
  });

  it('a lone snapshot with errors carries them with their positions', async () => {
    const a = await evaluate('{\n  "schemaVersion": 1,\n  "account": "R-1",\n  "period": "2026-13"\n}');
    expect(a.status).toBe(422);
    expect(a.json.errors.length).toBeGreaterThan(0);
    expect(a.json.errors.some((e: { line?: number }) => e.line === 4)).toBe(true);
  });

  it('a body that trickles in past the time limit is a 408 problem', async () => {
    const t = trickle(service.url, '/v1/evaluate', { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.ev}`, 'content-length': String(SINGLE.length) });
    await t.write(SINGLE.slice(0, 40));
    const first = await t.firstBytes(); // the server answers without waiting for the rest
    expect(first.status).toBe(408);
    t.destroy();
    const p = JSON.parse(first.text);
    expect(p.code).toBe('REQUEST_TIMEOUT');
    checker.check('POST', '/v1/evaluate', { status: 408, headers: new Headers({ 'content-type': 'application/problem+json' }), text: first.text });
  });
});

describe('tokens and roles', () => {
  const cases: [string, string | undefined, number][] = [
    ['no token', undefined, 401],
    ['an unknown token', 'tok-nobody', 401],
    ['a read token on evaluate', TOKENS.rd, 403],
    ['an evaluate token', TOKENS.ev, 200],
    ['an admin token', TOKENS.adm, 200],
  ];
  it.each(cases)('%s → %s', async (_name, token, status) => {
    const a = await call('POST', '/v1/evaluate', { body: SINGLE, type: 'application/json', token });
    expect(a.status).toBe(status);
    if (status === 401) expect(a.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('read endpoints need read; health and the document need none', async () => {
    expect((await call('GET', '/v1/rulesets', { token: TOKENS.ev })).status).toBe(403);
    expect((await call('GET', '/v1/rulesets', { token: TOKENS.rd })).status).toBe(200);
    expect((await call('GET', '/v1/ledger/entries')).status).toBe(401);
    expect((await call('GET', '/health/live')).status).toBe(200);
    expect((await call('GET', '/openapi.json')).status).toBe(200);
  });

  it('a tokens file with a plain token, a bad role or an unknown field is refused with its errors', () => {
    const bad = join(work, 'bad-tokens.yaml');
    writeFileSync(bad, 'tokens:\n  - { principal: x, sha256: hunter2, roles: [superuser], token: hunter2 }\n');
    expect(() => readTokens(bad)).toThrow(/sha256|roles|token/);
  });

  it('binding a non-loopback address without tokens is refused, by the library and the command', async () => {
    expect(bindRefusal('0.0.0.0', {})).toMatch(/--tokens/);
    expect(bindRefusal('127.0.0.1', {})).toBeUndefined();
    expect(bindRefusal('0.0.0.0', { tokens: readTokens(tokensFile) })).toBeUndefined();
    const r = await runCli(['--rules-dir', rulesDir, 'serve', '--host', '0.0.0.0', '--port', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/needs --tokens/);
  });

  it.each([
    [['--port', '70000'], /--port must be at most 65535/],
    [['--port', 'http'], /--port must be a whole number/],
    [['--max-concurrent', '0'], /--max-concurrent must be a whole number of at least 1/],
    [['--tokens', 'no-such-tokens.yaml'], /no-such-tokens\.yaml/],
  ])('serve %j: a usage error, exit 2', async (args, message) => {
    const r = await runCli(['--rules-dir', rulesDir, 'serve', ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('rule sets, validate, what-if', () => {
  it('lists the folder as `validate --format json` does, and reads one version', async () => {
    const list = await call('GET', '/v1/rulesets', { token: TOKENS.rd });
    expect(list.json.summary).toEqual({ files: 2, valid: 2, invalid: 0, errors: 0 });
    const one = await call('GET', '/v1/rulesets/2026-01', { token: TOKENS.rd });
    expect(one.json.id).toBe('2026-01');
    expect(one.headers.get('x-rules-sha256')).toBe(JSON.parse(readFileSync(join(rulesDir, 'rules.lock'), 'utf8'))['2026-01']);
    expect((await call('GET', '/v1/rulesets/1999-01', { token: TOKENS.rd })).status).toBe(404);
    expect((await call('GET', '/v1/rulesets/..%2Fetc', { token: TOKENS.rd })).status).toBe(400);
  });

  it('validates a rule file sent as YAML: 200 with its errors and positions', async () => {
    const good = await call('POST', '/v1/validate', { body: readFileSync(join(rulesDir, '2027-01.yaml'), 'utf8'), type: 'application/yaml', token: TOKENS.ev });
    expect(good.json.summary.valid).toBe(1);
    const text = readFileSync(join(rulesDir, '2027-01.yaml'), 'utf8').replace(/^currency: .*$/m, 'currency: 42');
    const bad = await call('POST', '/v1/validate', { body: text, type: 'application/yaml', token: TOKENS.ev });
    expect(bad.json.summary.invalid).toBe(1);
    expect(bad.json.errors[0].line).toBe(text.split('\n').findIndex((l) => l.startsWith('currency:')) + 1);
  });

  it('reviews a draft sent in the body (JSON report, markdown), and refuses a broken draft with its errors', async () => {
    const draft = readFileSync(join(rulesDir, '2027-01.yaml'), 'utf8');
    const a = await call('POST', '/v1/review?runs=20', { body: draft, type: 'application/yaml', token: TOKENS.ev });
    expect(a.status).toBe(200);
    expect(a.json.candidate.id).toBe('2027-01');
    expect(a.json.baseline.id).toBe('2026-01');
    const md = await call('POST', '/v1/review?runs=20&format=markdown', { body: draft, type: 'application/yaml', token: TOKENS.ev });
    expect(md.text).toMatch(/^# Review of 2027-01 against 2026-01/m);
    const broken = await call('POST', '/v1/review', { body: draft.replace(/^currency: .*$/m, 'currency: 42'), type: 'application/yaml', token: TOKENS.ev });
    expect(broken.status).toBe(422);
    expect(broken.json.errors[0].path).toBe('currency');
    expect((await call('POST', '/v1/review?runs=0', { body: draft, type: 'application/yaml', token: TOKENS.ev })).status).toBe(400);
  });

  it('compares two versions over a batch', async () => {
    const a = await call('POST', '/v1/whatif?baseline=2026-01&candidate=2027-01', { body: `[${LINES.slice(0, 3).join(',')}]`, type: 'application/json', token: TOKENS.ev });
    expect(a.status).toBe(200);
    expect(a.json.accounts).toHaveLength(3);
    expect(a.json.baseline.id).toBe('2026-01');
    expect((await call('POST', '/v1/whatif?baseline=2026-01', { body: SINGLE, type: 'application/json', token: TOKENS.ev })).status).toBe(400);
  });
});

describe('ledger reads', () => {
  it('entries, export (JSON and CSV), verify and replay of an issued period', async () => {
    const entries = await call('GET', '/v1/ledger/entries?period=2026-11', { token: TOKENS.rd });
    expect(entries.json.length).toBe(LINES.length);
    const viaCli = await runCli(['ledger', 'show', '--format', 'json', '--period', '2026-11', '--ledger', ledger]);
    expect(entries.text).toBe(viaCli.stdout);
    const notes = await call('GET', '/v1/ledger/export?period=2026-11', { token: TOKENS.rd });
    expect(notes.json.length).toBe(LINES.length);
    const csv = await call('GET', '/v1/ledger/export?period=2026-11&format=csv', { token: TOKENS.rd });
    expect(csv.text).toBe((await runCli(['ledger', 'export', '--period', '2026-11', '--ledger', ledger])).stdout);
    const verify = await call('GET', '/v1/ledger/verify', { token: TOKENS.rd });
    expect(verify.json).toMatchObject({ entries: LINES.length, problems: [] });
    const account = JSON.parse(LINES[0]!).account;
    const replay = await call('GET', `/v1/ledger/replay/${account}/2026-11`, { token: TOKENS.rd });
    expect(replay.text).toContain(account);
    expect((await call('GET', '/v1/ledger/replay/NOBODY/2026-11', { token: TOKENS.rd })).status).toBe(404);
    expect((await call('GET', '/v1/ledger/export', { token: TOKENS.rd })).status).toBe(400);
  });
});

describe('the rules folder as it is on disk', () => {
  it('an edit of a rule file is seen by the next request (the folder is read again only when it changed)', async () => {
    const file = join(rulesDir, '2027-01.yaml');
    const before = readFileSync(file, 'utf8');
    const sha = async () => (await evaluate(SINGLE, 'application/json', TOKENS.ev, '?rules=2027-01')).json.rules.sha256 as string;
    const first = await sha();
    expect(await sha()).toBe(first);
    writeFileSync(file, before.replace(/^title: .*$/m, 'title: "edited while the server runs"'));
    try {
      const edited = await sha();
      expect(edited).not.toBe(first);
      const listed = await call('GET', '/v1/rulesets/2027-01', { token: TOKENS.rd });
      expect(listed.json.title).toBe('edited while the server runs');
      expect(listed.headers.get('x-rules-sha256')).toBe(edited);
    } finally {
      writeFileSync(file, before);
    }
    expect(await sha()).toBe(first);
  });
});

describe('health', () => {
  it('readiness turns 503 while the rules folder does not validate; liveness stays 200', async () => {
    const file = join(rulesDir, '2027-01.yaml');
    const before = readFileSync(file, 'utf8');
    expect((await call('GET', '/health/ready')).status).toBe(200);
    writeFileSync(file, before.replace(/^tiers:/m, 'tiers: 7\nxtiers:'));
    try {
      const ready = await call('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.json.checks.rules.ok).toBe(false);
      expect(ready.json.checks.rules.errors[0].file).toBe(file);
      expect((await call('GET', '/health/live')).status).toBe(200);
    } finally {
      writeFileSync(file, before);
    }
    expect((await call('GET', '/health/ready')).status).toBe(200);
  });
});

describe('limits', () => {
  it('beyond the bound on concurrent work: 503 with Retry-After', async () => {
    // four NDJSON requests held open (their bodies unfinished) fill the bound of 4
    const held = Array.from({ length: 4 }, () => trickle(service.url, '/v1/evaluate', { 'content-type': 'application/x-ndjson', authorization: `Bearer ${TOKENS.ev}` }));
    for (const h of held) await h.write(`${LINES[0]}\n`);
    for (let i = 0; i < 100 && service.ctx.busy < 4; i++) await new Promise((r) => setTimeout(r, 20));
    expect(service.ctx.busy).toBe(4);
    const a = await evaluate(SINGLE);
    expect(a.status).toBe(503);
    expect(a.json.code).toBe('BUSY');
    expect(a.headers.get('retry-after')).toBe('1');
    for (const h of held) expect((await h.end()).status).toBe(200);
    expect((await evaluate(SINGLE)).status).toBe(200);
  });

  it('a long NDJSON answer to a slow reader: complete, in order, without piling up listeners', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      // each copy with accounts of its own: one account in two copies would be a duplicate (SPEC §4)
      const body = Array.from({ length: 250 }, (_, i) => (i ? NDJSON.replace(/"account":"([^"]+)"/g, `"account":"$1-${i}"`) : NDJSON)).join('');
      const { request } = await import('node:http');
      const u = new URL(service.url);
      const text = await new Promise<string>((resolve, reject) => {
        const req = request({ host: u.hostname, port: u.port, path: '/v1/evaluate', method: 'POST',
          headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${TOKENS.ev}` } }, (res) => {
          let out = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => { out += d; res.pause(); setTimeout(() => res.resume(), 2); });
          res.on('end', () => resolve(out));
        });
        req.on('error', reject);
        req.end(body);
      });
      const accounts = text.trim().split('\n').map((l) => (JSON.parse(l) as { account: string }).account);
      expect(accounts).toHaveLength(250 * LINES.length);
      expect(accounts.slice(0, LINES.length)).toEqual(LINES.map((l) => JSON.parse(l).account));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a client that goes away mid-stream frees its slot; the server goes on', async () => {
    const t = trickle(service.url, '/v1/evaluate', { 'content-type': 'application/x-ndjson', authorization: `Bearer ${TOKENS.ev}` });
    for (const line of LINES.slice(0, 4)) await t.write(`${line}\n`);
    await t.firstBytes();
    expect(service.ctx.busy).toBe(1);
    t.destroy();
    for (let i = 0; i < 100 && service.ctx.busy > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(service.ctx.busy).toBe(0);
    expect((await evaluate(SINGLE)).status).toBe(200);
  });
});

describe('edges', () => {
  it('review: a named baseline, HTML, an unknown baseline', async () => {
    const draft = readFileSync(join(rulesDir, '2027-01.yaml'), 'utf8');
    const html = await call('POST', '/v1/review?baseline=2026-01&format=html&runs=10&seed=7', { body: draft, type: 'application/yaml', token: TOKENS.ev });
    expect(html.status).toBe(200);
    expect(html.text).toMatch(/^<!doctype html>/i);
    const unknown = await call('POST', '/v1/review?baseline=1999-01', { body: draft, type: 'application/yaml', token: TOKENS.ev });
    expect(unknown.status).toBe(422);
    expect(unknown.json.code).toBe('UNKNOWN_RULE_SET');
    expect((await call('POST', '/v1/review', { body: LINES[0], type: 'application/x-ndjson', token: TOKENS.ev })).status).toBe(415);
  });

  it('validate: a file name given, NDJSON refused; what-if: an unknown version', async () => {
    const draft = readFileSync(join(rulesDir, '2027-01.yaml'), 'utf8');
    const named = await call('POST', '/v1/validate?name=2027-02.yaml', { body: draft, type: 'application/yaml', token: TOKENS.ev });
    expect(named.json.errors[0].code).toBe('ID_MISMATCH');
    expect((await call('POST', '/v1/validate', { body: LINES[0], type: 'application/x-ndjson', token: TOKENS.ev })).status).toBe(415);
    const w = await call('POST', '/v1/whatif?baseline=2026-01&candidate=1999-01', { body: SINGLE, type: 'application/json', token: TOKENS.ev });
    expect(w.status).toBe(422);
  });

  it('a chunked body over the limit (no Content-Length) is a 413 problem', async () => {
    const t = trickle(service.url, '/v1/evaluate', { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.ev}` });
    await t.write(`[${Array(200).fill(SINGLE).join(',')}`);
    const first = await t.firstBytes();
    expect(first.status).toBe(413);
    t.destroy();
  });

  it('an Authorization header that is not a bearer token is 401', async () => {
    const a = await call('GET', '/v1/rulesets', { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    expect(a.status).toBe(401);
  });

  it('a rule file that does not validate is 422 when read, with its errors', async () => {
    const file = join(rulesDir, '2027-01.yaml');
    const before = readFileSync(file, 'utf8');
    writeFileSync(file, before.replace(/^currency: .*$/m, 'currency: 42'));
    try {
      const a = await call('GET', '/v1/rulesets/2027-01', { token: TOKENS.rd });
      expect(a.status).toBe(422);
      expect(a.json.errors[0].path).toBe('currency');
    } finally {
      writeFileSync(file, before);
    }
  });

  it('tokens files: JSON works; YAML syntax, a missing file and a plain list are refused', () => {
    const json = join(work, 'tokens.json');
    writeFileSync(json, JSON.stringify({ tokens: [{ principal: 'p', sha256: sha('t'), roles: ['read'] }] }));
    const table = readTokens(json);
    expect(table.find('t')).toEqual({ principal: 'p', roles: ['read'] });
    expect(table.find('u')).toBeUndefined();
    const bad = join(work, 'bad.yaml');
    writeFileSync(bad, 'tokens: [\n');
    expect(() => readTokens(bad)).toThrow(/tokens file/);
    expect(() => readTokens(join(work, 'none.yaml'))).toThrow();
    writeFileSync(bad, `- ${sha('t')}\n`);
    expect(() => readTokens(bad)).toThrow(/tokens file/);
  });

  it('without a ledger: ledger reads are 404, readiness stays ready; an unusable ledger is 503 and not ready', async () => {
    const other = await startService({
      rulesDir, ledger: join(work, 'no-ledger.sqlite'), limits: resolveLimits(), jobs: 1,
      body: { maxBytes: 64 * 1024, timeoutMs: 2000 }, maxConcurrent: 4, readyEverySeconds: 0,
    }, { host: '127.0.0.1', port: 0, shutdownTimeoutMs: 1000 }, false);
    const not = join(work, 'not-a-ledger.sqlite');
    writeFileSync(not, 'this is not SQLite\n'.repeat(10));
    const broken = await startService({
      rulesDir, ledger: not, limits: resolveLimits(), jobs: 1,
      body: { maxBytes: 64 * 1024, timeoutMs: 2000 }, maxConcurrent: 4, readyEverySeconds: 0,
    }, { host: '127.0.0.1', port: 0, shutdownTimeoutMs: 1000 }, false);
    try {
      const c1 = client(other.url, checker);
      expect((await c1('GET', '/v1/ledger/entries')).status).toBe(404);
      expect((await c1('GET', '/v1/ledger/verify')).status).toBe(404);
      expect((await c1('GET', '/health/ready')).status).toBe(200);
      const c2 = client(broken.url, checker);
      const r = await c2('GET', '/v1/ledger/entries');
      expect(r.status).toBe(503);
      expect(r.json.code).toMatch(/^LEDGER_/);
      const ready = await c2('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.json.checks.ledger.ok).toBe(false);
    } finally {
      await other.app.close();
      await broken.app.close();
    }
  });
});
