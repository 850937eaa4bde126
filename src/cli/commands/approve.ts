/**
 * `reseller-credits approve ID`: an approver's signed approval (SPEC §11).
 * Shows the request and the review's summary, verifies both (the review's
 * checks computed again), refuses the author and a second approval by one
 * principal or one key, and adds the approver's statement. `--attest`
 * approves the content of a version already published: one published before
 * signatures existed, or one that needs another approval since the minimum
 * was raised.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RcError } from '../../errors.js';
import { approvalPolicy } from '../../compose/approval-policy.js';
import { recheckReview } from '../../review/recheck.js';
import { readRound, roundExists, type Round } from '../../signing/rounds.js';
import { safeText } from '../../text/safe-text.js';
import { changeTarget, signChange, signerPrincipal, writeSigned } from '../approval-flow.js';
import { UsageError, out } from '../io.js';

interface ApproveOptions { rulesDir: string; retire?: boolean; attest?: boolean; signKey: string; principal?: string }

/** Registers the command. */
export function registerApprove(program: Command): void {
  program
    .command('approve')
    .description('sign your approval of a requested publish or retire (never your own request), or --attest the content of a published version (docs/approvals.md)')
    .argument('<id>', 'the version id')
    .option('--retire', 'approve the requested retire instead of a publish')
    .option('--attest', 'approve, after the fact, the content of a version already published (published before signatures, or the minimum was raised)')
    .requiredOption('--sign-key <key>', 'your SSH key (a private key file, or the .pub of a key in ssh-agent)')
    .option('--principal <name>', 'your name as in the verifier\'s allowed_signers file (optional when that file names your key)')
    .addHelpText('after', `
Examples:
  $ reseller-credits --signers /etc/reseller-credits/allowed_signers approve 2027-01 --sign-key ~/.ssh/id_ed25519
  $ reseller-credits --signers /etc/reseller-credits/allowed_signers approve 2026-01 --attest --sign-key ~/.ssh/id_ed25519`)
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<ApproveOptions>();
      if (o.retire && o.attest) throw new UsageError('--retire and --attest do not go together');
      const action = o.attest ? 'attest' : o.retire ? 'retire' : 'publish';
      const policy = approvalPolicy();
      const principal = signerPrincipal(o.signKey, o.principal, policy);
      const t = changeTarget(o.rulesDir, id, action);
      const round = action === 'attest' && !roundExists(t.dir)
        ? ({ dir: t.dir, action, approvals: [], review: null, problems: [] } satisfies Round) as Round
        : readRound(t.dir, action, t.ruleSet.id, t.sha256, policy?.signers ?? null);
      const shown: string[] = [];
      if (action !== 'attest') {
        const req = round.request;
        if (!req) throw new RcError('APPROVAL_MISSING', `no verified request to ${action} ${t.ruleSet.id} with its content as it is now: ${round.problems.join('; ')}`, { file: t.dir });
        shown.push(`request: ${action} of ${t.ruleSet.id} (content sha256 ${t.sha256}) by ${req.principal} at ${req.time} (key ${req.fingerprint})`);
        if (req.principal === principal) throw new RcError('APPROVAL_MISSING', `${principal} wrote the request: an author cannot approve their own change (four eyes)`, { file: req.file });
        if (action === 'publish') {
          const reviewFile = join(t.dir, 'review.json');
          const bytes = readFileSync(reviewFile);
          const disagree = await recheckReview(bytes, reviewFile, t.ruleSet, t.repo.ruleSets);
          if (disagree.length) throw new RcError('REVIEW_REJECTED', disagree.map((e) => e.message).join('; '), { file: reviewFile });
          const report = JSON.parse(bytes.toString('utf8')) as { baseline: { id: string }; checks: { name: string; passed: boolean; summary: string }[]; impact: unknown };
          shown.push(`review against ${safeText(report.baseline.id)}: ${report.checks.map((c) => `${safeText(c.name)} ${c.passed ? 'passed' : 'FAILED'}`).join(', ')}${report.impact ? '' : ' (no portfolio impact in the report)'}`);
        }
      }
      if (round.problems.some((p) => !p.includes('approve-'))) {
        throw new RcError('SIGNATURE_INVALID', `the approvals folder does not verify: ${round.problems.join('; ')}`, { file: t.dir });
      }
      const name = `approve-${principal}.json`;
      if (existsSync(join(t.dir, name)) || round.approvals.some((a) => a.principal === principal)) {
        throw new RcError('APPROVAL_MISSING', `${principal} has approved this change already: one approval per person`, { file: join(t.dir, name) });
      }
      const signed = signChange('approve', action, t, round.review, principal, o.signKey, policy);
      if (round.request && signed.fingerprint === round.request.fingerprint) {
        throw new RcError('APPROVAL_MISSING', `this key (${signed.fingerprint}) signed the request: an author cannot approve their own change under another name`, { file: o.signKey });
      }
      if (round.approvals.some((a) => a.fingerprint === signed.fingerprint)) {
        throw new RcError('APPROVAL_MISSING', `this key (${signed.fingerprint}) has approved this change already, as ${round.approvals.find((a) => a.fingerprint === signed.fingerprint)!.principal}`, { file: o.signKey });
      }
      const file = writeSigned(t.dir, name, signed);
      const min = policy?.minApprovals ?? 1;
      const count = round.approvals.length + 1;
      await out(`${shown.map((l) => `${l}\n`).join('')}approved: ${action} of ${t.ruleSet.id} by ${principal} (key ${signed.fingerprint})\n  ${file} (+ .sig)\n`
        + `${count} approval(s), ${min} required${count >= min && action !== 'attest' ? `: \`reseller-credits ${action} ${t.ruleSet.id}\` can go ahead` : ''}\n`);
    });
}
