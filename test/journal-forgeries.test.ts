/**
 * SPEC §6, "Recovery trusts nothing it did not write": hand-written publish
 * journals, each as a table row. A writing command refuses every one (exit
 * 2, naming what is wrong) and leaves the folder — and any file outside it —
 * unchanged byte for byte; reading commands warn and read the folder as it
 * is on disk (the seed example is still credited 10%, not 90%). A journal of
 * the shape a real publish writes is still completed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { hashWithStatus } from '../src/parse/canonical.js';
import { JOURNAL_FILE, journalEntry, journalText, type Journal, type JournalEntry } from '../src/folder/publish-journal.js';
import { lockText } from '../src/folder/lock.js';
import { logLineText } from '../src/folder/publish-log.js';
import { runCli } from './support/run-cli.js';
import { tree } from './support/signed-folder.js';
import { tempDir } from './support/temp.js';

const SEED = 'examples/seed-px2.yaml';
const SHIPPED_LOCK = JSON.parse(readFileSync('rules/rules.lock', 'utf8')) as Record<string, string>;

/** A plain copy of the shipped folder, an outside file, and the journal written by `make`. */
function folder(name: string) {
  const base = tempDir('rc-journal-');
  const dir = join(base, 'rules');
  mkdirSync(dir);
  for (const n of ['2026-01.yaml', '2027-01.yaml', 'rules.lock']) writeFileSync(join(dir, n), readFileSync(join('rules', n)));
  const outside = join(base, 'outside.txt');
  writeFileSync(outside, `someone else's file (${name})\n`);
  return { base, dir, outside };
}

const text = (dir: string, n: string) => readFileSync(join(dir, n), 'utf8');
const hashOf = (yamlText: string) => hashWithStatus(parse(yamlText, { schema: 'core' }), 'published');
const line = (id: string, sha256: string, extra: object = {}) => logLineText({ id, sha256, approvedBy: 'Dana Lee', publishedAt: '2026-12-07T09:00:00Z', review: null, action: 'publish', ...extra });
const write = (dir: string, files: JournalEntry[], over: Partial<Journal> = {}) => writeFileSync(join(dir, JOURNAL_FILE), journalText({
  format: 1, id: '2026-01', action: 'publish', approvedBy: 'Dana Lee', startedAt: '2026-12-07T09:00:00Z', pid: 999999, host: 'elsewhere', files, ...over,
}));
const ninety = (dir: string) => text(dir, '2026-01.yaml').replace('creditPercent: "10" }', 'creditPercent: "90" }');

interface Row { name: string; forge: (f: ReturnType<typeof folder>) => void; refusal: RegExp }

