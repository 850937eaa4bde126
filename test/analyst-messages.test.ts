/**
 * Messages a billing analyst can act on (issue 7 item 14): the right hint for
 * a date with a time or zone and for an id like "..", the right limit name
 * for a rule file, a duplicate key in rules.lock called a duplicate key, an
 * alias to another document's anchor explained, one error for one bad date.
 * Fixtures in test/fixtures/hints/.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRuleSetFile } from '../src/compose/ruleset-loader.js';
import { readCaseFile } from '../src/cases/file.js';
import { resolveLimits } from '../src/limits.js';
import { tempDir } from './support/temp.js';
import { runCli } from './support/run-cli.js';

/** The CLI in this process (test/support/run-cli.ts), without colours. */
const cli = (...args: string[]) => runCli(args, { env: { FORCE_COLOR: undefined } });
const H = 'test/fixtures/hints';
const errorLines = (stderr: string, file: string) => stderr.split('\n').filter((l) => l.startsWith(`${file}:`));

describe('hints', () => {
  it('a date with a time and zone in a snapshot asks for YYYY-MM-DD, with the date to write', async () => {
    const r = await cli('evaluate', `${H}/date-with-time.yaml`);
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr, `${H}/date-with-time.yaml`)).toEqual([
      `${H}/date-with-time.yaml:5:41: reseller.approvedOn: "2026-03-15T00:00:00Z" has a time or zone; write the date alone as YYYY-MM-DD: "2026-03-15"`,
    ]);
    expect(r.stderr).not.toContain('letters, digits');
  });

  it('a date with a time in a rule set: one error, the same hint', async () => {
    const r = await cli('validate', `${H}/2099-04.yaml`);
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr, `${H}/2099-04.yaml`)).toEqual([
      `${H}/2099-04.yaml:33:20: effective.from: "2026-03-15T00:00:00Z" has a time or zone; write the date alone as YYYY-MM-DD: "2026-03-15"`,
    ]);
  });

  it('a bad until gives one error, not two', async () => {
    const r = await cli('validate', `${H}/2099-05.yaml`);
    expect(errorLines(r.stderr, `${H}/2099-05.yaml`)).toEqual([
      `${H}/2099-05.yaml:33:41: effective.until: "2027-1-1" has the wrong form (expected YYYY-MM-DD)`,
    ]);
  });

  it('the id ".." gets a hint it does not already satisfy', async () => {
    const r = await cli('validate', `${H}/2099-06.yaml`);
    const [line] = errorLines(r.stderr, `${H}/2099-06.yaml`);
    expect(line).toBe(`${H}/2099-06.yaml:21:5: id: ".." has the wrong form (expected a letter or digit first, then letters, digits, ".", "_" or "-"; at most 64 characters)`);
  });

  it('a rule set or case file over the limit names maxRuleFileBytes', () => {
    const r = readRuleSetFile(`${H}/2099-05.yaml`, { limits: { maxRuleFileBytes: 100 } });
    expect(r.errors.map((e) => [e.code, e.message])).toEqual([['FILE_TOO_LARGE', expect.stringMatching(/the limit \(maxRuleFileBytes\) is 100$/)]]);
    const c = readCaseFile('test/cases/2026-01/seed-px2.yaml', resolveLimits({ maxRuleFileBytes: 100 }));
    expect(c.errors.map((e) => e.message)).toEqual([expect.stringMatching(/\(maxRuleFileBytes\)/)]);
  });

  it('a duplicate key in rules.lock is reported as one, at its line', async () => {
    const rules = join(tempDir(), 'rules');
    cpSync('rules', rules, { recursive: true });
    cpSync(`${H}/dup-lock/rules.lock`, join(rules, 'rules.lock'));
    const r = await cli('--rules-dir', rules, 'validate');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${join(rules, 'rules.lock')}:3:3: duplicate key "2026-01": each version has one entry`);
    expect(r.stderr).not.toContain('must be a JSON object');
  });

  it('an alias to an anchor of another YAML document: anchors do not cross documents (not an alias bomb)', async () => {
    const r = await cli('evaluate', `${H}/alias-across-documents.yaml`);
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr, `${H}/alias-across-documents.yaml`)).toEqual([
      `${H}/alias-across-documents.yaml:10:10: alias *acct has no anchor &acct before it in this document; anchors do not cross documents (---): set the anchor in this document or repeat the value`,
    ]);
    expect(r.stderr).toContain('2 record(s): 1 evaluated, 1 error(s)');
    // a real alias bomb is still called one
    expect((await cli('evaluate', 'test/fixtures/hostile/billion-laughs.yaml')).stderr).toMatch(/alias references.*maxAliasCount/);
  });
});
