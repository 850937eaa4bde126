/**
 * Real OpenSSH for the signing tests: keys made by `ssh-keygen`, an
 * `ssh-agent` started (and stopped) by the test, and `ssh-keygen -Y verify`
 * as the reference verdict the in-process verifier must agree with.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A key made by ssh-keygen: the private key file and the public key line. */
export interface TestKey {
  file: string;
  pub: string;
}

/** Makes a key with `ssh-keygen -t TYPE [-b BITS]` in `dir`. */
export function makeKey(dir: string, name: string, type: string, bits?: number, passphrase = ''): TestKey {
  const file = join(dir, name);
  const args = ['-q', '-t', type, '-N', passphrase, '-C', `${name}@test`, '-f', file];
  if (bits) args.push('-b', String(bits));
  execFileSync('ssh-keygen', args, { stdio: 'pipe' });
  return { file, pub: readFileSync(`${file}.pub`, 'utf8').trim() };
}

/** `20260101000000Z` from an ISO time (ssh-keygen's time format). */
export const sshTime = (iso: string): string => iso.replace(/[-:T]/g, '').replace(/Z$/, 'Z');

/**
 * `ssh-keygen -Y verify -f SIGNERS -I PRINCIPAL -n NAMESPACE -s SIGFILE
 * -Overify-time=TIME < MESSAGE`: true when OpenSSH says "Good".
 */
export function sshKeygenVerify(a: { signers: string; principal: string; namespace: string; sigFile: string; message: Buffer; time: string }): boolean {
  const res = spawnSync('ssh-keygen', ['-Y', 'verify', '-f', a.signers, '-I', a.principal, '-n', a.namespace, '-s', a.sigFile, `-Overify-time=${sshTime(a.time)}`], { input: a.message, encoding: 'utf8' });
  return res.status === 0 && res.stdout.startsWith('Good');
}

/** `ssh-keygen -Y check-novalidate`: the signature alone, no trust file. */
export function sshKeygenCheck(namespace: string, sigFile: string, message: Buffer): boolean {
  const res = spawnSync('ssh-keygen', ['-Y', 'check-novalidate', '-n', namespace, '-s', sigFile], { input: message, encoding: 'utf8' });
  return res.status === 0;
}

/** A running ssh-agent: the environment that reaches it. Killed (by its pid) when the test file ends. */
export function startAgent(dir: string): NodeJS.ProcessEnv {
  const sock = join(dir, 'agent.sock');
  const out = execFileSync('ssh-agent', ['-s', '-a', sock], { encoding: 'utf8' });
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)?.[1]);
  afterAll(() => {
    try {
      process.kill(pid);
    } catch { /* already gone */ }
  });
  return { ...process.env, SSH_AUTH_SOCK: sock, SSH_AGENT_PID: String(pid) };
}

/** Adds a passphrase-protected key to the agent, the passphrase given through SSH_ASKPASS (no terminal). */
export function addToAgent(env: NodeJS.ProcessEnv, dir: string, key: TestKey, passphrase: string): void {
  const askpass = join(dir, 'askpass.sh');
  writeFileSync(askpass, `#!/bin/sh\nprintf '%s\\n' '${passphrase}'\n`);
  chmodSync(askpass, 0o700);
  execFileSync('ssh-add', ['-q', key.file], {
    env: { ...env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
