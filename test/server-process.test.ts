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

const ROOT = resolve('.');
const LINES = readFileSync(join(ROOT, 'examples/portfolio.ndjson'), 'utf8').split('\n').filter(Boolean);

/** Starts the CLI's `serve` and resolves with its URL (read from its stderr line). */
function serve(args: string[] = []): Promise<{ child: ChildProcess; url: string; stdout: string[]; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/reseller-credits.js'), 'serve', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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
