/** `reseller-credits publish ID`: a checked draft becomes published and locked. */
import type { Command } from 'commander';
import { NoRuleSetError } from '../../intake/resolve-rule-set.js';
import { PublishRefused, publishVersion } from '../../versions/publish.js';
import { EXIT, out, printErrors, warn, colors } from '../io.js';

/** Registers the command. */
export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description('mark a draft version published: check it (all of validate, no overlap with a published window), set `status: published` in its file, record its hash in rules.lock')
    .argument('<id>', 'the version id, e.g. 2027-01 for rules/2027-01.yaml')
    .addHelpText('after', `
Only the status value in the file changes; comments and layout stay as written.
Publishing a version that is already published and locked changes nothing.

Examples:
  $ reseller-credits diff 2026-01 2027-01     # review the change first
  $ reseller-credits publish 2027-01`)
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const { rulesDir } = cmd.optsWithGlobals<{ rulesDir: string }>();
      try {
        const r = publishVersion(id, { rulesDir });
        for (const w of r.warnings) warn(w);
        const window = r.effective.until ? `${r.effective.from} up to (not including) ${r.effective.until}` : `${r.effective.from} on, with no end date`;
        const lock = `${rulesDir}/rules.lock`;
        if (r.action === 'unchanged') {
          await out(`${r.id} is already published and ${lock} matches (sha256 ${r.sha256}); nothing to do\n`);
        } else if (r.action === 'lock-recorded') {
          await out(`${r.id} was already marked published; recorded its sha256 ${r.sha256} in ${lock}\n`);
        } else {
          await out(`published ${r.id} (${r.file}, was ${r.previousStatus}): status set to published, sha256 ${r.sha256} recorded in ${lock}\n`
            + `billing periods from ${window} now use ${r.id} automatically; the file is frozen from now on\n`);
        }
        process.exitCode = EXIT.OK;
      } catch (err) {
        if (err instanceof NoRuleSetError) {
          printErrors(err.errors);
          process.exitCode = EXIT.USAGE;
        } else if (err instanceof PublishRefused) {
          printErrors(err.errors);
          process.stderr.write(`${colors.red(`${id} was not published; nothing was changed`)}\n`);
          process.exitCode = EXIT.INVALID;
        } else {
          throw err;
        }
      }
    });
}
