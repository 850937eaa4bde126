/**
 * The auditor's evidence bundle (SPEC §11): written from a signed rules
 * folder, entries and a signed run; `evidence verify` accepts it after it is
 * copied elsewhere (no rules folder there), `sha256sum -c` accepts its
 * manifest, and changing any one byte of any file of it is refused.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/parse/canonical.js';
import { MANIFEST, writeEvidence, type EvidenceEntry } from '../src/ledger/evidence.js';
import { signRun, type RunBodyLike } from '../src/signing/run-signature.js';
import { runCli } from './support/run-cli.js';
import { makeKey } from './support/ssh.js';
import { signedFolder, type SignedFolder } from './support/signed-folder.js';
import { tempDir } from './support/temp.js';

let f: SignedFolder;
let bundle: string;
let env: Record<string, string>;
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

beforeAll(async () => {
  f = await signedFolder();
  const ops = makeKey(f.base, 'ops', 'ed25519');
  const signers = join(f.base, 'signers-with-ops');
  writeFileSync(signers, `${readFileSync(f.signers, 'utf8')}ops namespaces="reseller-credits-issue" ${ops.pub}\n`);
  env = { RESELLER_CREDITS_SIGNERS: signers };
  const lock = JSON.parse(readFileSync(join(f.rules, 'rules.lock'), 'utf8')) as Record<string, string>;
  const snapshot = parse(readFileSync('examples/seed-px2.yaml', 'utf8'), { schema: 'core' }) as unknown;
  const body = {
    id: sha('issue|R-1001|2026-11|1'), kind: 'issue', n: 1, account: 'R-1001', period: '2026-11', currency: 'USD',
    rules: { id: '2026-01', sha256: lock['2026-01']! }, snapshotSha256: sha(canonicalJson(snapshot)), snapshot,
    result: { credit: '25.00' }, runId: 'run-1', recordedAt: '2026-12-07T10:00:00.000Z', prev: '0'.repeat(64),
  };
  const entry: EvidenceEntry = { seq: 1, prev: body.prev, hash: sha(body.prev + canonicalJson(body)), body };
  const run: RunBodyLike = {
    id: sha('run|run-1'), runId: 'run-1', period: '2026-11', operator: 'ops', inputs: [{ name: 'portfolio.ndjson', sha256: sha('p') }],
    rules: [body.rules], counts: { issued: 1, unchanged: 0, adjusted: 0, errors: 0 }, first: body.id, last: body.id, lastHash: entry.hash,
    headBefore: body.prev, recordedAt: body.recordedAt,
  };
  bundle = join(tempDir('rc-evidence-'), 'bundle');
  writeEvidence({ account: 'R-1001', period: '2026-11', entries: [entry], rulesDir: f.rules, runs: [{ body: run, signature: signRun(run, ops.file) }], head: entry.hash }, bundle);
}, 120_000);

const verify = (dir: string, withSigners = true) => runCli(['evidence', 'verify', dir], { env: withSigners ? env : {} });
const files = () => readFileSync(join(bundle, MANIFEST), 'utf8').split('\n').filter(Boolean).map((l) => l.slice(66)).concat(MANIFEST);

describe('ledger evidence bundle', () => {
  it('verifies after being copied elsewhere, where there is no rules folder; sha256sum -c agrees', async () => {
    const elsewhere = join(tempDir('rc-auditor-'), 'copy');
    cpSync(bundle, elsewhere, { recursive: true });
    const r = await verify(elsewhere);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/checked approvals of 2026-01\nchecked runs\/run-1\.json: signed by ops\nthe bundle verifies\n$/);
    const sums = spawnSync('sha256sum', ['-c', MANIFEST], { cwd: elsewhere, encoding: 'utf8' });
    expect(sums.status).toBe(0);
    expect(files().length).toBeGreaterThan(8);
    expect(readFileSync(join(elsewhere, 'README.md'), 'utf8')).toContain('sha256sum -c MANIFEST.sha256');
  });

  it('without signers: the hashes are checked and it says the signatures were not', async () => {
    const r = await verify(bundle, false);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('checked approvals and runs: not verified (no --signers)');
  });

  it('is refused after changing any one byte of any of its files', async () => {
    const refused: string[] = [];
    for (const name of files()) {
      const copy = join(tempDir('rc-byte-'), 'b');
      cpSync(bundle, copy, { recursive: true });
      const bytes = readFileSync(join(copy, name));
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at]! ^ 0x01;
      writeFileSync(join(copy, name), bytes);
      const r = await verify(copy);
      if (r.status === 1 && /the bundle does not verify/.test(r.stdout)) refused.push(name);
    }
    expect(refused).toEqual(files());
  });

  it('a file added to the bundle, or one removed, is refused', async () => {
    const added = join(tempDir('rc-add-'), 'b');
    cpSync(bundle, added, { recursive: true });
    writeFileSync(join(added, 'entries', 'zz-extra.json'), '{}\n');
    expect((await verify(added)).stderr).toMatch(/entries\/zz-extra\.json is not in MANIFEST\.sha256/);
  });
});
