/**
 * `retire ID` (src/publish/retire.ts), each refusal as a table row on a copy
 * of the shipped folder: the exact reason, and the folder byte for byte as
 * before. Then what a retire does write: the status line only (a BOM kept),
 * the log line appended after a newline the log lacked, the lock untouched;
 * a dry run writes nothing; an interrupted publish is completed first.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { hashWithStatus } from '../src/parse/canonical.js';
import { acquireFolderLock } from '../src/folder/folder-lock.js';
import { JOURNAL_FILE, journalEntry, journalText } from '../src/folder/publish-journal.js';
import { lockText } from '../src/folder/lock.js';
import { logLineText } from '../src/folder/publish-log.js';
import { retireVersion, type RetireOptions } from '../src/publish/retire.js';
import { tree } from './support/signed-folder.js';
import { tempDir } from './support/temp.js';

const SHIPPED_LOCK = JSON.parse(readFileSync('rules/rules.lock', 'utf8')) as Record<string, string>;
const H26 = SHIPPED_LOCK['2026-01']!;
const LOG = 'publish-log.ndjson';
const NOW = () => new Date('2026-12-07T09:00:00.123Z');

function folder(): string {
  const dir = join(tempDir('rc-retire-'), 'rules');
  mkdirSync(dir);
  for (const n of ['2026-01.yaml', '2027-01.yaml', 'rules.lock']) writeFileSync(join(dir, n), readFileSync(join('rules', n)));
  return dir;
}
const text = (dir: string, n: string) => readFileSync(join(dir, n), 'utf8');
const edit = (dir: string, n: string, from: string | RegExp, to: string) => {
  const before = text(dir, n);
  const after = before.replace(from, to);
  expect(after).not.toBe(before);
  writeFileSync(join(dir, n), after);
};

interface Row { name: string; id?: string; forge?: (dir: string) => void; options?: Partial<RetireOptions>; code: string; message: string | RegExp }

const ROWS: Row[] = [
  { name: 'an id with no file', id: '2031-01', code: 'UNKNOWN_RULE_SET', message: /2031-01/ },
  { name: 'the draft 2027-01', id: '2027-01', code: 'LOCK_MISMATCH', message: '2027-01 is draft, not published: only a published version can be retired' },
  {
    name: '2026-01 already retired (by hand)',
    forge: (d) => edit(d, '2026-01.yaml', /^status: published/m, 'status: retired'),
    code: 'LOCK_MISMATCH', message: '2026-01 is retired, not published: only a published version can be retired',
  },
  {
    name: '2026-01 edited to 90% after it was published',
    forge: (d) => edit(d, '2026-01.yaml', 'creditPercent: "10" }', 'creditPercent: "90" }'),
    code: 'LOCK_MISMATCH', message: '2026-01 does not match rules.lock: run `reseller-credits validate`',
  },
  {
    name: 'approved for other content (expectSha256 not the locked hash)',
    options: { expectSha256: 'c'.repeat(64) },
    code: 'LOCK_MISMATCH', message: '2026-01 changed since its retire was approved',
  },
  {
    name: 'the status written as a block scalar',
    forge: (d) => edit(d, '2026-01.yaml', /^status: published/m, 'status: >-\n  published'),
    code: 'SCHEMA', message: 'write the status plainly on one line (`status: published`) so it can be changed without touching the rest of the file',
  },
  {
    name: 'the folder already locked by another writer',
    forge: (d) => { acquireFolderLock(d); },
    options: { lock: { timeoutMs: 50 } },
    code: 'FOLDER_LOCKED', message: /^another publish holds the lock of .*gave up after 0\.1 s; nothing was changed/,
  },
];

function attempt(id: string, options: RetireOptions): { code?: string; message?: string; unchanged?: boolean; kind?: string } | undefined {
  try {
    retireVersion(id, options);
  } catch (err) {
    const e = err as { errors?: { code: string; message: string }[]; unchanged?: boolean; code?: string; message: string };
    return { code: e.errors?.[0]?.code ?? e.code, message: e.errors?.[0]?.message ?? e.message, unchanged: e.unchanged, kind: (err as Error).name };
  }
  return undefined;
}

describe('retire refuses', () => {
  it.each(ROWS)('$name', (row) => {
    const dir = folder();
    row.forge?.(dir);
    const before = tree(dir);
    const got = attempt(row.id ?? '2026-01', { rulesDir: dir, approvedBy: 'Dana Lee', now: NOW, ...row.options });
    expect(got?.code).toBe(row.code);
    if (typeof row.message === 'string') expect(got?.message).toBe(row.message);
    else expect(got?.message).toMatch(row.message);
    expect(tree(dir)).toEqual(before);
  });

  it('a rules folder that does not exist: refused before anything is written', () => {
    const dir = join(tempDir('rc-retire-'), 'missing');
    const got = attempt('2026-01', { rulesDir: dir, approvedBy: 'Dana Lee' });
    expect(got).toEqual({ code: 'WRITE_FAILED', message: "cannot create the folder's lock file (ENOENT): the rules folder cannot be written; nothing was changed", unchanged: true, kind: 'RcErrors' });
    expect(existsSync(dir)).toBe(false);
  });
});

describe('what a retire writes', () => {
  it('a file with a BOM and a log without its last newline: only the status changes, the BOM stays, the line goes on a line of its own, the lock stays', () => {
    const dir = folder();
    const original = text(dir, '2026-01.yaml');
    writeFileSync(join(dir, '2026-01.yaml'), `\ufeff${original}`);
    const first = logLineText({ id: '2026-01', sha256: H26, approvedBy: 'Dana Lee', publishedAt: '2026-01-01T00:00:00Z', review: null, action: 'publish' }).trimEnd();
    writeFileSync(join(dir, LOG), first);
    const lock = text(dir, 'rules.lock');
    const out = retireVersion('2026-01', { rulesDir: dir, approvedBy: 'Dana Lee', now: NOW });
    expect(out.sha256).toBe(H26);
    expect(text(dir, '2026-01.yaml')).toBe(`\ufeff${original.replace(/^status: published/m, 'status: retired')}`);
    const lines = text(dir, LOG).split('\n');
    expect(lines[0]).toBe(first);
    expect(JSON.parse(lines[1]!)).toMatchObject({ id: '2026-01', sha256: H26, action: 'retire', publishedAt: '2026-12-07T09:00:00Z' });
    expect(lines).toHaveLength(3);
    expect(text(dir, 'rules.lock')).toBe(lock);
  });

  it('a dry run describes the change and writes nothing', () => {
    const dir = folder();
    const before = tree(dir);
    const out = retireVersion('2026-01', { rulesDir: dir, approvedBy: 'Dana Lee', dryRun: true, now: NOW });
    expect(out.dryRun).toBe(true);
    expect(out.changes.map((c) => c.text)).toEqual([
      'status: published → status: retired (no other byte changes; the lock entry stays)',
      expect.stringMatching(/^append \{.*"action":"retire"/),
    ]);
    expect(tree(dir)).toEqual(before);
  });

  it('an interrupted publish of 2027-01 is completed first (and reported), then 2026-01 is retired', () => {
    const dir = folder();
    const after = text(dir, '2027-01.yaml').replace(/^status: draft/m, 'status: published');
    const hash = hashWithStatus(parse(after, { schema: 'core' }), 'published');
    const published = logLineText({ id: '2027-01', sha256: hash, approvedBy: 'Dana Lee', publishedAt: '2026-12-07T08:00:00Z', review: null, action: 'publish' });
    writeFileSync(join(dir, JOURNAL_FILE), journalText({
      format: 1, id: '2027-01', action: 'publish', approvedBy: 'Dana Lee', startedAt: '2026-12-07T08:00:00Z', pid: 999999, host: 'elsewhere',
      files: [
        journalEntry(dir, '2027-01.yaml', after),
        journalEntry(dir, 'rules.lock', lockText({ ...SHIPPED_LOCK, '2027-01': hash })),
        journalEntry(dir, LOG, published),
      ],
    }));
    const recovered: string[] = [];
    retireVersion('2026-01', { rulesDir: dir, approvedBy: 'Dana Lee', now: NOW, onRecovered: (m) => recovered.push(m) });
    expect(recovered).toEqual([expect.stringMatching(/completed the interrupted publish of 2027-01/)]);
    expect(text(dir, '2027-01.yaml')).toBe(after);
    expect(JSON.parse(text(dir, 'rules.lock'))).toEqual({ ...SHIPPED_LOCK, '2027-01': hash });
    expect(text(dir, '2026-01.yaml')).toMatch(/^status: retired/m);
    const lines = text(dir, LOG).trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; action: string });
    expect(lines.map((l) => `${l.action} ${l.id}`)).toEqual(['publish 2027-01', 'retire 2026-01']);
  });
});
