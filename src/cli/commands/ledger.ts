/** `reseller-credits ledger init|show|export|pending|verify|replay|statement(s)`: making a ledger once, and reading it (read-only, never migrated; a vendor export records itself). */
import { Option, type Command } from 'commander';
import { resolveLimits } from '../../limits.js';
import { loadRules } from '../../compose/rules-dir.js';
import { DEFAULT_LEDGER } from '../../ledger/defaults.js';
import type { Ledger } from '../../ledger/store.js';
import { approvalPolicy } from '../../compose/approval-policy.js';
import { EXIT, colors, note, out, printErrors } from '../io.js';
import { RcError } from '../../errors.js';
import { ledgerFailure, ledgerPath, parsePeriod } from './issue.js';
import { resolve } from 'node:path';
import { TARGET_NAMES } from '../../exports/target-names.js';
import { registerStatements } from './ledger-statements.js';
import type { TargetName } from '../../exports/types.js';

interface LedgerOpts { ledger: string; rulesDir: string }

/** Opens the ledger read-only for `fn`; a missing or unusable file is exit 2. */
async function withLedger(file: string, fn: (l: Ledger) => Promise<void>): Promise<void> {
  let ledger: Ledger;
  try {
    // SQLite is loaded only when a subcommand runs (not for --help)
    const { Ledger } = await import('../../ledger/store.js');
    ledger = Ledger.open(file, { readonly: true });
  } catch (err) {
    ledgerFailure(err, file);
    return;
  }
  try {
    await fn(ledger);
  } catch (err) {
    ledgerFailure(err, file);
  } finally {
    ledger.close();
  }
}

