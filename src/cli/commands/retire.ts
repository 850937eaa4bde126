/**
 * `reseller-credits retire ID`: a published version stops applying to its
 * window; its lock entry stays. Logged like a publish (`action: "retire"`),
 * and with signers configured it needs a signed request and approvals like
 * one (SPEC §11).
 */
import type { Command } from 'commander';
import { asRcErrors } from '../../errors.js';
import { approvalPolicy, downgradeRefusal } from '../../compose/approval-policy.js';
import { NoRuleSetError } from '../../compose/resolve-rule-set.js';
import { PublishFailed, PublishRefused } from '../../publish/publish.js';
import { RecoveryFailed } from '../../publish/recover.js';
import { retireVersion } from '../../publish/retire.js';
import { safeText } from '../../text/safe-text.js';
import { approvedChange } from '../approval-flow.js';
import { EXIT, UsageError, colors, out, printErrors, warn } from '../io.js';

interface RetireCliOptions { rulesDir: string; approvedBy?: string; dryRun?: boolean }

/** Registers the command. */
export function registerRetire(program: Command): void {
  program
    .command('retire')
    .description('retire a published version: its status becomes retired (its lock entry stays) and the retire is logged in publish-log.ndjson')
    .argument('<id>', 'the published version id')
    .option('--approved-by <name>', 'without --signers: who approved retiring it (a typed name); with --signers the signed approvals are used')
    .option('--dry-run', 'check, and print what would change; write nothing')
    .addHelpText('after', `
Examples:
  $ reseller-credits retire 2026-01 --approved-by "Dana Lee" --dry-run
  $ reseller-credits --signers /etc/reseller-credits/allowed_signers retire 2026-01`)
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const { rulesDir, approvedBy, dryRun } = cmd.optsWithGlobals<RetireCliOptions>();
      const policy = approvalPolicy();
      let options: { approvedBy: string; signatures?: { role: 'request' | 'approve' | 'attest'; principal: string; statement: string }[]; expectSha256?: string };
      if (policy) {
        if (approvedBy !== undefined) throw new UsageError('with --signers the approvers are those who signed (`reseller-credits approve ID --retire`): leave out --approved-by');
        try {
          const a = await approvedChange(rulesDir, id, 'retire', policy);
          options = { approvedBy: a.approvedBy, signatures: a.signatures, expectSha256: a.sha256 };
        } catch (err) {
          printErrors(asRcErrors(err));
          process.stderr.write(`${colors.red(`${id} was not retired; nothing was changed`)}\n`);
          process.exitCode = EXIT.INVALID;
          return;
        }
      } else {
        const downgrade = downgradeRefusal(rulesDir);
        if (downgrade) {
          printErrors([downgrade]);
          process.exitCode = EXIT.USAGE;
          return;
        }
        const name = approvedBy?.trim() ?? '';
        if (!name) throw new UsageError('--approved-by NAME is required (or configure --signers for signed approvals, docs/approvals.md)');
        if (safeText(name) !== name || name.length > 200) throw new UsageError('--approved-by must be a name without control characters, at most 200 characters');
        options = { approvedBy: name };
      }
      try {
        const r = retireVersion(id, { rulesDir, dryRun: Boolean(dryRun), ...options, onRecovered: (m) => warn(safeText(m)) });
        await out(r.dryRun
          ? `dry run: retiring ${r.id} would make these changes (nothing was written):\n${r.changes.map((c) => `  ${c.file}: ${safeText(c.text)}\n`).join('')}`
          : `retired ${r.id} (${r.file}): status set to retired, its lock entry kept (sha256 ${r.sha256}), approved by ${safeText(r.logEntry.approvedBy)}\nperiods of its window have no published version until another is published for them\n`);
      } catch (err) {
        if (err instanceof NoRuleSetError || err instanceof RecoveryFailed) {
          printErrors(err.errors);
          process.exitCode = EXIT.USAGE;
        } else if (err instanceof PublishRefused || err instanceof PublishFailed) {
          printErrors(err.errors);
          process.stderr.write(`${colors.red(`${id} was not retired; nothing was changed`)}\n`);
          process.exitCode = EXIT.INVALID;
        } else {
          throw err;
        }
      }
    });
}
