/**
 * `validate --format json`, `test --format json` and `test --format junit`
 * (issue 7 item 17): shapes as docs/cli.md documents them, JUnit XML that a
 * strict XML parser (saxes) accepts, with hostile text from cases escaped.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { xmlDocument, xmlEscape } from '../src/text/xml.js';
import { tempDir } from './support/temp.js';
import { runCli } from './support/run-cli.js';

/** The CLI in this process (test/support/run-cli.ts), without colours. */
const cli = (...args: string[]) => runCli(args, { env: { FORCE_COLOR: undefined } });

interface El { name: string; attrs: Record<string, string>; text: string; children: El[] }

/** Parses `xml` strictly (saxes throws on anything not well-formed) into a small tree. */
function parseXml(xml: string): El {
  const parser = new SaxesParser();
  const root: El = { name: '#root', attrs: {}, text: '', children: [] };
  const stack: El[] = [root];
  parser.on('opentag', (t) => {
    const el: El = { name: t.name, attrs: t.attributes as Record<string, string>, text: '', children: [] };
    stack.at(-1)!.children.push(el);
    stack.push(el);
  });
  parser.on('text', (t) => { stack.at(-1)!.text += t; });
  parser.on('closetag', () => { stack.pop(); });
  parser.write(xml).close();
  return root.children[0]!;
}

const work = tempDir();

describe('test --format junit', () => {
  it('one testcase per case, failures and errors counted, hostile names escaped, and it parses', async () => {
    const cases = join(work, 'cases');
    cpSync('test/fixtures/terminal/cases', cases, { recursive: true });
    cpSync('test/cases/2026-01/seed-px2.yaml', join(cases, 'seed-px2.yaml'));
    writeFileSync(join(cases, 'broken.yaml'), 'name: "broken <&> case"\nrules: "2026-01"\n');
    const r = await cli('test', '--format', 'junit', cases, join(work, 'no-such-folder'));
    expect(r.status).toBe(1);
    const suites = parseXml(r.stdout);
    expect(suites.name).toBe('testsuites');
    expect(suites.attrs).toMatchObject({ tests: '4', failures: '1', errors: '2' });
    const suite = suites.children[0]!;
    expect(suite.attrs).toMatchObject({ tests: '4', failures: '1', errors: '2', skipped: '0' });
    const byName = new Map(suite.children.map((c) => [c.attrs.name, c]));
    expect([...byName.keys()]).toEqual([
      'broken <&> case',
      'evil \\x1b[2J\\x1b[H case\\nok     forged-pass.yaml',
      'seed example: 25 Starter Plus users and a Px2 dedicated server',
      join(work, 'no-such-folder'),
    ]);
    const evil = byName.get('evil \\x1b[2J\\x1b[H case\\nok     forged-pass.yaml')!;
    expect(evil.children.map((c) => c.name)).toEqual(['failure']);
    expect(evil.children[0]!.attrs.type).toBe('CASE_FAILED');
    expect(evil.children[0]!.text).toContain('expect.credit: expected "99.00", actual "10.00"');
    expect(byName.get('broken <&> case')!.children.map((c) => c.name)).toEqual(['error']);
    expect(byName.get('seed example: 25 Starter Plus users and a Px2 dedicated server')!.children).toEqual([]);
    expect(byName.get(join(work, 'no-such-folder'))!.children[0]!.text).toContain('no such case file or folder');
  });

  it('the writer escapes markup and characters XML 1.0 forbids', () => {
    const hostile = 'a<b>&"\'\x1b[2J\x00\x07\ud800\uffff ok';
    const xml = xmlDocument({ name: 'r', attrs: { v: hostile }, children: [{ name: 't', text: `${hostile}\nline 2` }] });
    const root = parseXml(xml);
    expect(root.attrs.v).toBe('a<b>&"\'\\x1b[2J\\x00\\x07\\ud800\\uffff ok');
    expect(root.children[0]!.text).toBe('a<b>&"\'\\x1b[2J\\x00\\x07\\ud800\\uffff ok\nline 2');
    expect(xmlEscape('x\ud83d\ude00y')).toBe('x\ud83d\ude00y'); // a whole surrogate pair stays
  });
});

