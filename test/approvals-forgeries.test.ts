/**
 * Issue 20, "Who did it, provably": every forgery tried as an insider with
 * write access to the rules folder, as a table row with the refusal it now
 * meets when signers are configured (SPEC §11). The folder is made through
 * the real commands with real ssh-keygen keys (test/support/signed-folder.ts)
 * and each row breaks a copy of it in one way.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { copyRules, ok, signedFolder, tree, type SignedFolder } from './support/signed-folder.js';
import { signWithSshKeygen } from '../src/signing/sign.js';
import { statementBytes, statementSha256, STATEMENT_KIND } from '../src/signing/statement.js';
import { ROLE_NAMESPACE } from '../src/signing/roles.js';

let f: SignedFolder;
beforeAll(async () => {
  f = await signedFolder();
}, 120_000);

const SEED = 'examples/seed-px2.yaml';
const logOf = (dir: string) => readFileSync(join(dir, 'publish-log.ndjson'), 'utf8').split('\n').filter(Boolean);
const setLog = (dir: string, lines: string[]) => writeFileSync(join(dir, 'publish-log.ndjson'), lines.map((l) => `${l}\n`).join(''));
const editLine = (dir: string, i: number, edit: (o: Record<string, unknown>) => void) => {
  const lines = logOf(dir);
  const o = JSON.parse(lines[i]!) as Record<string, unknown>;
  edit(o);
  lines[i] = JSON.stringify(o);
  setLog(dir, lines);
};
const lockOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'rules.lock'), 'utf8')) as Record<string, string>;
const edit = (file: string, from: string | RegExp, to: string) => {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`no ${String(from)} in ${file}`);
  writeFileSync(file, next);
};

/** A signed statement made by hand with `key` (a forger holding only their own key). */
function forgeStatement(dir: string, name: string, key: string, role: 'request' | 'approve', action: 'publish', id: string, sha256: string, review: string, principal: string) {
  const bytes = statementBytes({ kind: STATEMENT_KIND.approval, role, action, id, sha256, review, principal, time: '2026-12-07T09:00:00Z' });
  const armored = signWithSshKeygen(bytes, role === 'request' ? ROLE_NAMESPACE.author : ROLE_NAMESPACE.approve, key);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), bytes);
  writeFileSync(join(dir, `${name}.sig`), armored);
  return statementSha256(bytes);
}

interface Row {
  name: string;
  forge: (dir: string) => void;
  /** validate's verdict with signers configured. */
  validate: RegExp;
}

const ROWS: Row[] = [
  {
    name: 'approvedBy edited to "Dana Lee (CFO)"',
    forge: (d) => editLine(d, 0, (o) => { o.approvedBy = 'Dana Lee (CFO)'; }),
    validate: /log line 1 says approved by "Dana Lee \(CFO\)", but the signatures it lists are by "bob"/,
  },
  {
    name: 'review hash invented',
    forge: (d) => editLine(d, 0, (o) => { o.review = 'e'.repeat(64); }),
    validate: /log line 1 names review eeeeeeeeeeee…, but the signed request covers/,
  },
  {
    name: 'a line added for the version in force (2026-01)',
    forge: (d) => setLog(d, [...logOf(d), JSON.stringify({ id: '2026-01', sha256: lockOf(d)['2026-01'], approvedBy: 'Dana Lee', publishedAt: '2026-12-01T00:00:00Z', review: null, action: 'publish' })]),
    validate: /approve-bob.json: the log lines of 2026-01 without signatures are not those bob attested/,
  },
  {
    name: 'a line duplicated, dated 2999',
    forge: (d) => {
      const o = JSON.parse(logOf(d)[0]!) as Record<string, unknown>;
      setLog(d, [...logOf(d), JSON.stringify({ ...o, publishedAt: '2999-01-01T00:00:00Z' })]);
    },
    validate: /log line 2 records a publish where a retire must come first/,
  },
  {
    name: 'the line deleted',
    forge: (d) => setLog(d, []),
    validate: /2027-01: is published and has signed approvals in .*, but no log line: a log line was removed/,
  },
  {
    name: 'the whole publish-log.ndjson deleted',
    forge: (d) => rmSync(join(d, 'publish-log.ndjson')),
    validate: /2027-01: is published and has signed approvals .* but no log line/,
  },
  {
    name: 'the version in force retired by hand (no approval, no line)',
    forge: (d) => edit(join(d, '2026-01.yaml'), /^status: published/m, 'status: retired'),
    validate: /2026-01: is retired, but the last log line for it records a publish|2026-01: is retired but the publish log has no line/,
  },
  {
    name: 'a signed statement altered after signing (the request names another time)',
    forge: (d) => {
      const dir = join(d, 'approvals', '2027-01');
      const round = join(dir, readdirSync(dir)[0]!);
      edit(join(round, 'request.json'), /"time":"[^"]+"/, '"time":"2026-12-01T00:00:00Z"');
    },
    validate: /request.json: signature of "alice": the signature does not match the signed content/,
  },
];

