/** `reseller-credits publish ID --approved-by NAME`: a checked draft becomes published, locked and logged. */
import type { Command } from 'commander';
import { NoRuleSetError } from '../../compose/resolve-rule-set.js';
import { PublishFailed, PublishRefused, publishVersion, type PublishOutcome } from '../../publish/publish.js';
import { RecoveryFailed } from '../../publish/recover.js';
import { checkReviewForPublish } from '../../review/approval.js';
import { asRcErrors, RcError } from '../../errors.js';
import { approvalPolicy, downgradeRefusal } from '../../compose/approval-policy.js';
import type { ApprovalPolicy } from '../../signing/folder-approvals.js';
import { approvedChange } from '../approval-flow.js';
import { readFileSync } from 'node:fs';
import { findRuleSet, loadRules } from '../../compose/rules-dir.js';
import { recheckReview } from '../../review/recheck.js';
import { publishedHash } from '../../compose/folder-checks.js';
import { safeText } from '../../text/safe-text.js';
import { EXIT, UsageError, out, printErrors, warn, colors } from '../io.js';

interface PublishCliOptions { rulesDir: string; approvedBy?: string; review?: string; dryRun?: boolean }

/** `publish` with signers configured: the request, approvals and review verified first (SPEC §11). */
async function publishSigned(id: string, rulesDir: string, dryRun: boolean, policy: ApprovalPolicy): Promise<void> {
  let approved;
  try {
    approved = await approvedChange(rulesDir, id, 'publish', policy);
  } catch (err) {
    if (err instanceof RcError && /is published already$/.test(err.message)) {
      approved = undefined;
    } else {
      printErrors(asRcErrors(err));
      process.stderr.write(`${colors.red(`${id} was not published; nothing was changed`)}\n`);
      process.exitCode = EXIT.INVALID;
      return;
    }
  }
  await runPublish(id, rulesDir, () => publishVersion(id, {
    rulesDir,
    dryRun,
    approvedBy: approved?.approvedBy ?? 'unchanged',
    ...(approved ? {
      review: { sha256: approved.review ?? '' },
      signatures: approved.signatures,
      checkBeforePublish: (c) => (c.sha256 === approved.sha256 ? [] : [new RcError('APPROVAL_MISSING', `the content of ${id} changed while it was being published (approved ${approved.sha256.slice(0, 12)}…, now ${c.sha256.slice(0, 12)}…)`)]),
    } : {}),
    onRecovered: (message) => warn(safeText(message)),
  }));
}

/**
 * The review report `file` computed again for version `id` as it is now;
 * empty when it holds, or when publish's own check of the report will refuse
 * it anyway (an unknown id, an unreadable report, failed checks).
 */
async function recheckFile(rulesDir: string, id: string, file: string): Promise<RcError[]> {
  const repo = loadRules(rulesDir);
  const rs = findRuleSet(repo, id)?.ruleSet;
  if (!rs) return [];
  try {
    checkReviewForPublish(file, publishedHash(rs)); // what the report says of itself first: publish reports it in its own words
  } catch {
    return [];
  }
  return recheckReview(readFileSync(file), file, rs, repo.ruleSets);
}

/** Runs a publish and reports it, mapping each failure to its exit status. */
async function runPublish(id: string, rulesDir: string, go: () => PublishOutcome): Promise<void> {
  try {
    const r = go();
    for (const w of r.warnings) warn(safeText(w));
    await out(report(r, `${rulesDir}/rules.lock`));
    process.exitCode = EXIT.OK;
  } catch (err) {
    if (err instanceof NoRuleSetError) {
      printErrors(err.errors);
      process.exitCode = EXIT.USAGE;
    } else if (err instanceof RecoveryFailed) {
      printErrors(err.errors);
      process.stderr.write(`${colors.red(`${id} was not published: an interrupted publish must be completed first`)}\n`);
      process.exitCode = EXIT.USAGE;
    } else if (err instanceof PublishRefused) {
      printErrors(err.errors);
      process.stderr.write(`${colors.red(`${id} was not published; nothing was changed`)}\n`);
      process.exitCode = EXIT.INVALID;
    } else if (err instanceof PublishFailed) {
      printErrors(err.errors);
      process.exitCode = EXIT.INVALID;
    } else {
      throw err;
    }
  }
}

