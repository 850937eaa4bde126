/**
 * Robustness findings of the code review: bad input (and a reader that goes
 * away) ends in a positioned, coded error while the rest of the work goes on —
 * never a stack trace, never a record lost with exit 0 (SPEC §4, §5).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { asRcErrors, type RcError } from '../src/errors.js';
import { runPortfolio } from '../src/run/sequential.js';
import type { RuleChoice } from '../src/run/record.js';
import type { OutputRecord } from '../src/model/records.js';
import { countJsonKeys, countJsonKeysIfExact, countValueKeys, jsonErrorOffset } from '../src/read/json-scan.js';
import { resolveLimits } from '../src/limits.js';
import { ndjsonChunks } from '../src/read/ndjson-chunks.js';
import { loadRules } from '../src/compose/rules-dir.js';
import { runCases } from '../src/cases/runner.js';
import { readSnapshot } from './support/snapshots.js';
import { tempDir } from './support/temp.js';

// Count calls of the YAML parser, to tell the JSON fast path from the slow one.
vi.mock('yaml', async (importOriginal) => {
  const actual = await importOriginal<typeof import('yaml')>();
  return { ...actual, parseAllDocuments: vi.fn(actual.parseAllDocuments) };
});
const yamlCalls = () => vi.mocked(parseAllDocuments).mock.calls.length;

const byPeriod: RuleChoice = { kind: 'by-period', repo: loadRules('rules') };

/** A valid snapshot (JSON text) for account `account`: credit 0.10 under the shipped rules. */
function snapshot(account: string, amount = '1.00'): string {
  return JSON.stringify({
    schemaVersion: 1, account, period: '2026-03',
    reseller: { approved: true, approvedOn: '2024-08-08' },
    subClients: ['a.example', 'b.example', 'c.example'],
    lineItems: [{ service: 'secureform', amount }],
  });
}

async function run(inputs: string[]): Promise<OutputRecord[]> {
  const out: OutputRecord[] = [];
  await runPortfolio(inputs, byPeriod, { limits: resolveLimits(), onRecord: (r) => { out.push(r); } });
  return out;
}

/** An output record as the account evaluated, or the error's code, file, line, column and message. */
const view = (r: OutputRecord) => (r.ok
  ? { account: r.result.account }
  : { code: r.error.error.code, file: r.error.error.file, line: r.error.error.line, column: r.error.error.column, message: r.error.error.message });

