/**
 * SPEC §6 "Approvals": `publish ID --approved-by NAME` appends one line to
 * publish-log.ndjson; `--dry-run` writes nothing; `validate` checks the log
 * against the lock. No approval is invented for the version published before
 * the log existed.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createHash } from 'node:crypto';
import { RcError } from '../src/errors.js';
import { PublishRefused, publishVersion } from '../src/publish/publish.js';
import { runCli as cli } from './support/run-cli.js';
import { rulesCopy } from './support/versions-cli.js';
import { addDraft, folderPicture } from './support/publish-folder.js';
import { sortedJson } from './support/sorted-json.js';

const read = (f: string) => readFileSync(f, 'utf8');
const lockOf = (dir: string) => JSON.parse(read(join(dir, 'rules.lock'))) as Record<string, string>;
const logOf = (dir: string) => read(join(dir, 'publish-log.ndjson')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const independentHash = (text: string) => createHash('sha256').update(sortedJson(parse(text, { schema: 'core' }))).digest('hex');
const SHIPPED = lockOf('rules')['2026-01']!;

describe('publish --approved-by', () => {
  it('is required: without it (or with an empty or control-character name) a usage error, exit 2, nothing written', async () => {
    const dir = rulesCopy(['2027-01.yaml']);
    const before = folderPicture(dir);
    const missing = await cli(['--rules-dir', dir, 'publish', '2027-01']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("required option '--approved-by <name>' not specified");
    for (const name of ['', '   ', 'Dana\x1b[2J', 'a\nb']) {
      const r = await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', name]);
      expect(r.status, JSON.stringify(name)).toBe(2);
      expect(r.stderr).toMatch(/error: --approved-by /);
      expect(r.stderr).not.toContain('\x1b');
    }
    expect(folderPicture(dir)).toEqual(before);
  });

  it('appends one line {id, sha256, approvedBy, publishedAt, review: null} per publish, keeping the lines before', async () => {
    const dir = rulesCopy(['2027-01.yaml']);
    addDraft(dir, '2028-01', '2028-01-01', '2029-01-01');
    const t0 = Date.now() - 1000;
    const r = await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Dana Lee']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('approved by Dana Lee');
    const first = read(join(dir, 'publish-log.ndjson'));
    expect(first.endsWith('\n')).toBe(true);
    const [line] = logOf(dir);
    expect(Object.keys(line!)).toEqual(['id', 'sha256', 'approvedBy', 'publishedAt', 'review', 'action']);
    expect(line).toMatchObject({ id: '2027-01', approvedBy: 'Dana Lee', review: null, sha256: independentHash(read(join(dir, '2027-01.yaml'))) });
    expect(line!.sha256).toBe(lockOf(dir)['2027-01']);
    expect(line!.publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const at = Date.parse(line!.publishedAt as string);
    expect(at).toBeGreaterThanOrEqual(t0);
    expect(at).toBeLessThanOrEqual(Date.now() + 1000);

    expect((await cli(['--rules-dir', dir, 'publish', '2028-01', '--approved-by', 'Sam'])).status).toBe(0);
    const text = read(join(dir, 'publish-log.ndjson'));
    expect(text.startsWith(first)).toBe(true);
    expect(logOf(dir).map((l) => [l.id, l.approvedBy])).toEqual([['2027-01', 'Dana Lee'], ['2028-01', 'Sam']]);
    // publishing again what is published and locked approves nothing new
    expect((await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Someone'])).status).toBe(0);
    expect(read(join(dir, 'publish-log.ndjson'))).toBe(text);
  });

  it('--dry-run prints the lock entry, the status edit and the log line, and writes nothing', async () => {
    const dir = rulesCopy(['2027-01.yaml']);
    const before = folderPicture(dir);
    const r = await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Dana Lee', '--dry-run']);
    expect(r.status).toBe(0);
    const hash = independentHash(before['2027-01.yaml']!.replace('\nstatus: draft\n', '\nstatus: published\n'));
    expect(r.stdout).toContain('dry run: publishing 2027-01 would make these changes (nothing was written):');
    expect(r.stdout).toContain(`${join(dir, 'rules.lock')}: add "2027-01": "${hash}"`);
    expect(r.stdout).toContain(`${join(dir, '2027-01.yaml')}: status: draft → status: published`);
    expect(r.stdout).toMatch(new RegExp(`publish-log\\.ndjson: append \\{"id":"2027-01","sha256":"${hash}","approvedBy":"Dana Lee","publishedAt":"[^"]+Z","review":null,"action":"publish"\\}`));
    expect(folderPicture(dir)).toEqual(before); // no lock file, no journal, no log
    // a dry run is still refused for what publish refuses
    addDraft(dir, '2026-07', '2026-07-01', '2027-01-01');
    const refused = await cli(['--rules-dir', dir, 'publish', '2026-07', '--approved-by', 'Dana Lee', '--dry-run']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('would overlap published version "2026-01"');
  });

  it('carries the review hash into the log line, and calls the pre-publish check with the hash about to be locked', async () => {
    const dir = rulesCopy(['2027-01.yaml']);
    const before = folderPicture(dir);
    const expected = independentHash(before['2027-01.yaml']!.replace('\nstatus: draft\n', '\nstatus: published\n'));
    const seen: string[] = [];
    const refuse = () => [new RcError('SCHEMA', 'the review report was made for other content')];
    expect(() => publishVersion('2027-01', {
      rulesDir: dir, approvedBy: 'Dana', checkBeforePublish: (c) => { seen.push(c.sha256); return refuse(); },
    })).toThrow(PublishRefused);
    expect(seen).toEqual([expected]);
    expect(folderPicture(dir)).toEqual(before);
    const review = 'c'.repeat(64);
    publishVersion('2027-01', { rulesDir: dir, approvedBy: 'Dana', review: { sha256: review }, checkBeforePublish: () => [] });
    expect(logOf(dir)).toEqual([expect.objectContaining({ id: '2027-01', sha256: expected, review })]);
    expect((await cli(['--rules-dir', dir, 'validate'])).status).toBe(0);
  });
});

describe('validate checks the publish log against the lock', () => {
  it('says once, in the summary and not as a warning, that the shipped version was published before the log existed; no line is invented for it', async () => {
    const dir = rulesCopy(['2027-01.yaml']);
    const v = await cli(['--rules-dir', dir, 'validate']);
    expect(v.status).toBe(0);
    expect(v.stderr).not.toContain('warning:');
    expect(v.stderr).toContain(`2 rule set(s) in ${dir}/: 2 valid, 0 invalid; 0 error(s); published before the publish log existed, so no approval is recorded (nothing to do): 2026-01\n`);
    expect((await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Dana'])).status).toBe(0);
    expect(logOf(dir).map((l) => l.id)).toEqual(['2027-01']);
    const again = await cli(['--rules-dir', dir, 'validate']);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/no approval is recorded \(nothing to do\): 2026-01\n/);
    expect(existsSync('rules/publish-log.ndjson')).toBe(false); // the shipped folder has no log
  });

  it('fails at the line whose hash is not the lock\'s, and at a line for a version the lock does not hold', async () => {
    const dir = rulesCopy();
    const ok = `{"id":"2026-01","sha256":"${SHIPPED}","approvedBy":"Ann","publishedAt":"2026-01-01T00:00:00Z","review":null}`;
    const other = `{"id":"2026-01","sha256":"${'a'.repeat(64)}","approvedBy":"Bob","publishedAt":"2026-02-01T00:00:00Z","review":null}`;
    const stray = `{"id":"2025-01","sha256":"${SHIPPED}","approvedBy":"Cy","publishedAt":"2026-03-01T00:00:00Z","review":null}`;
    writeFileSync(join(dir, 'publish-log.ndjson'), `${ok}\n${other}\n\n${stray}\n`);
    const v = await cli(['--rules-dir', dir, 'validate']);
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(/publish-log\.ndjson:2:1: 2026-01: the publish log records "2026-01" with sha256 aaaaaaaaaaaa…, but rules\.lock holds 2e113da2ab09…/);
    expect(v.stderr).toMatch(/publish-log\.ndjson:4:1: 2025-01: the publish log records an approval of "2025-01" .*but rules\.lock holds no version "2025-01"/);
    expect(v.stderr).not.toMatch(/publish-log\.ndjson:1:/);
    expect(v.stderr).not.toContain('no approval is recorded');
  });

  it('fails at every malformed line of a hostile log (fixture), naming the field', async () => {
    const dir = rulesCopy();
    copyFileSync('test/fixtures/publish-log/bad-lines.ndjson', join(dir, 'publish-log.ndjson'));
    const v = await cli(['--rules-dir', dir, 'validate']);
    expect(v.status).toBe(1);
    const lines = v.stderr.split('\n').filter((l) => l.includes('publish-log.ndjson:'));
    const where = lines.map((l) => /publish-log\.ndjson:(\d+):1: (?:(\w+): )?/.exec(l)!.slice(1).join(' ').trim());
    expect(where).toEqual(['2', '3', '4 sha256', '4 approvedBy', '4 publishedAt', '4 review', '5', '5 publishedAt']);
    expect(v.stderr).toContain('unknown field(s) "note"');
    expect(v.stderr).not.toContain('no approval is recorded'); // line 1 approves 2026-01
    // publish refuses nothing for a bad log line, but validate keeps failing until it is fixed
    expect(read(join(dir, 'publish-log.ndjson'))).toBe(read('test/fixtures/publish-log/bad-lines.ndjson'));
  });
});

describe('publish --review (SPEC §6 Approvals)', () => {
  const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

  it('records the sha256 of a passing review of exactly this content; refuses a review of other content or with a failed check, writing nothing', async () => {
    const dir = rulesCopy(['2027-01.yaml']);
    const report = join(dir, '..', 'review.json');
    const rv = await cli(['--rules-dir', dir, 'review', '2027-01', '--format', 'json', '--out', report, '--runs', '50']);
    expect(rv.status, rv.stderr).toBe(0);
    const reviewed = JSON.parse(read(report)) as { candidate: { publishedSha256: string }; checks: { passed: boolean }[] };
    const draft = read(join(dir, '2027-01.yaml'));
    expect(reviewed.candidate.publishedSha256).toBe(independentHash(draft.replace('\nstatus: draft\n', '\nstatus: published\n')));

    // a check recorded as failed: refused (exit 1), nothing written
    const failed = join(dir, '..', 'failed.json');
    writeFileSync(failed, JSON.stringify({ ...reviewed, checks: reviewed.checks.map((c, i) => (i === 0 ? { ...c, passed: false } : c)) }));
    const before = folderPicture(dir);
    const r1 = await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Dana Lee', '--review', failed]);
    expect(r1.status).toBe(1);
    expect(r1.stderr).toContain('records failed checks');
    expect(folderPicture(dir)).toEqual(before);

    // the draft edited after its review: refused, naming both hashes
    const edited = rulesCopy(['2027-01.yaml']);
    writeFileSync(join(edited, '2027-01.yaml'), draft.replace('title: ', 'title: Edited '));
    const editedBefore = folderPicture(edited);
    const r2 = await cli(['--rules-dir', edited, 'publish', '2027-01', '--approved-by', 'Dana Lee', '--review', report]);
    expect(r2.status).toBe(1);
    expect(r2.stderr).toContain('was made for other content');
    expect(r2.stderr).toContain(`${reviewed.candidate.publishedSha256.slice(0, 12)}…`);
    expect(folderPicture(edited)).toEqual(editedBefore);

    // not a review at all
    const r3 = await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Dana Lee', '--review', join(dir, 'rules.lock')]);
    expect(r3.status).toBe(1);
    expect(r3.stderr).toContain('is not a review report');
    expect(folderPicture(dir)).toEqual(before);

    // a dry run shows the review hash in the log line and writes nothing
    const dry = await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Dana Lee', '--review', report, '--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`"review":"${sha(readFileSync(report))}"`);
    expect(folderPicture(dir)).toEqual(before);

    // the real publish: the log line carries the sha256 of the report's bytes
    const ok = await cli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Dana Lee', '--review', report]);
    expect(ok.status, ok.stderr).toBe(0);
    const [line] = logOf(dir);
    expect(line).toMatchObject({ id: '2027-01', approvedBy: 'Dana Lee', review: sha(readFileSync(report)), sha256: reviewed.candidate.publishedSha256 });
    expect(lockOf(dir)['2027-01']).toBe(reviewed.candidate.publishedSha256);
  });
});
