/**
 * SPEC §6, the shapes recovery accepts (src/folder/journal-shape.ts), one
 * table row per refusal the CLI-level forgeries (journal-forgeries.test.ts)
 * do not reach: each a hand-written journal in a copy of the shipped folder.
 * The next write (publish, or retire) refuses it with the exact reason and
 * leaves the folder byte for byte as it was; the journal shapes this program
 * does write (a retire, a publish without `action`, a log without its last
 * newline, a repair of the file alone) are completed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { hashWithStatus } from '../src/parse/canonical.js';
import { JOURNAL_FILE, journalEntry, journalText, sha256Of, type Journal, type JournalEntry } from '../src/folder/publish-journal.js';
import { lockText } from '../src/folder/lock.js';
import { logLineText } from '../src/folder/publish-log.js';
import { publishVersion } from '../src/publish/publish.js';
import { retireVersion } from '../src/publish/retire.js';
import { tree } from './support/signed-folder.js';
import { tempDir } from './support/temp.js';

const SHIPPED_LOCK = JSON.parse(readFileSync('rules/rules.lock', 'utf8')) as Record<string, string>;
const H26 = SHIPPED_LOCK['2026-01']!;
const LOG = 'publish-log.ndjson';

function folder(): string {
  const dir = join(tempDir('rc-shape-'), 'rules');
  mkdirSync(dir);
  for (const n of ['2026-01.yaml', '2027-01.yaml', 'rules.lock']) writeFileSync(join(dir, n), readFileSync(join('rules', n)));
  return dir;
}

const text = (dir: string, n: string) => readFileSync(join(dir, n), 'utf8');
const hashOf = (yamlText: string) => hashWithStatus(parse(yamlText, { schema: 'core' }), 'published');
const line = (id: string, sha256: string, extra: object = {}) => logLineText({ id, sha256, approvedBy: 'Dana Lee', publishedAt: '2026-12-07T09:00:00Z', review: null, action: 'publish', ...extra });
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
/** An entry whose content before is `before` (whatever is on disk). */
const entryFrom = (name: string, before: string | null, after: string): JournalEntry => ({
  name, beforeBase64: before === null ? null : b64(before), beforeSha256: before === null ? null : sha256Of(before), after, afterSha256: sha256Of(after),
});
const write = (dir: string, files: JournalEntry[], over: Partial<Journal> = {}) => writeFileSync(join(dir, JOURNAL_FILE), journalText({
  format: 1, id: '2027-01', action: 'publish', approvedBy: 'Dana Lee', startedAt: '2026-12-07T09:00:00Z', pid: 999999, host: 'elsewhere', files, ...over,
}));
const published27 = (dir: string) => text(dir, '2027-01.yaml').replace(/^status: draft/m, 'status: published');
const retired26 = (dir: string) => text(dir, '2026-01.yaml').replace(/^status: published/m, 'status: retired');
/** The entries of a genuine publish of 2027-01, `over` replacing some. */
const publish27 = (dir: string, over: { yaml?: JournalEntry | null; lock?: JournalEntry | null; log?: JournalEntry | null } = {}) => {
  const after = published27(dir);
  const all = {
    yaml: journalEntry(dir, '2027-01.yaml', after),
    lock: journalEntry(dir, 'rules.lock', lockText({ ...SHIPPED_LOCK, '2027-01': hashOf(after) })),
    log: journalEntry(dir, LOG, line('2027-01', hashOf(after))),
    ...over,
  };
  return [all.yaml, all.lock, all.log].filter((e): e is JournalEntry => e !== null);
};

interface Row { name: string; forge: (dir: string) => void; reason: (dir: string) => string; command?: 'publish' | 'retire' }