describe('forgeries of the rules folder, with signers configured', () => {
  it.each(ROWS)('$name: validate fails naming it', async (row) => {
    const dir = copyRules(f, row.name);
    row.forge(dir);
    const v = await runCli(['--rules-dir', dir, 'validate'], { env: f.env });
    expect(v.stderr).toMatch(row.validate);
    expect(v.status).toBe(1);
    // evaluate, whatif and issue refuse the folder rather than compute with what is left
    const e = await runCli(['--rules-dir', dir, 'evaluate', SEED], { env: f.env });
    expect(e.status).toBe(2);
    expect(e.stdout).toBe('');
    expect(e.stderr).toMatch(/the approvals of .* do not verify against the signers file: nothing was computed/);
  });

  it('the signed folder itself validates, and evaluates the seed at 10%', async () => {
    expect((await runCli(['--rules-dir', f.rules, 'validate'], { env: f.env })).status).toBe(0);
    expect(await ok(['--rules-dir', f.rules, 'evaluate', SEED], f.env)).toContain('Credit = 10% × $250.00 = $25.00');
  });

  it('2026-01 at 90% with a matching lock: without signers the seed would be credited $225.00; with them evaluate and issue refuse it (exit 2)', async () => {
    const dir = copyRules(f, 'ninety');
    edit(join(dir, '2026-01.yaml'), 'creditPercent: "10" }', 'creditPercent: "90" }');
    const fix = await runCli(['--rules-dir', dir, 'validate', '--format', 'json']);
    const now = (JSON.parse(fix.stdout) as { errors: { message: string }[] }).errors.map((x) => x.message).join('\n');
    const hash = /now ([0-9a-f]{12})…/.exec(now)![1];
    // write the new full hash into the lock, as the insider would
    const { hashWithStatus } = await import('../src/parse/canonical.js');
    const { parse } = await import('yaml');
    const full = hashWithStatus(parse(readFileSync(join(dir, '2026-01.yaml'), 'utf8'), { schema: 'core' }), 'published');
    expect(full.startsWith(hash!)).toBe(true);
    writeFileSync(join(dir, 'rules.lock'), JSON.stringify({ ...lockOf(dir), '2026-01': full }, null, 2) + '\n');
    const plain = await runCli(['--rules-dir', dir, 'evaluate', SEED]);
    expect(plain.stdout).toContain('Credit = 90% × $250.00 = $225.00');
    const signed = await runCli(['--rules-dir', dir, 'evaluate', SEED], { env: f.env });
    expect(signed.status).toBe(2);
    expect(signed.stderr).toMatch(/2026-01: is published with no approval/);
    const v = await runCli(['--rules-dir', dir, 'validate'], { env: f.env });
    expect(v.status).toBe(1);
  });

  it('a self-approved replacement at 50% written to disk with the author\'s own signatures: credited $125.00 without signers, refused with them', async () => {
    const dir = copyRules(f, 'fifty');
    edit(join(dir, '2026-01.yaml'), /^status: published/m, 'status: retired');
    const text = readFileSync(join(dir, '2026-01.yaml'), 'utf8').replace(/^id: "?2026-01"?/m, 'id: "2026-50"').replace(/^status: retired/m, 'status: published').replace('creditPercent: "10" }', 'creditPercent: "50" }');
    writeFileSync(join(dir, '2026-50.yaml'), text);
    const { hashWithStatus } = await import('../src/parse/canonical.js');
    const { parse } = await import('yaml');
    const sha = hashWithStatus(parse(text, { schema: 'core' }), 'published');
    writeFileSync(join(dir, 'rules.lock'), JSON.stringify({ ...lockOf(dir), '2026-50': sha }, null, 2) + '\n');
    const round = join(dir, 'approvals', '2026-50', `publish-${sha.slice(0, 12)}`);
    mkdirSync(round, { recursive: true });
    copyFileSync(join(f.base, 'review.json'), join(round, 'review.json'));
    const review = statementSha256(readFileSync(join(round, 'review.json')));
    const req = forgeStatement(round, 'request.json', f.keys.alice.file, 'request', 'publish', '2026-50', sha, review, 'alice');
    const app = forgeStatement(round, 'approve-alice.json', f.keys.alice.file, 'approve', 'publish', '2026-50', sha, review, 'alice');
    setLog(dir, [...logOf(dir), JSON.stringify({ id: '2026-50', sha256: sha, approvedBy: 'alice', publishedAt: '2026-12-07T09:00:00Z', review, action: 'publish', signatures: [{ role: 'request', principal: 'alice', statement: req }, { role: 'approve', principal: 'alice', statement: app }] })]);
    const plain = await runCli(['--rules-dir', dir, 'evaluate', SEED]);
    expect(plain.stdout).toContain('Credit = 50% × $250.00 = $125.00');
    const signed = await runCli(['--rules-dir', dir, 'evaluate', SEED], { env: f.env });
    expect(signed.status).toBe(2);
    const v = await runCli(['--rules-dir', dir, 'validate'], { env: f.env });
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(/approve-alice.json: line 1: the key of "alice" is not permitted for "reseller-credits-approve"/);
    expect(v.stderr).toMatch(/2026-01: is retired/);
  });
});