describe('test --format json', () => {
  it('every case with its status and errors, the inputs that gave none, and the counts', async () => {
    const r = await cli('test', '--format', 'json', 'test/fixtures/terminal/cases', 'test/cases/2026-01/seed-px2.yaml', 'test/fixtures/inputs/no-snapshots');
    expect(r.status).toBe(1);
    const o = JSON.parse(r.stdout);
    expect(o.cases).toEqual([
      {
        file: 'test/fixtures/terminal/cases/evil-name.yaml', name: 'evil \x1b[2J\x1b[H case\nok     forged-pass.yaml', status: 'failed',
        errors: [{ code: 'CASE_FAILED', message: 'expected "99.00", actual "10.00"', file: 'test/fixtures/terminal/cases/evil-name.yaml', line: 14, column: 11, path: 'expect.credit' }],
      },
      { file: 'test/cases/2026-01/seed-px2.yaml', name: 'seed example: 25 Starter Plus users and a Px2 dedicated server', status: 'passed', errors: [] },
    ]);
    expect(o.inputErrors).toEqual([{ code: 'NO_SNAPSHOT', message: 'holds no case file (.yaml, .yml)', file: 'test/fixtures/inputs/no-snapshots' }]);
    expect(o.summary).toEqual({ cases: 2, passed: 1, failed: 1, broken: 0, inputErrors: 1 });
  });

  it('all passing: 0', async () => {
    const r = await cli('test', '--format', 'json', 'test/cases/2026-01/seed-px2.yaml');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).summary).toEqual({ cases: 1, passed: 1, failed: 0, broken: 0, inputErrors: 0 });
  });
});

describe('validate --format json', () => {
  it('the shipped folder: every file valid', async () => {
    const r = await cli('validate', '--format', 'json');
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.rulesDir).toBe('rules');
    expect(o.files.map((f: { file: string; valid: boolean }) => [f.file, f.valid])).toEqual([['rules/2026-01.yaml', true], ['rules/2027-01.yaml', true]]);
    expect(o.summary).toEqual({ files: 2, valid: 2, invalid: 0, errors: 0 });
    expect(r.stderr).toContain('2 rule set(s) in rules/: 2 valid, 0 invalid; 0 error(s)');
  });

  it('a broken file: its errors, positioned, under it and in the list of all errors; 1', async () => {
    const rules = join(work, 'rules');
    cpSync('rules', rules, { recursive: true });
    const text = spawnSync('cat', ['rules/2026-01.yaml'], { encoding: 'utf8' }).stdout;
    const broken = join(rules, '2099-01.yaml');
    writeFileSync(broken, text.replace('id: "2026-01"', 'id: "2099-01"').replace('status: published', 'status: draft')
      .replace('creditPercent: "20"', 'creditPercent: 20'));
    const r = await cli('--rules-dir', rules, 'validate', '--format', 'json');
    expect(r.status).toBe(1);
    const o = JSON.parse(r.stdout);
    const f = o.files.find((x: { file: string }) => x.file === broken);
    expect(f).toMatchObject({ id: '2099-01', status: 'draft', valid: false });
    expect(f.errors).toEqual([expect.objectContaining({ code: 'BAD_AMOUNT', path: 'tiers[3].creditPercent', line: expect.any(Number), column: expect.any(Number) })]);
    expect(o.errors).toEqual(f.errors);
    expect(o.summary).toEqual({ files: 3, valid: 2, invalid: 1, errors: 1 });
  });

  it('named files: rulesDir null', async () => {
    const r = await cli('validate', '--format', 'json', 'test/fixtures/terminal/2099-01.yaml');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rulesDir: null, files: [{ file: 'test/fixtures/terminal/2099-01.yaml', id: '2099-01', status: 'draft', valid: true, errors: [] }] });
  });
});
