/**
 * SPEC §5 "Exit status in detail", table-driven over commands × situations:
 * a missing or unreadable `--rules-dir`, or one with no rule file, is 2 for
 * every command; a named input that is missing or yields no snapshot is an
 * error naming it and exit 1; and `--help` documents the table.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

/** A real process: `bin/reseller-credits.js` and the exit status the launcher sets. */
function spawnCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, ['bin/reseller-credits.js', ...args], { encoding: 'utf8', timeout: 60_000, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
/** The CLI in this process (test/support/run-cli.ts): the same statuses and output, no process start-up. */
const cli = (...args: string[]) => runCli(args, { env: { FORCE_COLOR: undefined } });

const work = tempDir();
const SEED = 'examples/seed-px2.yaml';
const emptyDir = join(work, 'empty');
mkdirSync(emptyDir);
const unreadable = join(work, 'unreadable');
mkdirSync(unreadable);
writeFileSync(join(unreadable, '2026-01.yaml'), 'id: "2026-01"\n');
chmodSync(unreadable, 0o000);
afterAll(() => chmodSync(unreadable, 0o700)); // so the temp folder can be removed
const isRoot = process.getuid?.() === 0;

// publish names its approver once the approvals of SPEC §6 are in
const approval = /--approved-by/.test((await cli('publish', '--help')).stdout) ? ['--approved-by', 'Test Analyst'] : [];

const COMMANDS: [string, string[]][] = [
  ['validate', ['validate']],
  ['validate FILE', ['validate', 'rules/2027-01.yaml']],
  ['evaluate', ['evaluate', SEED]],
  ['evaluate --rules-file', ['evaluate', '--rules-file', 'rules/2026-01.yaml', SEED]],
  ['whatif', ['whatif', '--baseline', 'rules/2026-01.yaml', '--candidate', 'rules/2027-01.yaml', SEED]],
  ['test', ['test', 'test/cases/2026-01/seed-px2.yaml']],
  ['diff', ['diff', 'rules/2026-01.yaml', 'rules/2027-01.yaml']],
  ['publish', ['publish', '2027-01', ...approval]],
];

const RULES_DIRS: [string, string, RegExp][] = [
  ['missing', join(work, 'no-such-folder'), /rules folder not found/],
  ['a file', 'README.md', /is a file, not a rules folder/],
  ['empty', emptyDir, /holds no rule set file/],
  ['without a rule file', 'test/fixtures/rules-dirs/no-rule-file', /holds no rule set file/],
];

describe('an unusable --rules-dir is 2 for every command', () => {
  const table = COMMANDS.flatMap(([cmd, args]) => RULES_DIRS.map(([what, dir, message]) => [cmd, what, args, dir, message] as const));
  it.each(table)('%s with a rules folder %s: 2', async (_cmd, _what, args, dir, message) => {
    const r = await cli('--rules-dir', dir, ...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${dir}: `);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it.skipIf(isRoot).each(COMMANDS)('%s with an unreadable rules folder: 2', async (_cmd, args) => {
    const r = await cli('--rules-dir', unreadable, ...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${unreadable}: cannot read: permission denied`);
  });
});

const INPUTS: [string, string, RegExp][] = [
  ['missing', 'test/fixtures/inputs/no-such-file.yaml', /no such file/],
  ['an empty YAML file', 'test/fixtures/inputs/empty.yaml', /holds no snapshot/],
  ['an empty NDJSON file', 'test/fixtures/inputs/empty.ndjson', /holds no snapshot/],
  ['a blank NDJSON file', 'test/fixtures/inputs/blank.ndjson', /holds no snapshot/],
  ['an empty folder', emptyDir, /holds no snapshot file/],
  ['a folder without snapshot files', 'test/fixtures/inputs/no-snapshots', /holds no snapshot file/],
];

// Each command runs once over every such input (a spawn each would cost ~0.5 s for nothing more):
// each input must still be named with its own message, stand as its own error record in its
// place, and count as an error of its own in the closing line, on which exit 1 depends.
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The stderr line naming `input` with `message`. */
const lineFor = (stderr: string, input: string, message: RegExp) =>
  stderr.split('\n').find((l) => new RegExp(`^${escape(input)}(:\\d+:\\d+)?: .*${message.source}`).test(l));

describe('a named input that is missing or yields no snapshot: an error naming it, exit 1', () => {
  it('evaluate: each one an error naming it, its error record in its place, the good input evaluated', async () => {
    const r = await cli('evaluate', '--format', 'json', SEED, ...INPUTS.map(([, input]) => input));
    expect(r.status).toBe(1);
    for (const [what, input, message] of INPUTS) expect(lineFor(r.stderr, input, message), what).toBeDefined();
    expect(r.stderr).toContain(`${INPUTS.length + 1} record(s): 1 evaluated, ${INPUTS.length} error(s)`);
    // the error record stands in the output in the input's place
    const out = JSON.parse(r.stdout) as { account?: string; error?: { code: string; file: string } }[];
    expect(out.map((o) => o.account ?? o.error?.file)).toEqual(['R-1001', ...INPUTS.map(([, input]) => input)]);
  });

  it('whatif: each one an error naming it', async () => {
    const r = await cli('whatif', '--baseline', '2026-01', '--candidate', 'rules/2027-01.yaml', '--format', 'json', ...INPUTS.map(([, input]) => input));
    expect(r.status).toBe(1);
    for (const [what, input, message] of INPUTS) {
      expect(r.stderr.split('\n').some((l) => l.includes(input) && message.test(l)), what).toBe(true);
    }
    expect(r.stderr).toContain(`${INPUTS.length} record(s): 0 compared, ${INPUTS.length} error(s)`);
  });

  const CASE_PATHS: [string, string, RegExp][] = [
    ['missing', 'test/fixtures/inputs/no-such-folder/', /no such case file or folder/],
    ['an empty folder', emptyDir, /holds no case file/],
    ['a folder without case files', 'test/fixtures/inputs/no-snapshots', /holds no case file/],
  ];
  it('test: each one an error naming it (exit 1), and the other cases still run', async () => {
    const r = await cli('test', ...CASE_PATHS.map(([, path]) => path), 'test/cases/2026-01/seed-px2.yaml');
    expect(r.status).toBe(1);
    for (const [what, path, message] of CASE_PATHS) {
      expect(r.stderr.split('\n').some((l) => new RegExp(`^${escape(path)}: .*${message.source}`).test(l)), what).toBe(true);
    }
    expect(r.stdout).toContain(`1 passed, 0 failed; ${CASE_PATHS.length} path(s) gave no case`);
  });

  it('a good input alone is still 0 (real processes: the exit status the launcher sets)', () => {
    expect(spawnCli('evaluate', SEED).status).toBe(0);
    expect(spawnCli('test', 'test/cases/2026-01/seed-px2.yaml').status).toBe(0);
  });
});

describe('--help', () => {
  it('top-level help has examples and the exit statuses', async () => {
    const r = await cli('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Examples:\n  $ reseller-credits validate');
    expect(r.stdout).toMatch(/Exit status:\n  0 {2}all good/);
    expect(r.stdout).toMatch(/^ {2}1 {2}some input invalid/m);
    expect(r.stdout).toMatch(/^ {2}2 {2}usage error/m);
    expect(r.stdout).toContain('--rules-dir');
    expect(r.stdout).toContain('--quiet');
    expect(r.stdout).toContain('--no-progress');
  });

  it.each(['validate', 'evaluate', 'whatif', 'test', 'diff', 'publish'])('%s --help lists the global options', async (cmd) => {
    const r = await cli(cmd, '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Global Options:[\s\S]*--rules-dir <dir>/);
    expect(r.stdout).toMatch(/Global Options:[\s\S]*--quiet/);
  });
});