describe('the commands refuse what the forger would type', () => {
  it('publish --approved-by "Dana Lee (CFO)" with signers configured: a usage error, nothing written', async () => {
    const dir = copyRules(f, 'typed');
    const before = tree(dir);
    const r = await runCli(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Dana Lee (CFO)'], { env: f.env });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/leave out --approved-by/);
    expect(tree(dir)).toEqual(before);
  });

  it('the author approving their own change, by principal or by the same key under another name, is refused', async () => {
    const dir = copyRules(f, 'self');
    writeFileSync(join(dir, '2027-02.yaml'), readFileSync('rules/2027-01.yaml', 'utf8').replace(/^id: "?2027-01"?/m, 'id: "2027-02"').replace(/from: "?2027-01-01"?/, 'from: "2028-01-01"').replace(/until: "?2028-01-01"?/, 'until: "2029-01-01"'));
    const review = join(f.base, 'review-2027-02.json');
    await ok(['--rules-dir', dir, 'review', '2027-02', '--baseline', '2027-01', '--format', 'json', '--out', review], f.env);
    await ok(['--rules-dir', dir, 'request', '2027-02', '--review', review, '--sign-key', f.keys.carol.file, '--principal', 'carol'], f.env);
    const own = await runCli(['--rules-dir', dir, 'approve', '2027-02', '--sign-key', f.keys.carol.file, '--principal', 'carol'], { env: f.env });
    expect(own.status).toBe(1);
    expect(own.stderr).toMatch(/carol wrote the request: an author cannot approve their own change/);
    // security lists carol's key a second time, as "dana": still the author's key
    const signers = join(f.base, 'signers-dana');
    writeFileSync(signers, `${readFileSync(f.signers, 'utf8')}dana namespaces="reseller-credits-approve" ${f.keys.carol.pub}\n`);
    const alias = await runCli(['--rules-dir', dir, 'approve', '2027-02', '--sign-key', f.keys.carol.file, '--principal', 'dana'], { env: { RESELLER_CREDITS_SIGNERS: signers } });
    expect(alias.status).toBe(1);
    expect(alias.stderr).toMatch(/this key \(SHA256:[^)]+\) signed the request/);
    const publish = await runCli(['--rules-dir', dir, 'publish', '2027-02'], { env: f.env });
    expect(publish.status).toBe(1);
    expect(publish.stderr).toMatch(/0 distinct approval\(s\), 1 required/);
    await ok(['--rules-dir', dir, 'approve', '2027-02', '--sign-key', f.keys.bob.file], f.env);
    const twice = await runCli(['--rules-dir', dir, 'approve', '2027-02', '--sign-key', f.keys.bob.file], { env: f.env });
    expect(twice.status).toBe(1);
    expect(twice.stderr).toMatch(/bob has approved this change already/);
  });

  it('no silent downgrade: without signers, publish and retire refuse a folder whose approvals are signed (exit 2), writing nothing', async () => {
    const dir = copyRules(f, 'downgrade');
    const before = tree(dir);
    for (const args of [['publish', '2027-01', '--approved-by', 'Dana Lee'], ['retire', '2026-01', '--approved-by', 'Dana Lee']]) {
      const r = await runCli(['--rules-dir', dir, ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/this folder's approvals are signed: configure --signers/);
    }
    expect(tree(dir)).toEqual(before);
  });

  it('raising the minimum asks for more approvals, never passes old ones: --min-approvals 2 fails until a second approver attests', async () => {
    const dir = copyRules(f, 'min2');
    const env = { ...f.env, RESELLER_CREDITS_MIN_APPROVALS: '2' };
    const v = await runCli(['--rules-dir', dir, 'validate'], { env });
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(/2027-01: the publish of log line 1: 1 distinct approval\(s\), 2 required/);
    expect(v.stderr).toMatch(/2026-01: attestation: 1 distinct approval\(s\), 2 required/);
    await ok(['--rules-dir', dir, 'approve', '2027-01', '--attest', '--sign-key', f.keys.carol.file], env);
    await ok(['--rules-dir', dir, 'approve', '2026-01', '--attest', '--sign-key', f.keys.carol.file], env);
    expect((await runCli(['--rules-dir', dir, 'validate'], { env })).status).toBe(0);
  });

  it('a key used after its valid-before is refused, by the time in the statement', async () => {
    const signers = join(f.base, 'signers-expired');
    writeFileSync(signers, readFileSync(f.signers, 'utf8').replace('bob namespaces="reseller-credits-approve"', 'bob namespaces="reseller-credits-approve",valid-before="20200101Z"'));
    const v = await runCli(['--rules-dir', f.rules, 'validate'], { env: { RESELLER_CREDITS_SIGNERS: signers } });
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(/approve-bob.json: line 2: the key of "bob" had expired at .* \(valid-before 2020-01-01T00:00:00Z\)/);
  });

  it('retire with signers: refused without a signed request and approval, then logged with action "retire" and validated; published again in a round of its own', async () => {
    const dir = copyRules(f, 'retire');
    const r = await runCli(['--rules-dir', dir, 'retire', '2027-01'], { env: f.env });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/retire-[0-9a-f]{12} is missing \(no signed request for this content\)/);
    await ok(['--rules-dir', dir, 'request', '2027-01', '--retire', '--sign-key', f.keys.alice.file], f.env);
    await ok(['--rules-dir', dir, 'approve', '2027-01', '--retire', '--sign-key', f.keys.carol.file], f.env);
    await ok(['--rules-dir', dir, 'retire', '2027-01'], f.env);
    const last = JSON.parse(logOf(dir).at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ id: '2027-01', action: 'retire', approvedBy: 'carol', sha256: lockOf(dir)['2027-01'] });
    expect(readFileSync(join(dir, '2027-01.yaml'), 'utf8')).toMatch(/^status: retired/m);
    expect((await runCli(['--rules-dir', dir, 'validate'], { env: f.env })).status).toBe(0);
    // published again: the second round has a folder of its own, and the first keeps its statements
    await ok(['--rules-dir', dir, 'request', '2027-01', '--review', join(f.base, 'review.json'), '--sign-key', f.keys.alice.file], f.env);
    await ok(['--rules-dir', dir, 'approve', '2027-01', '--sign-key', f.keys.carol.file], f.env);
    await ok(['--rules-dir', dir, 'publish', '2027-01'], f.env);
    const sha12 = lockOf(dir)['2027-01']!.slice(0, 12);
    expect(readdirSync(join(dir, 'approvals', '2027-01')).sort()).toEqual([`publish-${sha12}`, `publish-${sha12}-2`, `retire-${sha12}`]);
    expect(logOf(dir).map((l) => (JSON.parse(l) as { action: string; approvedBy: string }).action + ' by ' + (JSON.parse(l) as { approvedBy: string }).approvedBy))
      .toEqual(['publish by bob', 'retire by carol', 'publish by carol']);
    expect((await runCli(['--rules-dir', dir, 'validate'], { env: f.env })).status).toBe(0);
    // the second round's folder removed: that publish no longer verifies
    rmSync(join(dir, 'approvals', '2027-01', `publish-${sha12}-2`), { recursive: true });
    const v = await runCli(['--rules-dir', dir, 'validate'], { env: f.env });
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(new RegExp(`publish-${sha12}-2 is missing`));
  });
});

