/**
 * `reseller-credits serve` as a process: it prints its URL on stderr once it
 * listens, logs JSON with a request id, and on SIGTERM stops accepting, lets
 * the request in flight finish (its answer complete), then exits 0. Real
 * process, real port, real signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { trickle } from './support/service.js';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

const ROOT = resolve('.');
const LINES = readFileSync(join(ROOT, 'examples/portfolio.ndjson'), 'utf8').split('\n').filter(Boolean);

/** Starts the CLI's `serve` and resolves with its URL (read from its stderr line). */
function serve(args: string[] = [], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string; stdout: string[]; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/reseller-credits.js'), 'serve', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const stdout: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => stdout.push(l));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolveUrl, reject) => {
    createInterface({ input: child.stderr! }).on('line', (l) => {
      const m = /serving (http:\/\/\S+)/.exec(l);
      if (m) resolveUrl({ child, url: m[1]!, stdout, exit });
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code} before listening`)));
  });
}

describe('serve as a process', () => {
  it('SIGTERM lets the request in flight finish, refuses new connections, exits 0', async () => {
    const s = await serve(['--shutdown-timeout', '20']);
    const t = trickle(s.url, '/v1/evaluate', { 'content-type': 'application/x-ndjson' });
    for (const line of LINES.slice(0, 4)) await t.write(`${line}\n`);
    const first = await t.firstBytes();
    expect(first.status).toBe(200);
    s.child.kill('SIGTERM');
    // the listener closes: a new connection is refused while the old one still streams
    let refused = false;
    for (let i = 0; i < 50 && !refused; i++) {
      try {
        await fetch(`${s.url}/health/live`);
        await new Promise((r) => setTimeout(r, 50));
      } catch {
        refused = true;
      }
    }
    expect(refused).toBe(true);
    for (const line of LINES.slice(4)) await t.write(`${line}\n`);
    const whole = await t.end();
    expect(whole.text.trim().split('\n')).toHaveLength(LINES.length);
    expect(await s.exit).toBe(0);
    // structured logs: one JSON object per line, each request with its id
    const logs = s.stdout.map((l) => JSON.parse(l) as { reqId?: string; msg: string; principal?: string });
    expect(logs.some((l) => l.reqId && /request completed/.test(l.msg) && l.principal === 'local')).toBe(true);
    expect(logs.some((l) => /shutting down/.test(l.msg))).toBe(true);
  });
});

describe('issue runs and the process dying or stopping', () => {
  const work = tempDir('rc-service-proc-');
  const NDJSON = LINES.join('\n') + '\n';
  const post = (url: string, key: string) => fetch(`${url}/v1/periods/2026-11/issue`, {
    method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': key }, body: NDJSON,
  });
  const entries = async (ledger: string) => JSON.parse((await runCli(['ledger', 'show', '--format', 'json', '--ledger', ledger])).stdout) as unknown[];

  it('killed (SIGKILL) between the commit and the answer: the retry after a restart answers the run, issues nothing twice', async () => {
    const ledger = join(work, 'killed.sqlite');
    expect((await runCli(['ledger', 'init', ledger])).status).toBe(0);
    const dying = await serve(['--ledger', ledger], { RESELLER_CREDITS_FAULT: 'after-commit' });
    await expect(post(dying.url, 'k-1')).rejects.toThrow(); // the connection dies with the process
    expect(await dying.exit).toBe(null); // killed by a signal
    expect(await entries(ledger)).toHaveLength(LINES.length); // committed
    const again = await serve(['--ledger', ledger]);
    try {
      const r = await post(again.url, 'k-1');
      expect(r.status).toBe(200);
      expect(r.headers.get('idempotent-replayed')).toBe('true');
      const body = await r.json() as { run: { counts: { issued: number } }; entries: unknown[] };
      expect(body.run.counts.issued).toBe(LINES.length);
      expect(body.entries).toHaveLength(LINES.length);
      expect(await entries(ledger)).toHaveLength(LINES.length); // not issued twice
    } finally {
      again.child.kill('SIGTERM');
      await again.exit;
    }
  });

  it('killed before the commit: nothing recorded; the retry issues', async () => {
    const ledger = join(work, 'rolled-back.sqlite');
    expect((await runCli(['ledger', 'init', ledger])).status).toBe(0);
    const dying = await serve(['--ledger', ledger], { RESELLER_CREDITS_FAULT: 'before-commit' });
    await expect(post(dying.url, 'k-2')).rejects.toThrow();
    await dying.exit;
    expect(await entries(ledger)).toHaveLength(0);
    const again = await serve(['--ledger', ledger]);
    try {
      const r = await post(again.url, 'k-2');
      expect(r.status).toBe(200);
      expect(r.headers.get('idempotent-replayed')).toBeNull();
      expect(await entries(ledger)).toHaveLength(LINES.length);
    } finally {
      again.child.kill('SIGTERM');
      await again.exit;
    }
  });

  it('SIGTERM during a long NDJSON issue: the run commits, its 200 answer is complete, exit 0', async () => {
    const ledger = join(work, 'sigterm.sqlite');
    expect((await runCli(['ledger', 'init', ledger])).status).toBe(0);
    const s = await serve(['--ledger', ledger, '--shutdown-timeout', '20']);
    const t = trickle(s.url, '/v1/periods/2026-11/issue', { 'content-type': 'application/x-ndjson', 'idempotency-key': 'k-term' });
    await t.write(`${LINES.slice(0, 5).join('\n')}\n`);
    await new Promise((r) => setTimeout(r, 200));
    s.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    await t.write(`${LINES.slice(5).join('\n')}\n`);
    const whole = await t.end();
    expect(whole.status).toBe(200);
    expect(JSON.parse(whole.text).run.counts.issued).toBe(LINES.length);
    expect(await s.exit).toBe(0);
    expect(await entries(ledger)).toHaveLength(LINES.length);
  });
});

describe('the systemd unit in examples/', () => {
  const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => { try { readFileSync(p); return true; } catch { return false; } });
  it.skipIf(!analyze)('passes `systemd-analyze verify` without a warning', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(analyze!, ['verify', join(ROOT, 'examples/reseller-credits.service')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr.trim()).toBe('');
    expect(readFileSync(join(ROOT, 'examples/reseller-credits.service'), 'utf8')).toMatch(/ExecStart=.* serve /);
  });
});
