/**
 * The auditor's recipe of docs/ledger.md, in another language: its Python
 * block is taken from the doc as written and run with python3 on real
 * ledgers holding numbers that Python and JavaScript write differently
 * (0.00005 is `5e-05` in Python, 0.000001 `1e-06`, and 15 significant
 * digits). It must give the program's own head on an untouched ledger and
 * stop on a forged one.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { sha256, sortedJson } from './support/sorted-json.js';
import { tempDir } from './support/temp.js';
import { writeNdjson } from './support/ledger.js';

const work = tempDir('rc-ledger-recipe-');
let n = 0;
const hasPython = spawnSync('python3', ['--version']).status === 0;

const doc = readFileSync('docs/ledger.md', 'utf8');
const recipe = /```python\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
const script = join(work, 'check.py');
writeFileSync(script, recipe);
const python = (...args: string[]) => spawnSync('python3', args, { encoding: 'utf8' });

/** A snapshot whose quantities JavaScript and Python write differently. */
const awkward = (account: string, period: string, extra = 0) => ({
  schemaVersion: 1, account, period,
  reseller: { approved: true, approvedOn: '2025-01-15' },
  subClients: ['a.example', 'b.example', 'c.example'],
  lineItems: [
    { service: 'starter-plus-user', quantity: 0.00005, unitPrice: '4.00' },
    { service: 'starter-plus-user', quantity: 0.000001, unitPrice: '4.00' },
    { service: 'starter-plus-user', quantity: 123456789.123456 + extra, unitPrice: '4.00' },
    { service: 'starter-plus-user', quantity: 999999999999999, unitPrice: '0.00' },
    { service: 'starter-plus-user', quantity: 25, unitPrice: '4.00' },
  ],
});

async function awkwardLedger(): Promise<{ file: string; head: string; count: number }> {
  const file = join(work, `${n++}.sqlite`);
  expect((await runCli(['ledger', 'init', file])).status).toBe(0);
  const run = async (period: string, snaps: object[]) => {
    const r = await runCli(['issue', '--period', period, '--ledger', file, writeNdjson(work, `${n++}.ndjson`, snaps)]);
    expect(r.status, r.stderr).toBe(0);
  };
  await run('2026-10', [awkward('R-1', '2026-10'), awkward('R-2', '2026-10')]);
  await run('2026-10', [awkward('R-1', '2026-10', 1)]); // an adjustment
  await run('2026-11', [awkward('R-1', '2026-11')]); // a statement carrying it
  const v = await runCli(['ledger', 'verify', '--ledger', file]);
  expect(v.stdout).toContain('4 entries verified, 0 problem(s)');
  const m = /head ([0-9a-f]{64}), (\d+) entries/.exec(v.stdout)!;
  return { file, head: m[1]!, count: Number(m[2]) };
}

describe.skipIf(!hasPython)('the auditor\'s recipe in docs/ledger.md, run with python3', () => {
  it('the doc has the Python block', () => {
    expect(recipe).toContain('def canon(v):');
    expect(recipe).toContain("print('head', prev, count)");
  });

  it('gives the program\'s head on a ledger with 0.00005, 0.000001 and 15-digit quantities, where json.dumps would false-alarm', async () => {
    const l = await awkwardLedger();
    const body = (new Database(l.file, { readonly: true }).prepare('SELECT body FROM entries WHERE seq = 1').get() as { body: string }).body;
    expect(body).toContain('"quantity":0.00005,');
    expect(body).toContain('"quantity":0.000001,');
    expect(body).toContain('"quantity":123456789.123456,');
    expect(body).toContain('"quantity":999999999999999,');
    // the old recipe (json.dumps with sorted keys) writes 5e-05 and 1e-06: another text, another hash
    const naive = python('-c', 'import json,sys; print(json.dumps(json.loads(sys.argv[1]), sort_keys=True, separators=(",", ":"), ensure_ascii=False))', body);
    expect(naive.stdout).toContain('"quantity":5e-05,');
    expect(naive.stdout.trim()).not.toBe(body);
    const r = python(script, l.file);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`head ${l.head} ${l.count}\n`);
  });

  it('writes numbers as JavaScript does, for 6,000 doubles (random bit patterns and decimals)', () => {
    const gen = python('-c', `
import random, struct, json
random.seed(7)
v = [0.00005, 0.000001, 1e-7, 1e21, 1e20, 123456789.123456, 999999999999999, -0.5, 5e-324, 1.7976931348623157e308]
for _ in range(3000):
    v.append(struct.unpack('d', struct.pack('Q', random.getrandbits(64)))[0])
    v.append(round(random.uniform(-1e6, 1e6), random.randint(0, 8)))
print(json.dumps([x for x in v if x == x and abs(x) != float('inf')]))`);
    const values = JSON.parse(gen.stdout) as number[];
    const number = recipe.slice(recipe.indexOf('def number'), recipe.indexOf('def canon'));
    const ours = spawnSync('python3', ['-c', `import json, sys\n${number}\nprint(json.dumps([number(x) for x in json.load(sys.stdin)]))`],
      { input: JSON.stringify(values), encoding: 'utf8' });
    expect(ours.stderr).toBe('');
    const written = JSON.parse(ours.stdout) as string[];
    expect(written).toHaveLength(values.length);
    expect(written.filter((w, i) => w !== JSON.stringify(values[i]))).toEqual([]);
  });

  it('stops on a planted adjustment whose prev and hash were computed by the recipe', async () => {
    const l = await awkwardLedger();
    const db = new Database(l.file);
    const two = JSON.parse((db.prepare('SELECT body FROM entries WHERE seq = 2').get() as { body: string }).body) as Record<string, unknown>;
    const id = sha256('adjustment|R-2|2026-10|1');
    const { statement: _s, ...rest } = two;
    const body = { ...rest, id, kind: 'adjustment', amount: '5000.00', reason: 'snapshot changed', prev: l.head };
    const text = sortedJson(body);
    db.prepare(`INSERT INTO entries (id, kind, account, account_key, period, n, rules_sha256, snapshot_sha256, credit, amount, run_id, body, prev, hash)
      VALUES (?, 'adjustment', 'R-2', 'r-2', '2026-10', 1, ?, ?, ?, '5000.00', ?, ?, ?, ?)`)
      .run(id, (two.rules as { sha256: string }).sha256, two.snapshotSha256, (two.result as { credit: string }).credit, two.runId, text, l.head, sha256(l.head + text));
    db.close();
    const r = python(script, l.file);
    expect(r.status).not.toBe(0);
    const m = /AssertionError: \('R-2', '2026-10'\): issued \+ adjustments = (\d+\.\d\d), latest credit (\d+\.\d\d)\n$/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    // exactly the planted 5,000.00 too much (cents, as integers)
    expect(Math.round(Number(m![1]) * 100) - Math.round(Number(m![2]) * 100)).toBe(500_000);
  });
});
