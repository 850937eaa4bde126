/**
 * The files of one change (rules/approvals/<id>/<action>-<sha12>/, SPEC §11)
 * broken one way each: every row makes `validate` fail, with signers
 * configured, naming the file and what is wrong with it.
 */
import { readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signWithSshKeygen } from '../src/signing/sign.js';
import { ROLE_NAMESPACE } from '../src/signing/roles.js';
import { statementBytes, type ApprovalStatement } from '../src/signing/statement.js';
import { runCli } from './support/run-cli.js';
import { copyRules, signedFolder, type SignedFolder } from './support/signed-folder.js';

let f: SignedFolder;
beforeAll(async () => {
  f = await signedFolder();
}, 120_000);

const roundOf = (dir: string) => {
  const top = join(dir, 'approvals', '2027-01');
  return join(top, readdirSync(top)[0]!);
};
const approval = (round: string) => JSON.parse(readFileSync(join(round, 'approve-bob.json'), 'utf8')) as ApprovalStatement;

const ROWS: [string, (round: string, dir: string) => void, RegExp][] = [
  ['a stray file in the round', (r) => writeFileSync(join(r, 'notes.txt'), 'hi'), /notes\.txt does not belong in an approvals folder/],
  ['the request replaced by a symbolic link', (r) => {
    copyFileSync(join(r, 'request.json'), join(r, '..', 'elsewhere.json'));
    rmSync(join(r, 'request.json'));
    symlinkSync(join(r, '..', 'elsewhere.json'), join(r, 'request.json'));
  }, /request\.json is not a regular file \(symbolic links are not followed\)/],
  ['an approval renamed to another approver', (r) => {
    renameSync(join(r, 'approve-bob.json'), join(r, 'approve-carol.json'));
    renameSync(join(r, 'approve-bob.json.sig'), join(r, 'approve-carol.json.sig'));
  }, /approve-carol\.json: signed by "bob", but the file name says otherwise/],
  ['a signature file deleted', (r) => rmSync(join(r, 'request.json.sig')), /request\.json\.sig is missing/],
  ['the review report deleted', (r) => rmSync(join(r, 'review.json')), /review\.json is missing: the review report the request was signed for/],
  ['the request deleted', (r) => { rmSync(join(r, 'request.json')); rmSync(join(r, 'request.json.sig')); }, /request\.json is missing: no signed request for this change/],
  ['an approval of another review, signed by the approver', (r) => {
    const st = { ...approval(r), review: 'c'.repeat(64) };
    const bytes = statementBytes(st);
    writeFileSync(join(r, 'approve-bob.json'), bytes);
    writeFileSync(join(r, 'approve-bob.json.sig'), signWithSshKeygen(bytes, ROLE_NAMESPACE.approve, f.keys.bob.file));
  }, /approve-bob\.json: approves another review report than the request names/],
  ['an approval of other content, signed by the approver', (r) => {
    const st = { ...approval(r), sha256: 'd'.repeat(64) };
    const bytes = statementBytes(st);
    writeFileSync(join(r, 'approve-bob.json'), bytes);
    writeFileSync(join(r, 'approve-bob.json.sig'), signWithSshKeygen(bytes, ROLE_NAMESPACE.approve, f.keys.bob.file));
  }, /approve-bob\.json: names content dddddddddddd…, not the publish of 2027-01/],
  ['an approval signed in the author namespace', (r) => {
    const bytes = readFileSync(join(r, 'approve-bob.json'));
    writeFileSync(join(r, 'approve-bob.json.sig'), signWithSshKeygen(bytes, ROLE_NAMESPACE.author, f.keys.bob.file));
  }, /approve-bob\.json: signature of "bob": signed for namespace "reseller-credits-author", not "reseller-credits-approve"/],
  ['a statement rewritten with spaces (same meaning, other bytes)', (r) => {
    writeFileSync(join(r, 'approve-bob.json'), `${JSON.stringify(approval(r), null, 1)}\n`);
  }, /approve-bob\.json: the statement .*is not in canonical form/],
];

describe('a broken approvals folder fails validate, naming the file', () => {
  it.each(ROWS)('%s', async (name, breakIt, message) => {
    const dir = copyRules(f, name);
    breakIt(roundOf(dir), dir);
    const v = await runCli(['--rules-dir', dir, 'validate'], { env: f.env });
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(message);
  });
});
