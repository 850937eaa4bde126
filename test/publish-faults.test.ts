/**
 * SPEC §6 "Publishing is safe under … faults": a publish stopped or failing
 * at any write step leaves the folder as it was or, once the next writing
 * command has completed it, as published; never half. Faults go through the
 * file-writing seam (every step of every file), a real SIGKILL of a child
 * process stopped at a step, and a real full tmpfs when this runs as root.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statfsSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { nodeWriter, type FsWriter } from '../src/folder/fs-writer.js';
import { loadRules } from '../src/compose/rules-dir.js';
import { PublishFailed, publishVersion } from '../src/publish/publish.js';
import { runCli as cli } from './support/run-cli.js';
import { rulesCopy } from './support/versions-cli.js';
import { folderPicture } from './support/publish-folder.js';
import { sortedJson } from './support/sorted-json.js';
import { tempDir } from './support/temp.js';

const NOW = new Date('2027-01-02T09:30:00Z');
const APPROVER = 'Dana Lee';
const read = (f: string) => readFileSync(f, 'utf8');
const hashOf = (text: string) => createHash('sha256').update(sortedJson(parse(text, { schema: 'core' }))).digest('hex');

/** The folder exactly as a completed publish of 2027-01 leaves it, worked out here from the folder before. */
function publishedPicture(before: Record<string, string>): Record<string, string> {
  const file = before['2027-01.yaml']!.replace('\nstatus: draft\n', '\nstatus: published\n');
  const hash = hashOf(file);
  const lock = JSON.parse(before['rules.lock']!) as Record<string, string>;
  return {
    ...before,
    '2027-01.yaml': file,
    'rules.lock': `{\n  "2026-01": "${lock['2026-01']}",\n  "2027-01": "${hash}"\n}\n`,
    'publish-log.ndjson': `{"id":"2027-01","sha256":"${hash}","approvedBy":"${APPROVER}","publishedAt":"2027-01-02T09:30:00Z","review":null,"action":"publish"}\n`,
  };
}

type Mode = 'crash' | 'once' | 'persistent';

/** The real writer, counting its calls, failing at call `at`: only then (`once`), or from then on (`crash`, `persistent`). */
function faulty(at: number, mode: Mode, code = 'ENOSPC'): { writer: FsWriter; calls: string[] } {
  const calls: string[] = [];
  const writer = Object.fromEntries(Object.entries(nodeWriter).map(([name, fn]) => [name, (...args: unknown[]) => {
    calls.push(`${name} ${String(args[0]).replace(/^.*\//, '').replace(/tmp-\d+$/, 'tmp')}`);
    const n = calls.length;
    if (n === at || (mode !== 'once' && n > at)) throw Object.assign(new Error(`${code}: injected at step ${n}`), { code });
    return (fn as (...a: unknown[]) => unknown)(...args);
  }])) as unknown as FsWriter;
  return { writer, calls };
}

const publish = (dir: string, writer?: FsWriter) =>
  publishVersion('2027-01', { rulesDir: dir, approvedBy: APPROVER, writer, now: () => NOW });

/** The writing command that completes an interrupted publish: publishing the already published 2026-01 changes nothing else. */
function recover(dir: string): string[] {
  const said: string[] = [];
  const r = publishVersion('2026-01', { rulesDir: dir, approvedBy: APPROVER, onRecovered: (m) => said.push(m) });
  expect(r.action).toBe('unchanged');
  return said;
}

const STEPS = [
  'writeTemp .rc-publish-journal.json.tmp', 'fsync .rc-publish-journal.json.tmp', 'rename .rc-publish-journal.json.tmp', 'fsyncDir rules',
  'writeTemp rules.lock.tmp', 'fsync rules.lock.tmp', 'rename rules.lock.tmp', 'fsyncDir rules',
  'writeTemp 2027-01.yaml.tmp', 'fsync 2027-01.yaml.tmp', 'rename 2027-01.yaml.tmp', 'fsyncDir rules',
  'writeTemp publish-log.ndjson.tmp', 'fsync publish-log.ndjson.tmp', 'rename publish-log.ndjson.tmp', 'fsyncDir rules',
  'unlink .rc-publish-journal.json', 'fsyncDir rules',
];
/** The journal is in place once its rename (step 3) is done. */
const JOURNAL_RENAMED = 3;