const ROWS: Row[] = [
  {
    name: 'content change: 2026-01 at 90% with its lock entry to match (the issue\'s forgery)',
    forge: ({ dir }) => {
      const after = ninety(dir);
      write(dir, [
        journalEntry(dir, '2026-01.yaml', after),
        journalEntry(dir, 'rules.lock', lockText({ ...SHIPPED_LOCK, '2026-01': hashOf(after) })),
        journalEntry(dir, 'publish-log.ndjson', line('2026-01', hashOf(after))),
      ]);
    },
    refusal: /2026-01\.yaml: a publish sets status draft or retired → published, not published → published/,
  },
  {
    name: 'content change with the status: draft 2027-01 published at 90%',
    forge: ({ dir }) => {
      const after = text(dir, '2027-01.yaml').replace(/^status: draft/m, 'status: published').replace('creditPercent: "10" }', 'creditPercent: "90" }');
      write(dir, [
        journalEntry(dir, '2027-01.yaml', after),
        journalEntry(dir, 'rules.lock', lockText({ ...SHIPPED_LOCK, '2027-01': hashOf(after) })),
        journalEntry(dir, 'publish-log.ndjson', line('2027-01', hashOf(after))),
      ], { id: '2027-01' });
    },
    refusal: /2027-01\.yaml: the content after differs from the content before in more than its status/,
  },
  {
    name: 'lock change: the existing entry of 2026-01 rewritten',
    forge: ({ dir }) => write(dir, [
      journalEntry(dir, 'rules.lock', lockText({ '2026-01': 'a'.repeat(64) })),
      journalEntry(dir, 'publish-log.ndjson', line('2026-01', 'a'.repeat(64))),
    ]),
    refusal: /rules\.lock already holds 2026-01: recovery never changes an existing lock entry/,
  },
  {
    name: 'extra log line: a real-looking publish of 2027-01 that appends two lines',
    forge: ({ dir }) => {
      const after = text(dir, '2027-01.yaml').replace(/^status: draft/m, 'status: published');
      write(dir, [
        journalEntry(dir, '2027-01.yaml', after),
        journalEntry(dir, 'rules.lock', lockText({ ...SHIPPED_LOCK, '2027-01': hashOf(after) })),
        journalEntry(dir, 'publish-log.ndjson', line('2027-01', hashOf(after)) + line('2026-01', SHIPPED_LOCK['2026-01']!)),
      ], { id: '2027-01' });
    },
    refusal: /publish-log\.ndjson: the journal does not append exactly one valid line/,
  },
  {
    name: 'symbolic link: publish-log.ndjson points outside the folder',
    forge: ({ dir, outside }) => {
      const after = text(dir, '2027-01.yaml').replace(/^status: draft/m, 'status: published');
      symlinkSync(outside, join(dir, 'publish-log.ndjson'));
      write(dir, [
        journalEntry(dir, '2027-01.yaml', after),
        journalEntry(dir, 'rules.lock', lockText({ ...SHIPPED_LOCK, '2027-01': hashOf(after) })),
        { ...journalEntry(dir, 'publish-log.ndjson', 'overwritten\n'), beforeBase64: null, beforeSha256: null },
      ], { id: '2027-01' });
    },
    refusal: /publish-log\.ndjson is a symbolic link: recovery writes only regular files inside the rules folder/,
  },
  {
    name: 'symbolic link: a rule file of another name pointing outside',
    forge: ({ dir, outside }) => {
      symlinkSync(outside, join(dir, 'notes.yaml'));
      write(dir, [{ name: 'notes.yaml', beforeSha256: null, beforeBase64: null, after: 'overwritten\n', afterSha256: createHash('sha256').update('overwritten\n').digest('hex') }]);
    },
    refusal: /it names "notes\.yaml": a publish of 2026-01 writes only 2026-01\.yaml, rules\.lock, publish-log\.ndjson/,
  },
  {
    name: '..: a file outside the folder named through the parent',
    forge: ({ dir }) => write(dir, [{ name: '../outside.txt', beforeSha256: null, beforeBase64: null, after: 'overwritten\n', afterSha256: createHash('sha256').update('overwritten\n').digest('hex') }]),
    refusal: /the publish journal is not usable \(a file entry is damaged\)/,
  },
  {
    name: 'the journal itself a symbolic link',
    forge: ({ dir, base }) => {
      const real = join(base, 'real-journal.json');
      write(dir, []);
      writeFileSync(real, readFileSync(join(dir, JOURNAL_FILE)));
      rmSync(join(dir, JOURNAL_FILE));
      symlinkSync(real, join(dir, JOURNAL_FILE));
    },
    refusal: /the publish journal is a symbolic link/,
  },
];

describe('forged publish journals', () => {
  it.each(ROWS)('$name: publish refuses (exit 2) and changes nothing; evaluate warns and reads the folder as on disk', async (row) => {
    const f = folder(row.name);
    row.forge(f);
    const before = tree(f.base);
    const p = await runCli(['--rules-dir', f.dir, 'publish', '2027-01', '--approved-by', 'Dana Lee']);
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(row.refusal);
    expect(p.stderr).toMatch(/2027-01 was not published/);
    expect(tree(f.base)).toEqual(before);
    expect(readFileSync(f.outside, 'utf8')).toMatch(/^someone else's file/);
    const e = await runCli(['--rules-dir', f.dir, 'evaluate', SEED]);
    expect(e.status).toBe(0);
    expect(e.stdout).toContain('Credit = 10% × $250.00 = $25.00');
    expect(e.stderr).toMatch(/warning: .*(not one this program writes|journal)/);
    const v = await runCli(['--rules-dir', f.dir, 'validate']);
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(/JOURNAL|journal/);
    expect(tree(f.base)).toEqual(before);
  });

  it('a journal of the shape a real publish writes is still completed by the next write', async () => {
    const f = folder('genuine');
    const after = text(f.dir, '2027-01.yaml').replace(/^status: draft/m, 'status: published');
    const hash = hashOf(after);
    write(f.dir, [
      journalEntry(f.dir, 'rules.lock', lockText({ ...SHIPPED_LOCK, '2027-01': hash })),
      journalEntry(f.dir, '2027-01.yaml', after),
      journalEntry(f.dir, 'publish-log.ndjson', line('2027-01', hash)),
    ], { id: '2027-01' });
    const p = await runCli(['--rules-dir', f.dir, 'publish', '2027-01', '--approved-by', 'Dana Lee']);
    expect(p.status).toBe(0);
    expect(p.stderr).toMatch(/completed the interrupted publish of 2027-01/);
    expect(JSON.parse(text(f.dir, 'rules.lock'))).toEqual({ ...SHIPPED_LOCK, '2027-01': hash });
    expect(text(f.dir, '2027-01.yaml')).toBe(after);
  });
});
