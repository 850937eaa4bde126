/**
 * What the service's performance work changed in behaviour, over real HTTP on
 * an ephemeral port: the compact answer a client asks for with
 * `Accept: application/x-ndjson` (the CLI's `--format ndjson` bytes), the
 * rules folder watched with inotify — every change made before a request is
 * seen by it (atomic replace, in-place rewrite of the same size, a new file, the
 * folder replaced, a symbolic link that sends it back to the fingerprint) —
 * NDJSON answers that do not wait for more input, and the principal bound to
 * each request's log lines without leaking into another's.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractChecker, client, trickle } from './support/service.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

const ROOT = resolve('.');
const { startService } = await import(join(ROOT, 'dist/server/start.js'));
const { prefersNdjson } = await import(join(ROOT, 'dist/server/accept.js'));
const { watchRefusal } = await import(join(ROOT, 'dist/server/rules-cache.js'));
const { readTokens } = await import(join(ROOT, 'dist/server/tokens.js'));
const { resolveLimits } = await import(join(ROOT, 'dist/index.js'));

const work = tempDir('rc-service-perf-');
const rulesDir = join(work, 'rules');
cpSync(join(ROOT, 'rules'), rulesDir, { recursive: true });
const SINGLE = readFileSync(join(ROOT, 'examples/affiliate-totals.json'), 'utf8');
const LINES = readFileSync(join(ROOT, 'examples/portfolio.ndjson'), 'utf8').split('\n').filter(Boolean);

type Service = { app: { close(): Promise<void> }; url: string; ctx: { busy: number; rules: { reads: number; unwatched?: string } } };
let service: Service;
let call: ReturnType<typeof client>;

const options = (dir: string) => ({
  rulesDir: dir, ledger: join(work, 'ledger.sqlite'), limits: resolveLimits(), jobs: 1,
  body: { maxBytes: 64 * 1024, timeoutMs: 2000 }, maxConcurrent: 8, readyEverySeconds: 0,
});
const listen = { host: '127.0.0.1', port: 0, shutdownTimeoutMs: 5000 };

beforeAll(async () => {
  service = await startService(options(rulesDir), listen, false);
  call = client(service.url, new ContractChecker(await (await fetch(`${service.url}/openapi.json`)).json()));
});
afterAll(async () => { await service?.app.close(); });

const evaluate = (body: string, accept?: string, query = '') =>
  call('POST', `/v1/evaluate${query}`, { body, type: 'application/json', headers: accept ? { accept } : {} });


/** The CLI's NDJSON with the service's decision fields (SPEC §13 decisionId) added last to each result line, taken from `served`. */
const withDecisions = (cliNdjson: string, served: string): string => {
  const s = served.split('\n');
  return cliNdjson.split('\n').map((l, i) => {
    if (!l) return l;
    const c = JSON.parse(l);
    const d = JSON.parse(s[i]!);
    return JSON.stringify(c.error ? c : { ...c, decisionId: d.decisionId, snapshotSha256: d.snapshotSha256, programVersion: d.programVersion });
  }).join('\n');
};

describe('Accept: which answer a client prefers', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['*/*', false],
    ['application/json', false],
    ['application/x-ndjson', true],
    ['Application/X-NDJSON', true],
    ['application/x-ndjson, */*', true],
    ['application/x-ndjson, application/json', false], // both named, same q: JSON stays the default
    ['application/json;q=0.5, application/x-ndjson', true],
    ['application/x-ndjson;q=0.4, application/json;q=0.9', false],
    ['application/x-ndjson;q=0', false],
    ['application/x-ndjson;q=0.3, */*;q=0.1', true],
    ['application/*, application/x-ndjson;q=0.9', false],
    ['text/html, application/x-ndjson;q=0.8', true],
    ['application/x-ndjson;q=bogus', true], // a malformed q is ignored (q=1)
    ['application/x-ndjsonx', false],
  ])('%j → ndjson %s', (accept, want) => {
    expect(prefersNdjson(accept)).toBe(want);
  });
});