describe('publish writes through a journal, step by step', () => {
  it(`takes ${STEPS.length} write steps: the journal, rules.lock, the rule file, the log, then the journal goes`, () => {
    const dir = rulesCopy(['2027-01.yaml']);
    const before = folderPicture(dir);
    const { writer, calls } = faulty(Number.MAX_SAFE_INTEGER, 'once');
    expect(publish(dir, writer).action).toBe('published');
    expect(calls).toEqual(STEPS);
    expect(folderPicture(dir)).toEqual(publishedPicture(before));
  });

  for (let k = 1; k <= STEPS.length; k++) {
    it(`killed at step ${k} (${STEPS[k - 1]}): read as ${k > JOURNAL_RENAMED ? 'published' : 'before'}; the next publish leaves it exactly so`, () => {
      const dir = rulesCopy(['2027-01.yaml']);
      const before = folderPicture(dir);
      const expected = k > JOURNAL_RENAMED ? publishedPicture(before) : before;
      // a dead process returns nothing: whatever publishVersion says here is not looked at
      try { publish(dir, faulty(k, 'crash').writer); } catch (e) { expect(e).toBeInstanceOf(PublishFailed); }
      // before recovery: every reader sees the folder as recovery will leave it
      const view = loadRules(dir);
      expect(view.errors.map((e) => e.message)).toEqual([]);
      const journalLeft = k > JOURNAL_RENAMED && k < STEPS.length; // step 18 comes after the journal's unlink
      expect(view.pending !== undefined).toBe(journalLeft);
      expect(view.lock.entries['2027-01'] !== undefined).toBe(k > JOURNAL_RENAMED);
      const said = recover(dir);
      expect(said.length).toBe(journalLeft ? 1 : 0);
      if (said.length) expect(said[0]).toMatch(/^completed the interrupted publish of 2027-01 \(approved by "Dana Lee", started 2027-01-02T09:30:00Z/);
      expect(folderPicture(dir)).toEqual(expected);
      expect(loadRules(dir).errors).toEqual([]);
    });
  }

  for (let k = 1; k <= STEPS.length; k++) {
    it(`ENOSPC once at step ${k}: the run undoes its writes and says nothing was changed, or completes`, () => {
      const dir = rulesCopy(['2027-01.yaml']);
      const before = folderPicture(dir);
      let err: unknown;
      try { publish(dir, faulty(k, 'once').writer); } catch (e) { err = e; }
      if (k > STEPS.length - 2) {
        // the journal's removal failed (or its flush): published, and the journal goes next time
        expect(err).toBeUndefined();
        recover(dir);
        expect(folderPicture(dir)).toEqual(publishedPicture(before));
      } else {
        expect(err).toBeInstanceOf(PublishFailed);
        expect((err as PublishFailed).unchanged).toBe(true);
        expect((err as PublishFailed).errors[0]!.message).toMatch(/\(ENOSPC\).*nothing was changed/);
        expect(folderPicture(dir)).toEqual(before); // exactly: no journal, no temporary file left
      }
      expect(loadRules(dir).errors).toEqual([]);
    });
  }

  for (let k = 1; k <= STEPS.length; k++) {
    it(`EROFS from step ${k} on: nothing claimed that is not so; once writable, the folder is before or published`, () => {
      const dir = rulesCopy(['2027-01.yaml']);
      const before = folderPicture(dir);
      let err: unknown;
      try { publish(dir, faulty(k, 'persistent', 'EROFS').writer); } catch (e) { err = e; }
      if (k > STEPS.length - 2) {
        expect(err).toBeUndefined(); // only the journal's removal failed: the publish is complete
      } else {
        expect(err).toBeInstanceOf(PublishFailed);
        const message = (err as PublishFailed).errors.map((e) => e.message).join('\n');
        expect(message).toContain('(EROFS)');
        if (k > JOURNAL_RENAMED) expect(message).not.toContain('nothing was changed');
        else expect(message).toContain('nothing was changed');
      }
      expect(loadRules(dir).errors).toEqual([]);
      recover(dir);
      expect(folderPicture(dir)).toEqual(k > JOURNAL_RENAMED ? publishedPicture(before) : before);
    });
  }

  it('a journal whose files were edited since is not applied: reported, and publish refuses until it is resolved', async () => {
    const dir = rulesCopy(['2027-01.yaml']);
    expect(() => publish(dir, faulty(8, 'crash').writer)).toThrow(PublishFailed); // lock written, rule file not
    writeFileSync(join(dir, '2027-01.yaml'), `${read(join(dir, '2027-01.yaml'))}# edited by hand\n`);
    const view = loadRules(dir);
    expect(view.errors.map((e) => e.code)).toContain('JOURNAL_CONFLICT');
    const r = await cli(['--rules-dir', dir, 'publish', '2026-01', '--approved-by', APPROVER]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/\.rc-publish-journal\.json: an interrupted publish of 2027-01 cannot be completed: .*2027-01\.yaml no longer has the content/);
    expect(existsSync(join(dir, '.rc-publish-journal.json'))).toBe(true);
  });
});

describe('a publish killed for real (SIGKILL) at a step', () => {
  const killedAt = (dir: string, step: number) => new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['test/support/publish-paused.mjs', dir, '2027-01', String(step)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let said = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      said += d;
      if (said.includes('paused at step')) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => (signal === 'SIGKILL' ? resolve(said.trim()) : reject(new Error(`not killed: ${said}`))));
  });

  for (const step of [9, 11]) {
    it(`killed at step ${step} (${STEPS[step - 1]}): readers report it, the next publish takes the dead run's lock at once and completes it`, async () => {
      const dir = rulesCopy(['2027-01.yaml']);
      const before = folderPicture(dir);
      expect(await killedAt(dir, step)).toBe(`paused at step ${step}: ${STEPS[step - 1]!.split(' ')[0]}`);
      // left behind: the dead run's folder lock, its journal, a lock entry for a file that still says draft
      expect(JSON.parse(read(join(dir, '.rc-publish.lock'))).host).toBe(hostname());
      expect(read(join(dir, '2027-01.yaml'))).toContain('\nstatus: draft\n');
      expect(JSON.parse(read(join(dir, 'rules.lock')))['2027-01']).toBeDefined();
      const left = folderPicture(dir);

      const v = await cli(['--rules-dir', dir, 'validate']);
      expect(v.status).toBe(0);
      expect(v.stderr).toMatch(/^warning: a publish of 2027-01 \(approved by "Killed Run", started 2027-01-02T09:30:00Z by process \d+ on .*\) was interrupted; reading .* as it will be once completed/m);
      const dry = await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', APPROVER, '--dry-run']);
      expect(dry.status).toBe(0);
      expect(dry.stderr).toMatch(/^warning: a publish of 2027-01 .* was interrupted/m);
      expect(dry.stdout).toContain('2027-01 is already published');
      expect(folderPicture(dir)).toEqual(left); // readers and --dry-run wrote nothing

      const r = await cli(['--rules-dir', dir, 'publish', '2026-01', '--approved-by', APPROVER]);
      expect(r.status).toBe(0);
      expect(r.stderr.split('\n').filter((l) => !l.startsWith('approvals are not verified'))[0]).toMatch(/^warning: completed the interrupted publish of 2027-01 \(approved by "Killed Run"/);
      const published = publishedPicture(before);
      published['publish-log.ndjson'] = published['publish-log.ndjson']!.replace(APPROVER, 'Killed Run');
      expect(folderPicture(dir)).toEqual(published); // no lock file, journal or temporary file left
      expect((await cli(['--rules-dir', dir, 'validate'])).status).toBe(0);
    });
  }
});