const ROWS: Row[] = [
  {
    name: 'an action this program never writes',
    forge: (d) => write(d, publish27(d), { action: 'delete' as Journal['action'] }),
    reason: () => 'unknown action "delete"',
  },
  {
    name: 'a version id with ".." in it',
    forge: (d) => write(d, [journalEntry(d, LOG, line('2027..01', H26))], { id: '2027..01' }),
    reason: () => 'the version id "2027..01" is not one',
  },
  {
    name: 'a version id that does not start with a letter or digit',
    forge: (d) => write(d, [journalEntry(d, LOG, line('2027-01', H26))], { id: '-rf' }),
    reason: () => 'the version id "-rf" is not one',
  },
  {
    name: 'the log named twice (two lines appended in two entries)',
    forge: (d) => write(d, [...publish27(d), journalEntry(d, LOG, line('2026-01', H26))]),
    reason: () => 'it names a file twice',
  },
  {
    name: 'publish-log.ndjson is a folder',
    forge: (d) => {
      const files = publish27(d, { log: entryFrom(LOG, null, line('2027-01', hashOf(published27(d)))) });
      mkdirSync(join(d, LOG));
      write(d, files);
    },
    reason: () => 'publish-log.ndjson is a folder: recovery writes only regular files inside the rules folder',
  },
  {
    name: 'an entry with the content before but no hash of it',
    forge: (d) => write(d, publish27(d, { yaml: { ...journalEntry(d, '2027-01.yaml', published27(d)), beforeSha256: null } })),
    reason: () => 'the entry of 2027-01.yaml is inconsistent',
  },
  {
    name: 'no log line: the version and its lock entry only',
    forge: (d) => write(d, publish27(d, { log: null })),
    reason: () => 'it appends no line to publish-log.ndjson: every publish is logged',
  },
  {
    name: 'the version\'s content after is a YAML list, not a rule set',
    forge: (d) => write(d, publish27(d, { yaml: journalEntry(d, '2027-01.yaml', '- 1\n- 2\n') })),
    reason: () => '2027-01.yaml: its content before and after must both be rule sets',
  },
  {
    name: 'the version\'s content after is not YAML at all',
    forge: (d) => write(d, publish27(d, { yaml: journalEntry(d, '2027-01.yaml', 'id: [unclosed\n') })),
    reason: () => '2027-01.yaml: its content before and after must both be rule sets',
  },
  {
    name: 'the version\'s content before is not YAML (the file was created by the journal)',
    forge: (d) => write(d, publish27(d, { yaml: entryFrom('2027-01.yaml', null, published27(d)) })),
    reason: () => '2027-01.yaml: its content before and after must both be rule sets',
  },
  {
    name: 'a retire that leaves the version\'s file alone',
    forge: (d) => write(d, [journalEntry(d, LOG, line('2026-01', H26, { action: 'retire' }))], { id: '2026-01', action: 'retire' }),
    reason: () => 'a retire changes 2026-01.yaml\'s status, and the journal does not',
  },
  {
    name: 'a retire of a draft: draft → retired',
    forge: (d) => {
      const after = text(d, '2027-01.yaml').replace(/^status: draft/m, 'status: retired');
      write(d, [journalEntry(d, '2027-01.yaml', after), journalEntry(d, LOG, line('2027-01', hashOf(after), { action: 'retire' }))], { action: 'retire' });
    },
    reason: () => '2027-01.yaml: a retire sets status published → retired, not draft → retired',
  },
  {
    name: 'a lock entry alone for the draft 2027-01 (the file on disk is not published)',
    forge: (d) => write(d, publish27(d, { yaml: null })),
    reason: () => '2027-01.yaml is not published on disk, and the journal does not publish it',
  },
  {
    name: 'a lock entry alone for a version with no file at all',
    forge: (d) => write(d, [journalEntry(d, 'rules.lock', lockText({ ...SHIPPED_LOCK, '2099-01': H26 })), journalEntry(d, LOG, line('2099-01', H26))], { id: '2099-01' }),
    reason: () => '2099-01.yaml is not published on disk, and the journal does not publish it',
  },
  {
    name: 'the file names another version inside (its id is 2099-01)',
    forge: (d) => {
      const before = text(d, '2027-01.yaml').replace(/^id: "2027-01"/m, 'id: "2099-01"');
      const after = before.replace(/^status: draft/m, 'status: published');
      write(d, publish27(d, { yaml: entryFrom('2027-01.yaml', before, after) }));
    },
    reason: () => '2027-01.yaml holds version "2099-01", not 2027-01',
  },
  {
    name: 'rules.lock on disk is not JSON and the journal leaves it alone',
    forge: (d) => {
      writeFileSync(join(d, 'rules.lock'), 'not a lock\n');
      write(d, publish27(d, { lock: null }));
    },
    reason: () => 'rules.lock: its content before is not a lock',
  },
  {
    name: 'the lock\'s content before holds a number, not a hash',
    forge: (d) => write(d, publish27(d, { lock: entryFrom('rules.lock', '{"2026-01": 5}\n', lockText({ '2026-01': H26 })) })),
    reason: () => 'rules.lock: its content before is not a lock',
  },
  {
    name: 'a retire that also writes rules.lock',
    forge: (d) => write(d, [
      journalEntry(d, '2026-01.yaml', retired26(d)),
      journalEntry(d, 'rules.lock', lockText({ '2026-01': H26 })),
      journalEntry(d, LOG, line('2026-01', H26, { action: 'retire' })),
    ], { id: '2026-01', action: 'retire' }),
    reason: () => 'a retire never changes rules.lock',
  },
  {
    name: 'the lock\'s content after is a JSON list',
    forge: (d) => write(d, publish27(d, { lock: journalEntry(d, 'rules.lock', '[]\n') })),
    reason: () => 'rules.lock: its content after is not a lock',
  },
  {
    name: 'the lock after drops 2026-01 while adding 2027-01',
    forge: (d) => write(d, publish27(d, { lock: journalEntry(d, 'rules.lock', lockText({ '2027-01': hashOf(published27(d)) })) })),
    reason: (d) => `rules.lock: the journal does more than add 2027-01 with the hash of its content (${hashOf(published27(d)).slice(0, 12)}…)`,
  },
  {
    name: 'the lock after adds 2027-01 with a hash of other content',
    forge: (d) => write(d, publish27(d, { lock: journalEntry(d, 'rules.lock', lockText({ ...SHIPPED_LOCK, '2027-01': 'b'.repeat(64) })) })),
    reason: (d) => `rules.lock: the journal does more than add 2027-01 with the hash of its content (${hashOf(published27(d)).slice(0, 12)}…)`,
  },
  {
    name: 'publishing 2027-01 without its lock entry (none on disk either)',
    forge: (d) => write(d, publish27(d, { lock: null })),
    reason: (d) => `rules.lock does not hold 2027-01 with the hash of its content (${hashOf(published27(d)).slice(0, 12)}…), and the journal does not add it`,
  },
  {
    name: 'the log rewritten: the existing line replaced',
    forge: (d) => {
      writeFileSync(join(d, LOG), line('2026-01', H26));
      write(d, publish27(d, { log: journalEntry(d, LOG, line('2027-01', hashOf(published27(d)))) }));
    },
    reason: () => 'publish-log.ndjson: the journal rewrites earlier lines; a publish only appends one',
  },
  {
    name: 'the appended line has no final newline',
    forge: (d) => write(d, publish27(d, { log: journalEntry(d, LOG, line('2027-01', hashOf(published27(d))).trimEnd()) })),
    reason: () => 'publish-log.ndjson: the journal does not append exactly one valid line',
  },
  {
    name: 'the appended line is not a log line',
    forge: (d) => write(d, publish27(d, { log: journalEntry(d, LOG, '{"hello":"world"}\n') })),
    reason: () => 'publish-log.ndjson: the journal does not append exactly one valid line',
  },
  {
    name: 'the appended line logs the publish of 2026-01 instead',
    forge: (d) => write(d, publish27(d, { log: journalEntry(d, LOG, line('2026-01', H26)) })),
    reason: (d) => `publish-log.ndjson: the appended line records publish of 2026-01 (${H26.slice(0, 12)}…), not the publish of 2027-01 (${hashOf(published27(d)).slice(0, 12)}…)`,
  },
  {
    name: 'the appended line logs a retire of the version being published',
    forge: (d) => write(d, publish27(d, { log: journalEntry(d, LOG, line('2027-01', hashOf(published27(d)), { action: 'retire' })) })),
    reason: (d) => `publish-log.ndjson: the appended line records retire of 2027-01 (${hashOf(published27(d)).slice(0, 12)}…), not the publish of 2027-01 (${hashOf(published27(d)).slice(0, 12)}…)`,
  },
  {
    name: 'a retire journal whose line (no action) logs a publish',
    forge: (d) => {
      const { action: _drop, ...noAction } = JSON.parse(line('2026-01', H26)) as Record<string, unknown>;
      write(d, [journalEntry(d, '2026-01.yaml', retired26(d)), journalEntry(d, LOG, `${JSON.stringify(noAction)}\n`)], { id: '2026-01', action: 'retire' });
    },
    reason: () => `publish-log.ndjson: the appended line records publish of 2026-01 (${H26.slice(0, 12)}…), not the retire of 2026-01 (${H26.slice(0, 12)}…)`,
    command: 'retire',
  },
];

