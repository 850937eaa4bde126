/**
 * Regression cases cannot read the machine (SPEC §6, issue 7 item 4): a
 * `snapshotFile` — or a case file — that resolves, after `..` and symbolic
 * links, outside the cases folder being run is refused before anything of it
 * is read, and the failure names the case and the rule, never the content.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../src/compose/rules-dir.js';
import { findCaseFiles, runCaseFile } from '../src/cases/runner.js';
import { runCli as cli } from './support/run-cli.js';
import { cli as spawnCli } from './support/versions-cli.js';
import { tempDir } from './support/temp.js';

const SECRET = 'hunter2-do-not-print';
const secretYaml = `schemaVersion: 1\naccount: ${SECRET}\nperiod: 2026-11\nlineItems: []\nroot:x:0:0: ${SECRET}\n`;

/** tmp/secret.yaml, tmp/outside-case.yaml, and tmp/cases: the fixture folder plus links and a FIFO. */
function setUp(): { dir: string; cases: string } {
  const dir = tempDir('rc-confine-');
  const cases = join(dir, 'cases');
  cpSync('test/fixtures/cases-escape', cases, { recursive: true });
  writeFileSync(join(dir, 'secret.yaml'), secretYaml);
  writeFileSync(join(dir, 'outside-case.yaml'),
    `name: "outside ${SECRET}"\nrules: "2026-01"\nsnapshot:\n  schemaVersion: 1\n  account: ${SECRET}\n  period: 2026-11\n  lineItems: []\nexpect:\n  credit: "1.00"\n`);
  symlinkSync(join(dir, 'secret.yaml'), join(cases, 'snapshots', 'link-out.yaml'));
  symlinkSync(join(dir, 'outside-case.yaml'), join(cases, 'linked-case.yaml'));
  execFileSync('mkfifo', [join(cases, 'snapshots', 'pipe.yaml')]);
  return { dir, cases };
}

describe('snapshotFile and case files stay inside the cases folder', () => {
  const { cases } = setUp();
  const r = spawnCli(['test', '--verbose', cases]); // a real process: a FIFO that hung the run must not hang the tests
  const all = r.stdout + r.stderr;

  it('refuses every escape, runs the cases that stay inside, and ends (the FIFO does not hang it)', () => {
    expect(r.status).toBe(1);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('2 passed, 6 failed');
    expect(r.stdout).toContain(`ok     ${cases}/inside.yaml (plain relative path)`);
    expect(r.stdout).toContain(`ok     ${cases}/sub/inside-up.yaml (dot-dot that stays inside)`);
  });

  it('never prints anything of the files it refuses', () => {
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('root:x:0:0');
    expect(all).not.toMatch(/unknown (field|key)/);
    expect(all).not.toContain(process.env.PATH ?? '/usr/bin');
  });

  it('names the case and the rule', () => {
    const rule = (file: string, given: string) =>
      `${cases}/${file}:4:15: snapshotFile: "${given}" is outside the cases folder being run (${cases}): a snapshotFile is a path relative to the case that must stay inside that folder after ".." and symbolic links are resolved; not read`;
    expect(r.stdout).toContain(rule('absolute-passwd.yaml', '/etc/passwd'));
    expect(r.stdout).toContain(rule('proc-environ.yaml', '/proc/self/environ'));
    expect(r.stdout).toContain(rule('sub/dot-dot.yaml', '../../secret.yaml'));
    expect(r.stdout).toContain(rule('symlink-out.yaml', 'snapshots/link-out.yaml'));
    expect(r.stdout).toContain(`BROKEN ${cases}/absolute-passwd.yaml (reads /etc/passwd)`);
  });

  it('a case file linked from outside is refused before it is read', () => {
    expect(r.stdout).toContain(`BROKEN ${cases}/linked-case.yaml: `);
    expect(r.stdout).toContain(`${cases}/linked-case.yaml: the case file is a symbolic link to a file outside the cases folder being run (${cases}); not read`);
  });

  it('a FIFO named by snapshotFile is named for what it is', () => {
    expect(r.stdout).toContain(`${cases}/fifo.yaml:4:15: snapshotFile: "snapshots/pipe.yaml" is a FIFO (named pipe), not a regular file; not read`);
  });

  it('runCaseFile alone confines to the case file\'s folder; findCaseFiles gives each case its root', async () => {
    const repo = loadRules('rules');
    const { files, roots } = findCaseFiles([cases]);
    expect(roots.get(join(cases, 'sub', 'inside-up.yaml'))).toBe(cases);
    // without the root of the run, ../snapshots is outside sub/
    const alone = await runCaseFile(join(cases, 'sub', 'inside-up.yaml'), repo);
    expect(alone.status).toBe('broken');
    const withRoot = await runCaseFile(join(cases, 'sub', 'inside-up.yaml'), repo, undefined, { root: cases });
    expect(withRoot.status).toBe('passed');
    expect(files).toContain(join(cases, 'linked-case.yaml'));
  });

  it('a single shipped case given by path keeps test/cases as its folder', async () => {
    const one = await cli(['test', 'test/cases/2026-01/rejected/too-many-digits.yaml']);
    expect(one.stdout).toBe('1 passed, 0 failed\n');
    expect(one.status).toBe(0);
  });
});

describe('a folder named with a trailing link', () => {
  it('a cases folder reached through a symlink is the folder it points to', async () => {
    const dir = tempDir('rc-confine-link-');
    mkdirSync(join(dir, 'real'));
    cpSync('test/fixtures/cases-escape/inside.yaml', join(dir, 'real', 'inside.yaml'));
    cpSync('test/fixtures/cases-escape/snapshots', join(dir, 'real', 'snapshots'), { recursive: true });
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    const r = await cli(['test', join(dir, 'link')]);
    expect(r.stdout).toBe('1 passed, 0 failed\n');
  });
});