describe('the folder lock', () => {
  const lockFile = (dir: string) => join(dir, '.rc-publish.lock');
  const holder = (pid: number, host: string) => `${JSON.stringify({ pid, host, token: 'feedfacefeedfacefeedface', since: '2027-01-02T09:00:00Z' })}\n`;

  it('a live holder makes a run wait, then fail clearly, changing nothing', () => {
    const dir = rulesCopy(['2027-01.yaml']);
    writeFileSync(lockFile(dir), holder(process.pid, hostname()));
    const before = folderPicture(dir);
    let err: unknown;
    try { publishVersion('2027-01', { rulesDir: dir, approvedBy: APPROVER, lock: { timeoutMs: 300 } }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(PublishFailed);
    expect((err as PublishFailed).errors[0]).toMatchObject({ code: 'FOLDER_LOCKED', file: lockFile(dir) });
    expect((err as PublishFailed).errors[0]!.message).toMatch(new RegExp(`another publish holds the lock of .* \\(process ${process.pid} on .*\\); gave up after`));
    expect(folderPicture(dir)).toEqual(before);
  });

  it('a holder on another host is waited for while it refreshes, and taken over once its lock is older than 10 s', () => {
    const dir = rulesCopy(['2027-01.yaml']);
    writeFileSync(lockFile(dir), holder(1, 'another-host.example'));
    expect(() => publishVersion('2027-01', { rulesDir: dir, approvedBy: APPROVER, lock: { timeoutMs: 200 } })).toThrow(PublishFailed);
    const old = new Date(Date.now() - 11_000);
    utimesSync(lockFile(dir), old, old);
    expect(publishVersion('2027-01', { rulesDir: dir, approvedBy: APPROVER }).action).toBe('published');
    expect(existsSync(lockFile(dir))).toBe(false);
  });

  it('a dead holder on this host is taken over at once', () => {
    const dir = rulesCopy(['2027-01.yaml']);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(lockFile(dir), holder(Number(dead.stdout), hostname()));
    expect(publishVersion('2027-01', { rulesDir: dir, approvedBy: APPROVER, lock: { timeoutMs: 0 } }).action).toBe('published');
    expect(existsSync(lockFile(dir))).toBe(false);
  });
});

const asRoot = process.getuid?.() === 0;
describe.skipIf(!asRoot)('a real full disk (a small tmpfs; needs root)', () => {
  it('whatever write runs out of space, the folder ends as before or as published, and says which', async () => {
    const mount = join(tempDir('rc-tmpfs-'), 'fs');
    mkdirSync(mount);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount], { encoding: 'utf8' });
    if (m.status !== 0) return; // not allowed here (a container without CAP_SYS_ADMIN): the seam tests above cover it
    try {
      const outcomes = new Set<string>();
      for (let pages = 0; pages <= 10; pages++) {
        const dir = join(mount, 'rules');
        rmSync(dir, { recursive: true, force: true });
        rmSync(join(mount, 'filler'), { force: true });
        mkdirSync(dir);
        for (const n of ['2026-01.yaml', '2027-01.yaml', 'rules.lock']) copyFileSync(join('rules', n), join(dir, n));
        const before = folderPicture(dir);
        const { bavail, bsize } = statfsSync(mount);
        writeFileSync(join(mount, 'filler'), Buffer.alloc(Math.max(0, (bavail - pages) * bsize)));
        const r = await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', APPROVER]);
        rmSync(join(mount, 'filler'));
        const claimsNothing = r.stderr.includes('nothing was changed');
        if (r.status === 0) outcomes.add('published');
        else {
          expect(r.stderr).toContain('ENOSPC');
          outcomes.add(claimsNothing ? 'refused' : 'half, completed later');
        }
        if (claimsNothing) expect(folderPicture(dir)).toEqual(before);
        expect(loadRules(dir).errors.map((e) => e.message)).toEqual([]);
        const again = await cli(['--rules-dir', dir, 'publish', '2026-01', '--approved-by', APPROVER]);
        expect(again.status).toBe(0);
        const after = folderPicture(dir);
        const published = r.status === 0 || !claimsNothing;
        const log = after['publish-log.ndjson'];
        expect(after).toEqual(published ? { ...publishedPicture(before), 'publish-log.ndjson': log } : before);
        if (published) expect(JSON.parse(log!)).toMatchObject({ id: '2027-01', approvedBy: APPROVER, review: null });
      }
      expect(outcomes.has('published')).toBe(true);
      expect(outcomes.has('refused')).toBe(true);
    } finally {
      spawnSync('umount', [mount]);
    }
  }, 300_000);
});
