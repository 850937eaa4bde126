/** `reseller-credits publish ID --approved-by NAME`: a checked draft becomes published, locked and logged. */
import type { Command } from 'commander';
import { NoRuleSetError } from '../../compose/resolve-rule-set.js';
import { PublishFailed, PublishRefused, publishVersion, type PublishOutcome } from '../../publish/publish.js';
import { RecoveryFailed } from '../../publish/recover.js';
import { checkReviewForPublish } from '../../review/approval.js';
import { asRcErrors } from '../../errors.js';
import { safeText } from '../../text/safe-text.js';
import { EXIT, UsageError, out, printErrors, warn, colors } from '../io.js';

interface PublishCliOptions { rulesDir: string; approvedBy: string; review?: string; dryRun?: boolean }

/** Registers the command. */
export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description('mark a draft version published: check it (all of validate, no overlap with a published window), set `status: published` in its file, record its hash in rules.lock and the approval in publish-log.ndjson')
    .argument('<id>', 'the version id, e.g. 2027-01 for rules/2027-01.yaml')
    .requiredOption('--approved-by <name>', 'who approved publishing this version (recorded in publish-log.ndjson)')
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
      const name = approvedBy.trim();
      if (!name) throw new UsageError('--approved-by needs the name of who approved the publish');
      if (safeText(name) !== name) throw new UsageError('--approved-by must not contain control characters');
      if (name.length > 200) throw new UsageError('--approved-by is longer than 200 characters');
      // --review: the report is checked inside the folder lock against the exact
      // hash about to be locked; the sha256 of its bytes goes into the log line
      const review = { sha256: '' };
      try {
        const r = publishVersion(id, {
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
        });
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
