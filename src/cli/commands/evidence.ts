/** `reseller-credits evidence verify DIR`: an auditor's bundle checked on its own (SPEC §11, src/ledger/evidence.ts). */
import type { Command } from 'commander';
import { approvalPolicy } from '../../compose/approval-policy.js';
import { RcError } from '../../errors.js';
import { safeText } from '../../text/safe-text.js';
import { EXIT, out, printErrors, warn } from '../io.js';

/** Registers the command. */
export function registerEvidence(program: Command): void {
  const evidence = program.command('evidence').description('check an evidence bundle written by `ledger evidence` (docs/approvals.md)');
  evidence
    .command('verify')
    .description('check a bundle: its manifest, each entry, snapshot and rule file, and with --signers every approval and run signature')
    .argument('<dir>', 'the bundle folder')
    .addHelpText('after', '\nExample:\n  $ reseller-credits --signers /etc/reseller-credits/allowed_signers evidence verify evidence-R-1001-2026-11')
    .action(async (dir: string) => {
      const { verifyEvidence } = await import('../../ledger/evidence.js');
      const policy = approvalPolicy() ?? null;
      if (!policy) warn('no --signers: the approvals and run signatures of the bundle are not verified');
      const v = verifyEvidence(dir, policy);
      printErrors(v.problems.map((p) => new RcError('SIGNATURE_INVALID', p, { file: dir })));
      await out(`${v.checked.map((c) => `checked ${safeText(c)}\n`).join('')}${v.problems.length ? `${v.problems.length} problem(s): the bundle does not verify\n` : 'the bundle verifies\n'}`);
      process.exitCode = v.problems.length ? EXIT.INVALID : EXIT.OK;
    });
}
