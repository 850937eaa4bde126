/** `reseller-credits request ID`: the author's signed request to publish (or retire) a version (SPEC §11). */
import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RcError } from '../../errors.js';
import { approvalPolicy } from '../../compose/approval-policy.js';
import { checkReviewForPublish } from '../../review/approval.js';
import { recheckReview } from '../../review/recheck.js';
import { statementSha256 } from '../../signing/statement.js';
import { changeTarget, signChange, signerPrincipal, writeSigned } from '../approval-flow.js';
import { UsageError, out } from '../io.js';


interface RequestOptions { rulesDir: string; review?: string; retire?: boolean; signKey: string; principal?: string }

/** Registers the command. */
export function registerRequest(program: Command): void {
  program
    .command('request')
    .description('sign the request to publish a draft (with its review report) or to retire a published version: the first of the four eyes (docs/approvals.md)')
    .argument('<id>', 'the version id')
    .option('--review <file>', 'the `review --format json` report of exactly this draft (required to publish)')
    .option('--retire', 'request retiring the published version instead')
    .requiredOption('--sign-key <key>', 'your SSH key (a private key file, or the .pub of a key in ssh-agent); signed by ssh-keygen -Y sign')
    .option('--principal <name>', 'your name as in the verifier\'s allowed_signers file (optional when that file names your key)')
    .addHelpText('after', `
Examples:
  $ reseller-credits review 2027-01 examples/portfolio.ndjson --format json --out review.json
  $ reseller-credits --signers /etc/reseller-credits/allowed_signers request 2027-01 --review review.json --sign-key ~/.ssh/id_ed25519`)
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<RequestOptions>();
      const action = o.retire ? 'retire' : 'publish';
      if (action === 'publish' && !o.review) throw new UsageError('--review FILE is required to request a publish (write one with `reseller-credits review ID --format json --out FILE`)');
      if (action === 'retire' && o.review) throw new UsageError('--review is for a publish, not a retire');
      const policy = approvalPolicy();
      const principal = signerPrincipal(o.signKey, o.principal, policy);
      const t = changeTarget(o.rulesDir, id, action);
      let review: Buffer | null = null;
      if (o.review) {
        checkReviewForPublish(o.review, t.sha256);
        review = readFileSync(o.review);
        const disagree = await recheckReview(review, o.review, t.ruleSet, t.repo.ruleSets);
        if (disagree.length) throw new RcError('REVIEW_REJECTED', disagree.map((e) => e.message).join('; '), { file: o.review });
      }
      if (existsSync(join(t.dir, 'request.json'))) {
        throw new RcError('APPROVAL_MISSING', `a request for this change exists already (${join(t.dir, 'request.json')}); a changed draft has other content and so another folder`, { file: t.dir });
      }
      const signed = signChange('request', action, t, review ? statementSha256(review) : null, principal, o.signKey, policy);
      if (review) {
        mkdirSync(t.dir, { recursive: true });
        writeFileSync(join(t.dir, 'review.json'), review, { flag: 'wx' });
      }
      const file = writeSigned(t.dir, 'request.json', signed);
      await out(`requested: ${action} of ${t.ruleSet.id} (content sha256 ${t.sha256}) by ${principal} (key ${signed.fingerprint})\n`
        + `  ${file} (+ .sig)${review ? `, review report ${join(t.dir, 'review.json')}` : ''}\n`
        + `next: another person approves it with \`reseller-credits approve ${t.ruleSet.id}${action === 'retire' ? ' --retire' : ''} --sign-key KEY\`\n`);
    });
}
