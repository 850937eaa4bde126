/** `reseller-credits issue --period P FILE…`: a period's credits recorded in the ledger (SPEC §9). */
import { Option, type Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { asRcErrors, RcError } from '../../errors.js';
import { resolveLimits } from '../../limits.js';
import { defaultJobs } from '../../run/pool.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../../report/formats.js';
import { loadRules, selectForPeriod } from '../../compose/rules-dir.js';
import { DEFAULT_LEDGER } from '../../ledger/defaults.js';
import { ledgerError } from '../../ledger/sqlite-errors.js';
import type { Ledger } from '../../ledger/store.js';
import type { ErrorRecord } from '../../model/records.js';
import { refuseUnapproved } from '../approval-refusal.js';
import { approvalPolicy, UNVERIFIED_NOTICE } from '../../compose/approval-policy.js';
import { signRun, type RunBodyLike } from '../../signing/run-signature.js';
import { signerPrincipal } from '../approval-flow.js';
import { EXIT, UsageError, colors, note, printErrors, warn } from '../io.js';
import { jobsFor, parseJobs } from '../jobs.js';
import { startProgress } from '../progress.js';
import { IssueSpool } from './issue-spool.js';
import { resolve } from 'node:path';

interface IssueCliOptions {
  rulesDir: string; period: string; ledger: string; format: OutputFormat; trace?: boolean; jobs: number; dryRun?: boolean; wait: number;
  rulesVersion?: string; rulesFile?: string; out?: string; report?: string;
  signKey?: string; principal?: string; operator?: string;
}

/**
 * Who the run is by (SPEC §11): with --sign-key, the principal whose key
 * signs the run entry (the signature must verify against --signers when they
 * are configured); with --operator, a typed name in an unsigned run entry.
 * With signers configured a run must be signed; without them a ledger that
 * holds a signed run is refused (no silent downgrade).
 */
function runSigningOf(opts: IssueCliOptions, ledgerHasSignedRun: boolean): { operator?: string; signRun?: (body: RunBodyLike) => { signer: string; signature: string } } {
  const policy = approvalPolicy();
  if (!opts.signKey) {
    if (policy) throw new RcError('SIGNERS_REQUIRED', 'with --signers configured, issue signs its runs: give --sign-key KEY (a key with the reseller-credits-issue role)');
    if (ledgerHasSignedRun) throw new RcError('SIGNERS_REQUIRED', 'this ledger\'s runs are signed: configure --signers FILE (or RESELLER_CREDITS_SIGNERS) and give --sign-key KEY');
    if (opts.principal !== undefined) throw new UsageError('--principal is for a signed run: give --sign-key too');
    return opts.operator === undefined ? {} : { operator: opts.operator };
  }
  if (opts.operator !== undefined) throw new UsageError('--operator is the typed name of an unsigned run; a signed run is by its --principal');
  const principal = signerPrincipal(opts.signKey, opts.principal, policy);
  const key = opts.signKey;
  return {
    operator: principal,
    signRun: (body) => ({ signer: principal, signature: signRun(body, key, policy?.signers) }),
  };
}

/** The ledger file: `--ledger FILE`, else RESELLER_CREDITS_LEDGER, else ledger.sqlite (SPEC §9 Storage). */
export function ledgerPath(cmd: Command, given: string | undefined): string {
  if (given !== undefined && cmd.getOptionValueSource('ledger') !== 'default') return given;
  return process.env.RESELLER_CREDITS_LEDGER || DEFAULT_LEDGER;
}

/** `YYYY-MM`. */
export function parsePeriod(text: string): string {
  if (!/^[0-9]{4}-(0[1-9]|1[0-2])$/.test(text)) throw new InvalidArgumentError('must be a period YYYY-MM, e.g. 2026-11');
  return text;
}

function parseSeconds(text: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n > 86_400) throw new InvalidArgumentError('must be a whole number of seconds from 0 to 86400');
  return n;
}

