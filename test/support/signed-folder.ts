/**
 * A rules folder with signed approvals, made once per test file through the
 * real commands and real ssh-keygen keys: alice is an author, bob and carol
 * approvers (security's allowed_signers file, outside the folder). 2026-01
 * is attested by bob (published before signatures), 2027-01 requested by
 * alice, approved by bob and published. Each test copies it and breaks the
 * copy in one way.
 */
import { cpSync, lstatSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeKey, type TestKey } from './ssh.js';
import { runCli } from './run-cli.js';
import { tempDir } from './temp.js';

/** The keys, the trust file and the signed folder. */
export interface SignedFolder {
  base: string;
  keys: Record<'alice' | 'bob' | 'carol', TestKey>;
  signers: string;
  rules: string;
  env: Record<string, string>;
}

/** Runs the CLI and throws with its output unless it exits 0. */
export async function ok(args: readonly string[], env: Record<string, string>): Promise<string> {
  const r = await runCli(args, { env });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** Builds the signed folder in a temp folder. */
export async function signedFolder(): Promise<SignedFolder> {
  const base = tempDir('rc-signed-');
  const keys = { alice: makeKey(base, 'alice', 'ed25519'), bob: makeKey(base, 'bob', 'ecdsa', 256), carol: makeKey(base, 'carol', 'ed25519') };
  const signers = join(base, 'allowed_signers');
  writeFileSync(signers, [
    `alice namespaces="reseller-credits-author" ${keys.alice.pub}`,
    `bob namespaces="reseller-credits-approve" ${keys.bob.pub}`,
    `carol namespaces="reseller-credits-approve,reseller-credits-author" ${keys.carol.pub}`,
  ].join('\n') + '\n');
  const rules = join(base, 'rules');
  cpSync('rules', rules, { recursive: true });
  const env = { RESELLER_CREDITS_SIGNERS: signers };
  const r = ['--rules-dir', rules];
  await ok([...r, 'approve', '2026-01', '--attest', '--sign-key', keys.bob.file], env);
  const review = join(base, 'review.json');
  await ok([...r, 'review', '2027-01', 'examples/portfolio.ndjson', '--format', 'json', '--out', review], env);
  await ok([...r, 'request', '2027-01', '--review', review, '--sign-key', keys.alice.file], env);
  await ok([...r, 'approve', '2027-01', '--sign-key', keys.bob.file], env);
  await ok([...r, 'publish', '2027-01'], env);
  return { base, keys, signers, rules, env };
}

/** A fresh copy of the signed folder's rules, to break. */
export function copyRules(f: SignedFolder, name: string): string {
  const dir = join(tempDir('rc-forgery-'), name.replace(/\W+/g, '_'));
  cpSync(f.rules, dir, { recursive: true });
  return dir;
}

/** Every file under `dir` (recursively) with its bytes, symbolic links as `-> target`: to assert nothing changed. */
export function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isSymbolicLink()) out[prefix + name] = `-> ${readlinkSync(path)}`;
    else if (st.isDirectory()) Object.assign(out, tree(path, `${prefix}${name}/`));
    else out[prefix + name] = readFileSync(path).toString('base64');
  }
  return out;
}