function attempt(row: Row, dir: string): unknown {
  try {
    if (row.command === 'retire') retireVersion('2026-01', { rulesDir: dir, approvedBy: 'Dana Lee' });
    else publishVersion('2027-01', { rulesDir: dir, approvedBy: 'Dana Lee' });
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('journal shapes recovery refuses', () => {
  it.each(ROWS)('$name', (row) => {
    const dir = folder();
    row.forge(dir);
    const before = tree(dir);
    const err = attempt(row, dir) as { errors?: { code: string; message: string }[] } | undefined;
    expect(err?.errors?.map((e) => e.code)).toEqual(['JOURNAL_INVALID']);
    expect(err!.errors![0]!.message).toBe(`the publish journal is not one this program writes, and is refused: ${row.reason(dir)}; nothing was changed; check it by hand (it may be an attempt to change a published version), then delete it`);
    expect(tree(dir)).toEqual(before);
  });
});

describe('journal shapes this program writes are completed', () => {
  it('an interrupted retire of 2026-01 (log without its last newline): the file retired, the line appended after a newline, the lock untouched', () => {
    const dir = folder();
    const first = line('2026-01', H26).trimEnd();
    writeFileSync(join(dir, LOG), first);
    const retire = line('2026-01', H26, { action: 'retire' });
    write(dir, [journalEntry(dir, '2026-01.yaml', retired26(dir)), journalEntry(dir, LOG, `${first}\n${retire}`)], { id: '2026-01', action: 'retire' });
    const lock = text(dir, 'rules.lock');
    const retired = retired26(dir);
    const recovered: string[] = [];
    expect(() => retireVersion('2026-01', { rulesDir: dir, approvedBy: 'Dana Lee', onRecovered: (m) => recovered.push(m) })).toThrow(/2026-01 is retired, not published: only a published version can be retired/);
    expect(recovered).toHaveLength(1);
    expect(text(dir, '2026-01.yaml')).toBe(retired);
    expect(text(dir, LOG)).toBe(`${first}\n${retire}`);
    expect(text(dir, 'rules.lock')).toBe(lock);
  });

  it('an interrupted publish written before journals had `action`, whose line has none either: completed, then 2027-01 is published', () => {
    const dir = folder();
    const after = published27(dir);
    const { action: _a, ...noAction } = JSON.parse(line('2027-01', hashOf(after))) as Record<string, unknown>;
    const files = publish27(dir, { log: journalEntry(dir, LOG, `${JSON.stringify(noAction)}\n`) });
    writeFileSync(join(dir, JOURNAL_FILE), journalText({ format: 1, id: '2027-01', approvedBy: 'Dana Lee', startedAt: '2026-12-07T09:00:00Z', pid: 1, host: 'h', files }));
    const out = publishVersion('2027-01', { rulesDir: dir, approvedBy: 'Dana Lee' });
    expect(out.action).toBe('unchanged');
    expect(text(dir, '2027-01.yaml')).toBe(after);
    expect(JSON.parse(text(dir, 'rules.lock'))).toEqual({ ...SHIPPED_LOCK, '2027-01': hashOf(after) });
    expect(text(dir, LOG)).toBe(`${JSON.stringify(noAction)}\n`);
  });

  it('a repair of the lock entry alone (2027-01 already published on disk): completed', () => {
    const dir = folder();
    const after = published27(dir);
    writeFileSync(join(dir, '2027-01.yaml'), after);
    write(dir, publish27(dir, { yaml: null }));
    publishVersion('2027-01', { rulesDir: dir, approvedBy: 'Dana Lee' });
    expect(JSON.parse(text(dir, 'rules.lock'))).toEqual({ ...SHIPPED_LOCK, '2027-01': hashOf(after) });
    expect(text(dir, '2027-01.yaml')).toBe(after);
    expect(text(dir, LOG)).toBe(line('2027-01', hashOf(after)));
  });
});