/** Prints a ledger error or a SQLite failure (exit 2) or passes anything else on. */
export function ledgerFailure(err: unknown, file?: string): void {
  if (file !== undefined) err = ledgerError(file, err);
  if (err instanceof RcError && (err.code.startsWith('LEDGER_') || err.code === 'WRITE_FAILED' || err.code === 'AMBIGUOUS_RULES')) {
    printErrors([err]);
    process.exitCode = EXIT.USAGE;
    return;
  }
  throw err;
}

/** Registers the command. */
export function registerIssue(program: Command): void {
  program
    .command('issue')
    .description('issue a period: evaluate its snapshots and record each credit in the ledger (re-runs change nothing; corrections become adjustments)')
    .argument('<files...>', 'snapshot files or folders (as for evaluate), all of the period')
    .requiredOption('--period <YYYY-MM>', 'the period to issue', parsePeriod)
    .option('--ledger <file>', 'the ledger file (made once with `ledger init`); else RESELLER_CREDITS_LEDGER', DEFAULT_LEDGER)
    .option('--out <file>', 'write the output to FILE (renamed into place after the commit) instead of stdout')
    .addOption(new Option('--format <format>', 'output format').choices([...OUTPUT_FORMATS]).default('text'))
    .option('--trace', 'include the rule engine decisions')
    .option('--jobs <n>', 'worker threads (1 = no workers); by default the number of cores, or 1 for inputs under 1 MiB', parseJobs, defaultJobs())
    .option('--dry-run', 'compute and print what would be recorded; write nothing')
    .option('--wait <seconds>', 'how long to wait for a ledger another run is writing', parseSeconds, 600)
    .option('--report <file>', 'write the month-end report (.md, .html or .json): inputs with sha256, rule sets, operator, counts, totals, head, errors, tier changes')
    .option('--sign-key <key>', 'sign the run (SPEC §11): your SSH key, signed by ssh-keygen -Y sign; required with --signers')
    .option('--principal <name>', 'your name as in the verifier\'s allowed_signers file (optional when that file names your key)')
    .option('--operator <name>', 'without --sign-key: the operator\'s name as typed, recorded in an unsigned run entry')
    .addOption(new Option('--rules-version <id>').hideHelp())
    .addOption(new Option('--rules-file <file>').hideHelp())
    .addHelpText('after', `
Only the published rule set effective for the period is used (drafts never issue).

Output is spooled and printed (or renamed to --out FILE) only after the run is committed.

Examples:
  $ reseller-credits ledger init
  $ reseller-credits issue --period 2026-11 examples/portfolio.ndjson
  $ reseller-credits issue --period 2026-11 --format csv --ledger billing/ledger.sqlite --out issued.csv snapshots/2026-11/`)
    .action(async (files: string[], _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<IssueCliOptions>();
      if (opts.rulesVersion !== undefined || opts.rulesFile !== undefined) {
        throw new UsageError(`issue uses the published rule set chosen by period; --${opts.rulesVersion !== undefined ? 'rules-version' : 'rules-file'} is refused here (try it with evaluate)`);
      }
      // SQLite and the ledger's modules are loaded only when the command runs (not for --help)
      const [{ createIssueWriter }, { faultFromEnv, issuePeriod }, { Ledger }] = await Promise.all([
        import('../../ledger/render.js'), import('../../ledger/issue.js'), import('../../ledger/store.js'),
      ]);
      const file = ledgerPath(cmd, opts.ledger);
      const { reportFormatOf } = await import('../../ledger/month-end-render.js');
      const reportFormat = opts.report === undefined ? undefined : reportFormatOf(opts.report);
      if (opts.report !== undefined && !reportFormat) throw new UsageError(`--report ${opts.report}: the report is written as Markdown (.md), HTML (.html) or JSON (.json), chosen by the extension`);
      const repo = loadRules(opts.rulesDir);
      if (refuseUnapproved(repo)) return;
      let rs;
      try {
        rs = selectForPeriod(repo, opts.period);
      } catch (err) {
        ledgerFailure(err);
        return;
      }
      if (!rs) {
        printErrors(repo.errors);
        process.stderr.write(`${colors.red(`no usable published rule set in ${opts.rulesDir}/ is effective on ${opts.period}-01; nothing was issued`)}\n`);
        process.exitCode = EXIT.USAGE;
        return;
      }
      if (repo.errors.length) {
        warn(`some rule files in ${opts.rulesDir}/ are invalid and were skipped (run \`reseller-credits validate\`):`);
        printErrors(repo.errors, '  ');
      }
      let ledger: Ledger;
      let spool: IssueSpool;
      try {
        ledger = Ledger.open(file, { scratch: Boolean(opts.dryRun) });
      } catch (err) {
        ledgerFailure(err, file);
        return;
      }
      try {
        spool = new IssueSpool(opts.out);
      } catch (err) {
        ledger.close();
        ledgerFailure(err);
        return;
      }
      if (ledger.missing) note(`dry run: there is no ledger at ${resolve(file)} yet; computed as if it were empty`);
      let runSigning: { operator?: string; signRun?: (body: RunBodyLike) => { signer: string; signature: string } };
      try {
        runSigning = runSigningOf(opts, ledger.hasSignedRun());
      } catch (err) {
        ledger.close();
        if (err instanceof UsageError) throw err;
        printErrors(asRcErrors(err));
        process.exitCode = EXIT.USAGE;
        return;
      }
      const writer = createIssueWriter(opts.format, { trace: opts.trace });
      const jobs = cmd.getOptionValueSource('jobs') === 'default' ? jobsFor(opts.jobs, files) : opts.jobs;
      const progress = startProgress(files);
      let pending = '';
      const flush = () => { const t = pending; pending = ''; spool.write(t); };
      const errorRecords: ErrorRecord[] = [];
      try {
        const s = await issuePeriod(ledger, files, {
          period: opts.period,
          rulesDir: opts.rulesDir,
          limits: resolveLimits(),
          jobs,
          format: opts.format,
          trace: opts.trace,
          dryRun: opts.dryRun,
          ...runSigning,
          waitSeconds: opts.wait,
          fault: faultFromEnv(process.env.RESELLER_CREDITS_FAULT),
          onBusy: () => note(`ledger ${file} is busy (another issue run is writing it); waiting up to ${opts.wait} s …`),
          // records are spooled once per batch; nothing reaches stdout or --out before the commit
          onRecord: (r) => { pending += writer.record(r); if (!r.ok && reportFormat) errorRecords.push(r.error); },
          onBatch: flush,
          beforeCommit: () => { pending += writer.end(); flush(); spool.sync(); },
          onErrorLine: (line) => process.stderr.write(`${colors.red(line)}\n`),
          onWorkerLost: (err) => warn(`a worker thread stopped (${err.message}); its batch was evaluated again on the main thread`),
          onProgress: (records, errors, bytes) => progress.update(records, errors, bytes),
        }).finally(() => progress.stop());
        if (!s.committed) { pending += writer.end(); flush(); }
        await spool.deliver();
        // SPEC §11: a write without signers configured says once that nothing it rests on is verified
        if (s.committed && !approvalPolicy()) note(UNVERIFIED_NOTICE);
        note(s.committed
          ? `ledger ${file}: head ${s.head.hash}, ${s.head.count} entries`
          : `dry run: nothing written to ${file} (head would be ${s.head.hash}, ${s.head.count} entries)`);
        if (opts.report && reportFormat) {
          const [{ monthEndReport }, { renderMonthEnd }, { replaceFile }] = await Promise.all([
            import('../../ledger/month-end.js'), import('../../ledger/month-end-render.js'), import('../../folder/fs-writer.js')]);
          replaceFile(opts.report, renderMonthEnd(monthEndReport(ledger, { period: opts.period, summary: s, files, errors: errorRecords }), reportFormat));
          note(`month-end report written to ${opts.report}`);
        }
        note(`${s.issued} issued, ${s.unchanged} unchanged, ${s.adjusted} adjusted, ${s.errors} error(s)`);
        process.exitCode = s.errors ? EXIT.INVALID : EXIT.OK;
      } catch (err) {
        progress.stop();
        spool.discard();
        ledgerFailure(err, file);
      } finally {
        ledger.close();
      }
    });
}