function cli(args: readonly string[]) {
  return spawnSync(process.execPath, ['bin/reseller-credits.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

/** No stack trace and no uncaught-exception banner in `stderr`. */
function expectNoCrash(stderr: string): void {
  expect(stderr).not.toMatch(/Error:|\n {4}at |node:internal|Unhandled/);
}

function errorsOf(f: () => unknown): RcError[] {
  try {
    f();
  } catch (err) {
    return asRcErrors(err);
  }
  throw new Error('expected errors');
}

describe('a reader that closes the pipe (evaluate … | head -c 100)', () => {
  const dir = tempDir('rc-robust-pipe-');
  const big = join(dir, 'big.ndjson');
  // ~1 KB of output per record: megabytes, far more than a pipe holds
  writeFileSync(big, `${Array.from({ length: 4000 }, (_, i) => snapshot(`P-${i}`)).join('\n')}\n`);

  it.each([['1'], ['2']])('ends the run quietly with the status so far (--jobs %s)', async (jobs) => {
    const child = spawn(process.execPath, ['bin/reseller-credits.js', 'evaluate', '--format', 'ndjson', '--jobs', jobs, big], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    let got = 0;
    child.stdout.on('data', (d: Buffer) => {
      got += d.length;
      child.stdout.destroy(); // like `head -c 100`: read a little, then go away
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    expect(got).toBeGreaterThan(0);
    expectNoCrash(stderr);
    expect(signal).toBeNull();
    expect(code).toBe(0); // nothing was wrong with the input read so far
  });
});

describe('JSON array files never lose records in silence', () => {
  const dir = tempDir('rc-robust-array-');
  const A = snapshot('A-1');
  const B = snapshot('B-1');
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('text after the closing ] is an error at that spot', async () => {
    const f = file('two-arrays.json', `[${A}]\n[${B}]\n`);
    expect((await run([f])).map(view)).toEqual([
      { account: 'A-1' },
      { code: 'JSON_SYNTAX', file: f, line: 2, column: 1, message: expect.stringMatching(/after the end of the array/) },
    ]);
  });

  it('an array with no closing ] is an error at its end, after its good elements', async () => {
    const f = file('truncated.json', `[${A},\n ${B}\n\n`);
    expect((await run([f])).map(view)).toEqual([
      { account: 'A-1' },
      { account: 'B-1' },
      { code: 'JSON_SYNTAX', file: f, line: 2, column: B.length + 2, message: expect.stringMatching(/not closed/) },
    ]);
  });

  it('an element cut short is reported once, by its own parse', async () => {
    const f = file('cut.json', `[${A},${B.slice(0, 40)}`);
    const out = (await run([f])).map(view);
    expect(out).toEqual([{ account: 'A-1' }, expect.objectContaining({ code: 'JSON_SYNTAX', line: 1 })]);
  });

  it('empty elements ([A,,B], [,A], [A,]) are errors at the offending comma; A and B are still evaluated', async () => {
    const f = file('commas.json', `[${A},,${B}]`);
    expect((await run([f])).map(view)).toEqual([
      { account: 'A-1' },
      { code: 'JSON_SYNTAX', file: f, line: 1, column: A.length + 3, message: expect.stringMatching(/empty array element/) },
      { account: 'B-1' },
    ]);
    const g = file('lead-trail.json', `[ ,${A},\n]`);
    expect((await run([g])).map(view)).toEqual([
      { code: 'JSON_SYNTAX', file: g, line: 1, column: 3, message: expect.stringMatching(/no element before/) },
      { account: 'A-1' },
      { code: 'JSON_SYNTAX', file: g, line: 1, column: A.length + 4, message: expect.stringMatching(/trailing comma/) },
    ]);
  });

  it('a well-formed array is unchanged, and the command line exits 1 on a malformed one', async () => {
    const ok = file('ok.json', `[\n  ${A},\n  ${B}\n]\n`);
    expect((await run([ok])).map(view)).toEqual([{ account: 'A-1' }, { account: 'B-1' }]);
    const r = cli(['evaluate', '--format', 'json', join(dir, 'two-arrays.json')]);
    expectNoCrash(r.stderr);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/two-arrays\.json:2:1: invalid JSON: text after the end of the array/);
    expect(JSON.parse(r.stdout)).toHaveLength(2);
  });
});

describe('duplicate keys in JSON records', () => {
  it('are rejected with DUPLICATE_KEY, position and path, like YAML (JSON.parse would keep the last)', () => {
    const text = snapshot('D-1').replace('"amount":"1.00"', '"amount":"1","amount":"100000"');
    const errors = errorsOf(() => readSnapshot({ text, format: 'json', file: 'd.json' }));
    expect(errors.map((e) => ({ code: e.code, line: e.line, column: e.column, path: e.path }))).toEqual([
      { code: 'DUPLICATE_KEY', line: 1, column: text.lastIndexOf('"amount"') + 1, path: 'lineItems[0].amount' },
    ]);
    const top = `{"account":"X",${snapshot('D-2').slice(1)}`;
    expect(errorsOf(() => readSnapshot({ text: top, format: 'json' })).map((e) => [e.code, e.path])).toEqual([['DUPLICATE_KEY', 'account']]);
  });

  it('records without duplicates stay on the fast path, even with quotes, colons and backslashes inside strings', () => {
    const account = 'Q-"1": \\", "x":';
    const text = snapshot(account).replace('"subClients":', '"subClients" \n\t:');
    const before = yamlCalls();
    expect(readSnapshot({ text, format: 'json' }).snapshot.account).toBe(account);
    expect(yamlCalls()).toBe(before);
  });

  it('the key count of the text matches the parsed value exactly, for any JSON', () => {
    fc.assert(fc.property(fc.json(), (text) => {
      const value: unknown = JSON.parse(text);
      expect(countJsonKeys(text)).toBe(countValueKeys(value));
      const spaced = JSON.stringify(value, null, 2).replace(/": /g, '"  : ');
      expect(countJsonKeys(spaced)).toBe(countValueKeys(value));
    }), { numRuns: 500 });
    expect(countJsonKeys('{"a\\\\":{"b":"\\":"},"a\\\\":1}')).toBe(3);
    expect(countValueKeys(JSON.parse('{"a\\\\":{"b":"\\":"},"a\\\\":1}'))).toBe(1);
  });

  it('numbers JSON.parse may not read exactly are found in the same pass, outside strings only', () => {
    // the whole-text pattern the fast path used before, applied to the text without its strings
    const needsSource = (text: string) => /\d[eE][+-]?\d|\d{16}|\.\d{7}/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
    const numbers = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String),
      fc.constantFrom('1e2', '1E-3', '2.5e+10', '0.0000001', '1.123456', '12345678901234567', '100000000.000000001', '1234567890123456'));
    const text = fc.tuple(fc.json(), fc.array(fc.tuple(fc.string(), numbers), { maxLength: 4 })).map(([j, extra]) =>
      `{"v":${j}${extra.map(([k, n]) => `,${JSON.stringify(k)}:${n}`).join('')}}`);
    fc.assert(fc.property(text, (t) => {
      expect(countJsonKeysIfExact(t)).toBe(needsSource(t) ? -1 : countJsonKeys(t));
    }), { numRuns: 1000 });
    expect(['{"a":1e2}', '{"a":"1e2"}', '{"a":1234567890123456}', '{"a":1.1234567}', '{"a":1.123456}', '{"a":[1E-3]}', '{"1234567890123456":1}', '{"a":123456789012345}']
      .map(countJsonKeysIfExact)).toEqual([-1, 1, -1, -1, 1, -1, 1, 1]);
  });
});

describe('JSON syntax errors point at the offending character', () => {
  const dir = tempDir('rc-robust-syntax-');

  it('when the message has no position (Node 20: Unexpected token)', () => {
    // by hand: `{` 1, `"schemaVersion"` 2–16, `:` 17, `1` 18, `,` 19, `"account"` 20–28, `:` 29, `}` 30,
    // the `}` where a value should be
    const text = '{"schemaVersion":1,"account":}';
    const [e] = errorsOf(() => readSnapshot({ text, format: 'json', file: 'x.json' }));
    expect({ code: e!.code, line: e!.line, column: e!.column }).toEqual({ code: 'JSON_SYNTAX', line: 1, column: 30 });
    expect(e!.message).toMatch(/^invalid JSON: Unexpected token/);
  });

  it('inside a record that starts mid-file, on a later line of the record', async () => {
    const f = join(dir, 'arr.json');
    writeFileSync(f, `[${snapshot('A-1')}, {"schemaVersion":1,\n  "account":tru}]`);
    expect((await run([f])).map(view)).toEqual([
      { account: 'A-1' },
      { code: 'JSON_SYNTAX', file: f, line: 2, column: 16, message: expect.stringMatching(/Unexpected token/) },
    ]);
  });

  it('the scan agrees with JSON.parse wherever JSON.parse gives a position, and finds the token it names otherwise', () => {
    const base = snapshot('R-"1"\\');
    const edit = fc.tuple(fc.nat(base.length), fc.constantFrom(...'{}[]",:\\ 0-.etn\t\u0001'), fc.boolean());
    fc.assert(fc.property(edit, ([at, ch, insert]) => {
      const text = base.slice(0, at) + ch + base.slice(insert ? at : at + 1);
      let message: string | undefined;
      try { JSON.parse(text); } catch (err) { message = (err as Error).message; }
      const offset = jsonErrorOffset(text);
      const pos = message === undefined ? undefined : /position (\d+)/.exec(message);
      const token = message === undefined ? undefined : /^Unexpected token '(.)'/su.exec(message);
      if (message === undefined) expect(offset).toBeUndefined();
      else if (pos) expect(offset).toBe(Number(pos[1]));
      else if (token) expect(text[offset!]).toBe(token[1]);
      else expect(offset).toBe(text.length);
    }), { numRuns: 3000 });
  });
});

describe('file-system problems are coded errors naming the file; the run goes on', () => {
  const dir = tempDir('rc-robust-fs-');

  it('a dangling symlink in an input folder', async () => {
    const folder = join(dir, 'portfolio');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.json'), snapshot('A-1'));
    symlinkSync(join(dir, 'nowhere.json'), join(folder, 'b.json'));
    writeFileSync(join(folder, 'c.ndjson'), `${snapshot('C-1')}\n`);
    symlinkSync(join(dir, 'nowhere'), join(folder, 'notes.txt')); // not a snapshot name: skipped like any other
    expect((await run([folder])).map(view)).toEqual([
      { account: 'A-1' },
      { code: 'FILE_NOT_FOUND', file: join(folder, 'b.json'), line: undefined, column: undefined, message: expect.stringMatching(/broken symbolic link/) },
      { account: 'C-1' },
    ]);
    const r = cli(['evaluate', folder]);
    expectNoCrash(r.stderr);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${join(folder, 'b.json')}: broken symbolic link`);
  });

  it('a symlink loop in an input folder reads each file once', async () => {
    const folder = join(dir, 'loop');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.json'), snapshot('A-1'));
    symlinkSync('.', join(folder, 'again'));
    expect((await run([folder])).map(view)).toEqual([{ account: 'A-1' }]);
  });

  it('an NDJSON path that cannot be read (a folder named x.ndjson)', async () => {
    const folder = join(dir, 'x.ndjson');
    mkdirSync(folder);
    const items = [];
    for await (const c of ndjsonChunks(folder, 1024)) items.push(c);
    expect(items.map((e) => ({ code: (e as RcError).code, file: (e as RcError).file, message: (e as RcError).message })))
      .toEqual([{ code: 'READ_FAILED', file: folder, message: expect.stringMatching(/folder.*EISDIR/) }]);
  });

  it('rules.lock that is a folder', () => {
    const rules = join(dir, 'rules-lockdir');
    cpSync('rules', rules, { recursive: true });
    rmSync(join(rules, 'rules.lock'));
    mkdirSync(join(rules, 'rules.lock'));
    const repo = loadRules(rules);
    expect(repo.errors[0]).toMatchObject({ code: 'LOCK_INVALID', file: join(rules, 'rules.lock'), message: expect.stringMatching(/EISDIR/) });
    const r = cli(['--rules-dir', rules, 'validate']);
    expectNoCrash(r.stderr);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${join(rules, 'rules.lock')}: cannot read: is a folder, not a file (EISDIR)`);
    const p = cli(['--rules-dir', rules, 'publish', '2026-01', '--approved-by', 'Test Approver']);
    expectNoCrash(p.stderr);
    expect(p.status).toBe(1); // as validate: the lock is an invalid input, nothing is published
    expect(p.stderr).toContain(`${join(rules, 'rules.lock')}: cannot read: is a folder, not a file (EISDIR)`);
  });

  it('--rules-dir naming a file', () => {
    const v = cli(['--rules-dir', 'README.md', 'validate']);
    expectNoCrash(v.stderr);
    expect(v.status).toBe(2); // SPEC §5 "Exit status in detail": 2 for every command
    expect(v.stderr).toMatch(/^README\.md: is a file, not a rules folder/m);
    const e = cli(['--rules-dir', 'README.md', 'evaluate', 'test/cases/2026-01/snapshots/seed-1500.yaml']);
    expectNoCrash(e.stderr);
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(/README\.md: is a file, not a rules folder/);
  });

  it('a dangling symlink in a case folder is a broken case; the others run', async () => {
    const cases = join(dir, 'cases');
    mkdirSync(cases);
    cpSync('test/cases/2026-01/seed-px2.yaml', join(cases, 'a.yaml'));
    symlinkSync(join(dir, 'nowhere.yaml'), join(cases, 'b.yaml'));
    symlinkSync(join(dir, 'nowhere'), join(cases, 'gone-folder'));
    const { outcomes, errors } = await runCases([cases]);
    expect(errors).toEqual([]);
    expect(outcomes.map((o) => [o.file, o.status])).toEqual([[join(cases, 'a.yaml'), 'passed'], [join(cases, 'b.yaml'), 'broken']]);
    const r = cli(['test', cases]);
    expectNoCrash(r.stderr);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(join(cases, 'b.yaml'));
    expect(r.stdout).toMatch(/1 passed, 1 failed/);
  });
});