/** Registers the command. */
export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description('mark a draft version published: check it (all of validate, no overlap with a published window), set `status: published` in its file, record its hash in rules.lock and the approval in publish-log.ndjson')
    .argument('<id>', 'the version id, e.g. 2027-01 for rules/2027-01.yaml')
    .option('--approved-by <name>', 'without --signers: who approved publishing this version (a typed name, recorded in publish-log.ndjson); with --signers the signed approvals are used instead')
    .option('--review <file>', 'a `review --format json` report of exactly this content, every check passed and no portfolio error; its sha256 is recorded in the log line')
    .option('--dry-run', 'check, and print what would change (lock entry, status edit, log line); write nothing')
    .addHelpText('after', `
Only the status value in the file changes; comments and layout stay as written.
Publishing a version that is already published and locked changes nothing.
Runs at the same time wait for each other (up to 10 s); a publish that was
interrupted (killed, disk full) is completed by the next publish, before
anything else; read-only commands report it.

Examples:
  $ reseller-credits diff 2026-01 2027-01     # review the change first
  $ reseller-credits publish 2027-01 --approved-by "Dana Lee" --dry-run
  $ reseller-credits review 2027-01 examples/portfolio.ndjson --format json --out review.json
  $ reseller-credits publish 2027-01 --approved-by "Dana Lee" --review review.json`)
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const { rulesDir, approvedBy, review: reviewFile, dryRun } = cmd.optsWithGlobals<PublishCliOptions>();
      const policy = approvalPolicy();
      if (policy) {
        if (approvedBy !== undefined || reviewFile !== undefined) throw new UsageError('with --signers the approvers are those who signed (`reseller-credits approve`) and the review is the one the request signed: leave out --approved-by and --review');
        await publishSigned(id, rulesDir, Boolean(dryRun), policy);
        return;
      }
      const downgrade = downgradeRefusal(rulesDir);
      if (downgrade) {
        printErrors([downgrade]);
        process.exitCode = EXIT.USAGE;
        return;
      }
      if (approvedBy === undefined) throw new UsageError("required option '--approved-by <name>' not specified (or configure --signers for signed approvals, docs/approvals.md)");
      const name = approvedBy.trim();
      if (!name) throw new UsageError('--approved-by needs the name of who approved the publish');
      if (safeText(name) !== name) throw new UsageError('--approved-by must not contain control characters');
      if (name.length > 200) throw new UsageError('--approved-by is longer than 200 characters');
      // --review: its portfolio-free checks are computed again first (SPEC §11: a
      // report is evidence); then it is checked inside the folder lock against the
      // exact hash about to be locked; the sha256 of its bytes goes into the log line
      if (reviewFile !== undefined) {
        const disagree = await recheckFile(rulesDir, id, reviewFile);
        if (disagree.length) {
          printErrors(disagree);
          process.stderr.write(`${colors.red(`${id} was not published; nothing was changed`)}\n`);
          process.exitCode = EXIT.INVALID;
          return;
        }
      }
      const review = { sha256: '' };
      await runPublish(id, rulesDir, () => publishVersion(id, {
        rulesDir,
        approvedBy: name,
        dryRun: Boolean(dryRun),
        ...(reviewFile === undefined ? {} : {
          review,
          checkBeforePublish: (candidate) => {
            try {
              review.sha256 = checkReviewForPublish(reviewFile, candidate.sha256).reviewSha256;
              return [];
            } catch (err) {
              return asRcErrors(err);
            }
          },
        }),
        onRecovered: (message) => warn(safeText(message)),
      }));
    });
}

function report(r: PublishOutcome, lock: string): string {
  const window = r.effective.until ? `${r.effective.from} up to (not including) ${r.effective.until}` : `${r.effective.from} on, with no end date`;
  if (r.action === 'unchanged') return `${r.id} is already published and ${lock} matches (sha256 ${r.sha256}); nothing to do\n`;
  if (r.dryRun) {
    return `dry run: publishing ${r.id} would make these changes (nothing was written):\n`
      + r.changes.map((c) => `  ${c.file}: ${safeText(c.text)}\n`).join('');
  }
  if (r.action === 'lock-recorded') {
    return `${r.id} was already marked published; recorded its sha256 ${r.sha256} in ${lock} and the approval by ${safeText(r.logEntry!.approvedBy)}\n`;
  }
  return `published ${r.id} (${r.file}, was ${r.previousStatus}): status set to published, sha256 ${r.sha256} recorded in ${lock}, approved by ${safeText(r.logEntry!.approvedBy)}\n`
    + `billing periods from ${window} now use ${r.id} automatically; the file is frozen from now on\n`;
}