/** Registers `ledger` and its subcommands. */
export function registerLedger(program: Command): void {
  const ledger = program
    .command('ledger')
    .description('the ledger: create it once (init), show entries, export credit notes, verify the chain, replay an issued credit');
  const ledgerOption = () => new Option('--ledger <file>', 'the ledger file; else RESELLER_CREDITS_LEDGER').default(DEFAULT_LEDGER);

  ledger.command('init')
    .description('create the ledger (once): issue refuses to run without one, so that no second ledger issues every credit again')
    .argument('[file]', 'the ledger file (else --ledger, RESELLER_CREDITS_LEDGER, ledger.sqlite)')
    .addOption(ledgerOption())
    .action(async (given: string | undefined, _o: unknown, cmd: Command) => {
      const file = given ?? ledgerPath(cmd, cmd.optsWithGlobals<LedgerOpts>().ledger);
      try {
        const { Ledger } = await import('../../ledger/store.js');
        const r = Ledger.init(file);
        note(r.created ? `created ledger ${resolve(file)}` : `${resolve(file)} is a ledger already; nothing changed`);
      } catch (err) {
        ledgerFailure(err, file);
      }
    });

  ledger.command('show')
    .description('the entries, oldest first')
    .addOption(ledgerOption())
    .option('--account <id>', 'only this account')
    .option('--period <YYYY-MM>', 'only this period', parsePeriod)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'csv']).default('text'))
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<LedgerOpts & { account?: string; period?: string; format: 'text' | 'json' | 'csv' }>();
      await withLedger(ledgerPath(cmd, o.ledger), async (l) => {
        let n = 0;
        const { showCsvHeader, showCsvRow, showText } = await import('../../ledger/render.js');
        if (o.format === 'csv') await out(showCsvHeader());
        if (o.format === 'json') await out('[');
        for (const e of l.entries({ account: o.account, period: o.period })) {
          if (o.format === 'json') await out(`${n ? ',' : ''}\n  ${JSON.stringify(e)}`);
          else if (o.format === 'csv') await out(showCsvRow(e));
          else await out(`${showText(e)}\n`);
          n++;
        }
        if (o.format === 'json') await out(n ? '\n]\n' : ']\n');
        const h = l.head();
        note(`${n} entr${n === 1 ? 'y' : 'ies'}; head ${h.hash}, ${h.count} entries`);
      });
    });

  ledger.command('export')
    .description('the credit notes of a period for the invoicing system: one per statement, as issued; with --target, exactly what that system takes')
    .addOption(ledgerOption())
    .requiredOption('--period <YYYY-MM>', 'the period', parsePeriod)
    .addOption(new Option('--format <format>', 'output format of the generic export').choices(['csv', 'json']).default('csv'))
    .addOption(new Option('--target <system>', 'write what this invoicing system takes (docs/invoicing.md)').choices([...TARGET_NAMES]))
    .option('--mapping <file>', 'with --target: the account ids in each system (schemas/mapping.schema.json)')
    .option('--out <file>', 'with --target: write to this file instead of stdout')
    .option('--include-zero', 'with --target: keep statements whose net credit is 0')
    .option('--again', 'with --target: write statements already exported to this target (they would be posted twice)')
    .option('--only-new', 'with --target: leave out statements already exported to this target')
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<LedgerOpts & { period: string; format: 'csv' | 'json'; target?: TargetName; mapping?: string; out?: string; includeZero?: boolean; again?: boolean; onlyNew?: boolean }>();
      if (o.target) {
        if (cmd.getOptionValueSource('format') === 'cli') {
          printErrors([new RcError('EXPORT_UNMAPPED', `--format is for the generic export; --target ${o.target} writes what ${o.target} takes (docs/invoicing.md)`)]);
          process.exitCode = EXIT.USAGE;
          return;
        }
        const { vendorExport } = await import('./ledger-export.js');
        await vendorExport({ ...o, ledger: ledgerPath(cmd, o.ledger), target: o.target });
        return;
      }
      for (const opt of ['mapping', 'out', 'includeZero', 'again', 'onlyNew'] as const) {
        if (o[opt] !== undefined) {
          printErrors([new RcError('EXPORT_UNMAPPED', `--${opt.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --target`)]);
          process.exitCode = EXIT.USAGE;
          return;
        }
      }
      await withLedger(ledgerPath(cmd, o.ledger), async (l) => {
        let n = 0;
        const { creditNote, exportCsvHeader, exportCsvRow } = await import('../../ledger/render.js');
        if (o.format === 'csv') await out(exportCsvHeader());
        else await out('[');
        for (const e of l.entries({ period: o.period, kind: 'issue' })) {
          const c = creditNote(e);
          if (o.format === 'csv') await out(exportCsvRow(c));
          else await out(`${n ? ',' : ''}\n  ${JSON.stringify(c)}`);
          n++;
        }
        if (o.format === 'json') await out(n ? '\n]\n' : ']\n');
        note(`${n} credit note(s) for ${o.period}`);
      });
    });

  ledger.command('pending')
    .description('adjustments that no statement carries yet (e.g. of an account that left), to post or write off')
    .addOption(ledgerOption())
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'csv']).default('text'))
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<LedgerOpts & { format: 'text' | 'json' | 'csv' }>();
      await withLedger(ledgerPath(cmd, o.ledger), async (l) => {
        const { pendingAdjustments, pendingText, pendingCsv } = await import('../../ledger/pending.js');
        const list = pendingAdjustments(l);
        if (o.format === 'json') await out(`${JSON.stringify(list, null, 2)}\n`);
        else if (o.format === 'csv') await out(pendingCsv(list));
        else await out(pendingText(list));
      });
    });

  registerStatements(ledger);

  ledger.command('verify')
    .description('check the hash chain and recompute every entry from its stored snapshot under its pinned rule set')
    .addOption(ledgerOption())
    .option('--head <hash>', 'a head printed earlier: also prove that no entry up to it was removed')
    .addHelpText('after', '\nWith --signers (or RESELLER_CREDITS_SIGNERS) every run signature is checked, and every entry must lie inside exactly one signed run (SPEC §11).')
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<LedgerOpts & { head?: string }>();
      if (o.head !== undefined && !/^[0-9a-f]{64}$/.test(o.head)) {
        printErrors([new RcError('LEDGER_UNUSABLE', `--head must be 64 lower-case hex digits (a head printed by issue or verify), not "${o.head}"`)]);
        process.exitCode = EXIT.USAGE;
        return;
      }
      await withLedger(ledgerPath(cmd, o.ledger), async (l) => {
        const { verifyLedger } = await import('../../ledger/verify.js');
        const policy = approvalPolicy();
        const report = await verifyLedger(l, loadRules(o.rulesDir), resolveLimits(), { head: o.head, ...(policy ? { signers: policy.signers } : {}) });
        for (const p of report.problems) await out(`${p.message}\n`);
        if (report.lastSigned) {
          const s = report.lastSigned;
          await out(`last signed run: ${s.runId} by ${s.operator} at ${s.recordedAt}, ${s.entries} entr${s.entries === 1 ? 'y' : 'ies'}, head ${s.head}\n`);
        } else if (policy) {
          await out('no signed run\n');
        }
        await out(`head ${report.head.hash}, ${report.head.count} entries${o.head !== undefined && !report.problems.some((p) => p.kind === 'head') ? ` (head ${o.head.slice(0, 12)}… found)` : ''}\n`);
        await out(`${report.entries} entries verified, ${report.problems.length} problem(s)\n`);
        if (report.problems.length) process.stderr.write(`${colors.red('the ledger does not verify')}\n`);
        process.exitCode = report.problems.length ? EXIT.INVALID : EXIT.OK;
      });
    });

  ledger.command('evidence')
    .description('write everything an auditor needs for one statement into a folder: entries, snapshots, rule files, lock and log, approvals, signed runs, a README and a sha256 manifest')
    .argument('<account>', 'the account id')
    .argument('<period>', 'the period, YYYY-MM', parsePeriod)
    .requiredOption('--out <dir>', 'the bundle folder (new or empty)')
    .addOption(ledgerOption())
    .addHelpText('after', '\nCheck a bundle anywhere with `reseller-credits evidence verify DIR --signers FILE`, or by hand with sha256sum -c and ssh-keygen -Y verify (its README says how).')
    .action(async (account: string, period: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<LedgerOpts & { out: string }>();
      await withLedger(ledgerPath(cmd, o.ledger), async (l) => {
        const { writeEvidence } = await import('../../ledger/evidence.js');
        const { evidenceInput } = await import('../../ledger/evidence-input.js');
        const input = evidenceInput(l, account, period, o.rulesDir);
        if (!input) {
          printErrors([new RcError('LEDGER_NOT_FOUND', `no entry for ${account} in ${period}`)]);
          process.exitCode = EXIT.INVALID;
          return;
        }
        const { entries, runs } = input;
        let files: string[];
        try {
          files = writeEvidence(input, o.out);
        } catch (err) {
          printErrors([new RcError('WRITE_FAILED', (err as Error).message, { file: o.out })]);
          process.exitCode = EXIT.INVALID;
          return;
        }
        await out(`wrote ${files.length} files to ${o.out} (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, ${(runs ?? []).length} run record(s)); check it with: reseller-credits evidence verify ${o.out}\n`);
      });
    });

  ledger.command('replay')
    .description('explain an issued credit again from the stored snapshot and the pinned rule set, with the statement as issued')
    .argument('<account>', 'the account id')
    .argument('<period>', 'the period, YYYY-MM', parsePeriod)
    .addOption(ledgerOption())
    .action(async (account: string, period: string, _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<LedgerOpts>();
      await withLedger(ledgerPath(cmd, o.ledger), async (l) => {
        try {
          const { replayText } = await import('../../ledger/replay.js');
          await out(`${await replayText(l, loadRules(o.rulesDir), account, period, resolveLimits())}\n`);
        } catch (err) {
          if (err instanceof RcError && !err.code.startsWith('LEDGER_UNUSABLE')) {
            printErrors([err]);
            process.exitCode = EXIT.INVALID;
            return;
          }
          throw err;
        }
      });
    });
}