describe('switching signatures on for a folder published with typed names', () => {
  it('a typed publish line fails until the content is attested; the attestation then covers exactly those typed lines', async () => {
    const dir = copyRules(f, 'typed-history');
    rmSync(join(dir, 'approvals'), { recursive: true });
    setLog(dir, []);
    writeFileSync(join(dir, 'rules.lock'), JSON.stringify({ '2026-01': lockOf(dir)['2026-01'] }, null, 2) + '\n');
    edit(join(dir, '2027-01.yaml'), /^status: published/m, 'status: draft');
    await ok(['--rules-dir', dir, 'publish', '2027-01', '--approved-by', 'Dana Lee'], {});
    const v = await runCli(['--rules-dir', dir, 'validate'], { env: f.env });
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(/publish-log\.ndjson:1:1: 2027-01: log line 1 has no signatures \(a typed name, or a line written by hand\)/);
    expect(v.stderr).toMatch(/2027-01: was published with a typed name only; approve its content after the fact/);
    await ok(['--rules-dir', dir, 'approve', '2027-01', '--attest', '--sign-key', f.keys.bob.file], f.env);
    await ok(['--rules-dir', dir, 'approve', '2026-01', '--attest', '--sign-key', f.keys.bob.file], f.env);
    expect((await runCli(['--rules-dir', dir, 'validate'], { env: f.env })).status).toBe(0);
    editLine(dir, 0, (o) => { o.approvedBy = 'Dana Lee (CFO)'; });
    const after = await runCli(['--rules-dir', dir, 'validate'], { env: f.env });
    expect(after.stderr).toMatch(/the log lines of 2027-01 without signatures are not those bob attested/);
  });
});

describe('without signers nothing changes but one notice', () => {
  it('the shipped folder: validate and evaluate as in the README, validate says once that approvals are not verified', async () => {
    const v = await runCli(['validate']);
    expect(v.status).toBe(0);
    expect(v.stderr.match(/approvals are not verified: names are typed and anyone can write any name \(see docs\/approvals.md\)/g)).toHaveLength(1);
    const e = await runCli(['evaluate', SEED]);
    expect(e.status).toBe(0);
    expect(e.stdout).toContain('Credit = 10% × $250.00 = $25.00');
    expect(e.stderr).not.toMatch(/approvals are not verified/);
  });
});
