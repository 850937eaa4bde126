/**
 * Signing by running `ssh-keygen -Y sign` (SPEC §11), never by reading a
 * private key here: keys held by ssh-agent, passphrase-protected keys (the
 * passphrase is asked on the terminal by ssh-keygen itself) and hardware keys
 * all work, and no key material ever enters this process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RcError } from '../errors.js';
import { verifySshSig } from './sshsig.js';

/** Options of `signWithSshKeygen`. */
export interface SignOptions {
  /** The `ssh-keygen` to run. Default `ssh-keygen` from PATH. */
  sshKeygen?: string;
  /** Environment for ssh-keygen (SSH_AUTH_SOCK reaches the agent). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Give up after this many milliseconds (a hardware key waiting for a touch). Default 120000. */
  timeoutMs?: number;
  /**
   * Whether ssh-keygen may ask for a passphrase on the terminal. Default
   * true; false (a service, a test) gives it no terminal and an SSH_ASKPASS
   * that answers nothing, so a key that needs a passphrase fails at once.
   */
  interactive?: boolean;
}

/**
 * Signs `message` in `namespace` with the key `keyFile` (a private key file,
 * or the public key of a key held by ssh-agent) and returns the armored
 * signature, checked in-process before it is returned. Throws
 * `RcError('SIGN_FAILED')` with ssh-keygen's own words.
 */
export function signWithSshKeygen(message: Buffer, namespace: string, keyFile: string, options: SignOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'rc-sign-'));
  try {
    const file = join(dir, 'statement');
    writeFileSync(file, message, { mode: 0o600 });
    const quiet = options.interactive === false;
    const env = { ...(options.env ?? process.env), ...(quiet ? { SSH_ASKPASS: 'false', SSH_ASKPASS_REQUIRE: 'force' } : {}) };
    const res = spawnSync(options.sshKeygen ?? 'ssh-keygen', ['-q', '-Y', 'sign', '-f', keyFile, '-n', namespace, file], {
      env,
      stdio: [quiet ? 'ignore' : 'inherit', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 120_000,
      encoding: 'utf8',
    });
    if (res.error) {
      const code = (res.error as NodeJS.ErrnoException).code;
      throw new RcError('SIGN_FAILED', code === 'ENOENT'
        ? 'ssh-keygen was not found: install OpenSSH (Debian: apt-get install openssh-client)'
        : `ssh-keygen did not finish (${code ?? res.error.message})`, { file: keyFile });
    }
    if (res.status !== 0) {
      const said = `${res.stderr}`.trim().split('\n').filter(Boolean).slice(-3).join('; ');
      throw new RcError('SIGN_FAILED', `ssh-keygen could not sign with this key: ${said || `exit ${res.status}`}`, { file: keyFile });
    }
    const armored = readFileSync(`${file}.sig`, 'utf8');
    const check = verifySshSig(armored, message, namespace);
    if (!check.ok) throw new RcError('SIGN_FAILED', `ssh-keygen wrote a signature that does not verify: ${check.reason}`, { file: keyFile });
    return armored;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