describe('the compact answer (Accept: application/x-ndjson)', () => {
  it('a lone snapshot: the bytes `evaluate --format ndjson` prints, as application/x-ndjson, Vary: Accept', async () => {
    const file = join(work, 'one.json');
    writeFileSync(file, SINGLE);
    const cli = await runCli(['--rules-dir', rulesDir, 'evaluate', '--format', 'ndjson', file]);
    const a = await evaluate(SINGLE, 'application/x-ndjson');
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(a.headers.get('vary')).toBe('Accept');
    expect(a.text).toBe(withDecisions(cli.stdout, a.text));
    expect(JSON.parse(a.text).decisionId).toMatch(/^[0-9a-f]{64}$/);
    expect(a.text.split('\n')).toHaveLength(2); // one line and its newline
    // without Accept: the `--format json` bytes, as before
    const json = await runCli(['--rules-dir', rulesDir, 'evaluate', '--format', 'json', file]);
    const b = await evaluate(SINGLE);
    expect(b.headers.get('content-type')).toMatch(/^application\/json/);
    expect(b.text).toBe(`${JSON.stringify(JSON.parse(withDecisions(JSON.stringify(JSON.parse(json.stdout)), JSON.stringify(JSON.parse(b.text)))), null, 2)}\n`);
    expect(a.text.length).toBeLessThan(b.text.length);
    expect(JSON.parse(a.text)).toEqual(JSON.parse(b.text));
    const traced = await evaluate(SINGLE, 'application/x-ndjson', '?trace=true');
    expect(JSON.parse(traced.text).trace.length).toBeGreaterThan(0);
  });

  it('a JSON array: one line per record, an invalid snapshot its error record in place', async () => {
    const bad = JSON.stringify({ ...JSON.parse(LINES[1]!), surprise: 1 });
    const body = `[${LINES[0]},${bad},${LINES[2]}]`;
    const cli = await runCli(['--rules-dir', rulesDir, 'evaluate', '--format', 'ndjson', '-'], { stdin: body });
    const a = await evaluate(body, 'application/x-ndjson');
    expect(a.status).toBe(200);
    expect(a.text).toBe(withDecisions(cli.stdout, a.text));
    const lines = a.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[1].error.code).toBeDefined();
    expect(lines[2].credit).toBeDefined();
  });

  it('a lone snapshot with errors is still a 422 problem document', async () => {
    const a = await evaluate(JSON.stringify({ ...JSON.parse(SINGLE), period: '2026-13' }), 'application/x-ndjson');
    expect(a.status).toBe(422);
    expect(a.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

describe.runIf(process.platform === 'linux')('the rules folder, watched', () => {
  const file = join(rulesDir, '2027-01.yaml');
  const original = readFileSync(join(ROOT, 'rules/2027-01.yaml'), 'utf8');
  const sha = async (id = '2027-01') => {
    const a = await evaluate(SINGLE, 'application/x-ndjson', `?rules=${id}`);
    expect(a.status, a.text).toBe(200);
    return JSON.parse(a.text).rules.sha256 as string;
  };
  // the same file with another title of the same length: same size, other bytes
  const titled = (n: number) => original.replace(/^title: .*$/m, `title: "edit ${String(n).padStart(4, '0')}"`);

  it('is watched on this machine, and unchanged it is not read again', async () => {
    expect(watchRefusal(rulesDir)).toBeUndefined();
    await sha();
    expect(service.ctx.rules.unwatched).toBeUndefined();
    const reads = service.ctx.rules.reads;
    for (let i = 0; i < 20; i++) await sha();
    expect(service.ctx.rules.reads).toBe(reads);
  });

  it('every atomic replace (a publish writes a temporary file and renames it) is seen by the very next request', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) {
      const text = titled(i);
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
      seen.push(await sha());
      expect(seen.at(-1), `replace ${i}`).not.toBe(seen.at(-2));
    }
    expect(new Set(seen).size).toBe(30);
  });

  it('an in-place rewrite of the same size, in the same clock tick, is seen too', async () => {
    for (let i = 100; i < 130; i++) {
      const text = titled(i);
      const before = await sha();
      writeFileSync(file, text); // same length as the last one: only the bytes differ
      const after = await sha();
      expect(after, `rewrite ${i}`).not.toBe(before);
    }
    writeFileSync(file, original);
    expect((await sha()).length).toBe(64);
  });

  it('a new rule file renamed in is usable by the next request', async () => {
    const text = original.replace(/^id: .*$/m, 'id: 2031-01');
    writeFileSync(join(work, 'new.tmp'), text);
    renameSync(join(work, 'new.tmp'), join(rulesDir, '2031-01.yaml'));
    try {
      const a = await evaluate(SINGLE, 'application/x-ndjson', '?rules=2031-01');
      expect(a.status, a.text).toBe(200);
      expect(JSON.parse(a.text).rules.id).toBe('2031-01');
    } finally {
      unlinkSync(join(rulesDir, '2031-01.yaml'));
    }
    expect((await evaluate(SINGLE, 'application/x-ndjson', '?rules=2031-01')).status).toBe(422);
  });

  it('a folder put in its place is read, and watched in turn', async () => {
    const other = join(work, 'rules-other');
    cpSync(rulesDir, other, { recursive: true });
    const text = titled(9000);
    writeFileSync(join(other, '2027-01.yaml'), text);
    const before = await sha();
    renameSync(rulesDir, join(work, 'rules-old'));
    renameSync(other, rulesDir);
    try {
      const after = await sha();
      expect(after).not.toBe(before);
      expect(service.ctx.rules.unwatched).toBeUndefined(); // the new folder is watched
      writeFileSync(file, titled(9001));
      expect(await sha()).not.toBe(after);
    } finally {
      rmSync(rulesDir, { recursive: true });
      renameSync(join(work, 'rules-old'), rulesDir);
      writeFileSync(file, original);
    }
    await sha();
    expect(service.ctx.rules.unwatched).toBeUndefined();
  });

  it('an entry that is a symbolic link turns the watch off (its target changes elsewhere): the fingerprint sees those changes', async () => {
    const outside = join(work, 'outside');
    mkdirSync(outside, { recursive: true });
    const target = join(outside, '2032-01.yaml');
    writeFileSync(target, original.replace(/^id: .*$/m, 'id: 2032-01'));
    symlinkSync(target, join(rulesDir, '2032-01.yaml'));
    try {
      const first = await sha('2032-01');
      expect(service.ctx.rules.unwatched).toMatch(/symbolic link/);
      // the target is rewritten where no watch of the folder sees it
      writeFileSync(target, original.replace(/^id: .*$/m, 'id: 2032-01').replace(/^title: .*$/m, 'title: "changed through the link, longer"'));
      expect(await sha('2032-01')).not.toBe(first);
    } finally {
      unlinkSync(join(rulesDir, '2032-01.yaml'));
    }
    await sha();
    expect(service.ctx.rules.unwatched).toBeUndefined();
  });

  it('without the watch (a server whose folder cannot be watched) the fingerprint still sees an atomic replace', async () => {
    const dir = join(work, 'rules-linked');
    mkdirSync(dir);
    for (const n of ['2026-01.yaml', '2027-01.yaml', 'rules.lock']) cpSync(join(rulesDir, n), join(dir, n));
    const draft = join(work, '2033-01.yaml');
    writeFileSync(draft, original.replace(/^id: .*$/m, 'id: 2033-01'));
    symlinkSync(draft, join(dir, '2033-01.yaml')); // a link: never watched
    const s2: Service = await startService(options(dir), listen, false);
    try {
      const get = async () => {
        const text = await (await fetch(`${s2.url}/v1/evaluate?rules=2027-01`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' }, body: SINGLE })).text();
        expect(text, text).toMatch(/"sha256"/);
        return JSON.parse(text).rules.sha256 as string;
      };
      const first = await get();
      expect(s2.ctx.rules.unwatched).toMatch(/symbolic link/);
      const text = titled(7777);
      writeFileSync(join(dir, 'x.tmp'), text);
      renameSync(join(dir, 'x.tmp'), join(dir, '2027-01.yaml'));
      expect(await get()).not.toBe(first);
    } finally {
      await s2.app.close();
    }
  });
});

describe('NDJSON answers do not wait for more input', () => {
  it('four lines sent in one write are answered while the body is still open', async () => {
    const t = trickle(service.url, '/v1/evaluate', { 'content-type': 'application/x-ndjson' });
    await t.write(`${LINES.slice(0, 4).join('\n')}\n`);
    const first = await t.firstBytes();
    expect(first.status).toBe(200);
    // every line of the four, before the client has sent the rest or ended the body
    for (let i = 0; i < 100 && (await t.firstBytes()).text.split('\n').length < 5; i++) await new Promise((r) => setTimeout(r, 20));
    for (const line of LINES.slice(4)) await t.write(`${line}\n`);
    const whole = await t.end();
    const accounts = whole.text.trim().split('\n').map((l) => (JSON.parse(l) as { account: string }).account);
    expect(accounts).toEqual(LINES.map((l) => (JSON.parse(l) as { account: string }).account));
  });
});

describe('log lines name the caller', () => {
  it('each request its own principal (bound to the request\'s logger, never to another request\'s)', async () => {
    const tokensFile = join(work, 'tokens.yaml');
    const sha256 = (t: string) => createHash('sha256').update(t).digest('hex');
    writeFileSync(tokensFile, `tokens:\n  - { principal: portal-a, sha256: ${sha256('tok-a-000001')}, roles: [evaluate] }\n  - { principal: portal-b, sha256: ${sha256('tok-b-000002')}, roles: [evaluate] }\n`);
    const lines: string[] = [];
    const stream = new Writable({ write(c, _e, cb) { lines.push(...String(c).split('\n').filter(Boolean)); cb(); } });
    const s3: Service = await startService({ ...options(rulesDir), tokens: readTokens(tokensFile) }, listen, { level: 'info', stream });
    try {
      const post = (token: string) => fetch(`${s3.url}/v1/evaluate`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: SINGLE });
      const answers = await Promise.all([post('tok-a-000001'), post('tok-b-000002'), post('tok-a-000001'), post('tok-b-000002')]);
      const ids = answers.map((a) => a.headers.get('x-request-id'));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      const logs = lines.map((l) => JSON.parse(l) as { reqId?: string; msg: string; principal?: string });
      const done = (id: string | null) => logs.find((l) => l.reqId === id && /request completed/.test(l.msg));
      expect(ids.map((id) => done(id)?.principal)).toEqual(['portal-a', 'portal-b', 'portal-a', 'portal-b']);
      // the server's own logger has no principal
      expect(logs.filter((l) => !l.reqId).every((l) => l.principal === undefined)).toBe(true);
    } finally {
      await s3.app.close();
    }
  });
});
