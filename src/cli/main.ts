/**
 * The `reseller-credits` command line: a thin layer over the library. User
 * mistakes end with a message and an exit status, never a stack trace.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { asRcErrors } from '../errors.js';
import { onPendingPublish } from '../compose/rules-dir.js';
import { EXIT, UsageError, errorLine, note, printErrors, setQuiet, stderrLine, stdoutIsClosed, warn, watchStdout } from './io.js';
import { reportRssOnExit, setProgressEnabled } from './progress.js';
import { RulesDirUnusable, rulesDirProblem } from './rules-dir-check.js';
import { safeText } from '../text/safe-text.js';
import { policyFrom, setApprovalPolicy, UNVERIFIED_NOTICE } from '../compose/approval-policy.js';

type Register = (program: Command) => void;

/**
 * Every command, in the order `--help` lists them, and how to load its module.
 * A command's module (and what it imports: AJV, yaml, SQLite, fast-check, …) is
 * loaded only when that command runs; `--help`, `help`, no command or an
 * unknown one load them all, so that the help lists every command.
 */
export const COMMANDS: readonly { name: string; load: () => Promise<Register> }[] = [
  { name: 'validate', load: async () => (await import('./commands/validate.js')).registerValidate },
  { name: 'evaluate', load: async () => (await import('./commands/evaluate.js')).registerEvaluate },
  { name: 'test', load: async () => (await import('./commands/test.js')).registerTest },
  { name: 'diff', load: async () => (await import('./commands/diff.js')).registerDiff },
  { name: 'publish', load: async () => (await import('./commands/publish.js')).registerPublish },
  { name: 'request', load: async () => (await import('./commands/request.js')).registerRequest },
  { name: 'approve', load: async () => (await import('./commands/approve.js')).registerApprove },
  { name: 'retire', load: async () => (await import('./commands/retire.js')).registerRetire },
  { name: 'evidence', load: async () => (await import('./commands/evidence.js')).registerEvidence },
  { name: 'whatif', load: async () => (await import('./commands/whatif.js')).registerWhatIf },
  { name: 'review', load: async () => (await import('./commands/review.js')).registerReview },
  { name: 'issue', load: async () => (await import('./commands/issue.js')).registerIssue },
  { name: 'ledger', load: async () => (await import('./commands/ledger.js')).registerLedger },
  { name: 'serve', load: async () => (await import('./commands/serve.js')).registerServe },
];

/** Global options that take a value (see `buildProgram`). */
const VALUE_OPTIONS = new Set(['--rules-dir', '--signers', '--min-approvals']);
/** Commands that say once, without signers configured, that approvals are not verified (SPEC §11). */
const NOTICE_COMMANDS = new Set(['validate', 'publish', 'retire', 'request', 'approve']); // issue says it once it has written (commands/issue.ts)
/** Global options without one. */
const FLAG_OPTIONS = new Set(['--no-progress', '-q', '--quiet']);

/**
 * The command `argv` (as `process.argv`) runs, when it can be told for sure
 * before parsing: the first operand after the global options. `undefined`
 * for anything else (`--help`, `--version`, `help`, no command, an unknown
 * option or command): then every command is loaded and commander decides.
 */
export function commandOf(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUE_OPTIONS.has(a)) { i++; continue; }
    if (FLAG_OPTIONS.has(a) || [...VALUE_OPTIONS].some((o) => a.startsWith(`${o}=`))) continue;
    if (a.startsWith('-')) return undefined;
    return COMMANDS.some((c) => c.name === a) ? a : undefined;
  }
  return undefined;
}

/** The version in package.json. */
function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/** The exit statuses, as `--help` shows them (SPEC §5 "Exit status in detail"). */
export const EXIT_STATUS_HELP = `Exit status:
  0  all good: every record evaluated, every rule set valid, every case passed
  1  some input invalid: a record or rule set with errors, a failed or malformed
     case, a named input that is missing or holds no snapshot (each is reported
     by name and the run goes on)
  2  usage error (unknown option, bad value), no usable rule set, or a --rules-dir
     that is missing, unreadable or holds no rule file (for every command)`;

const TOP_HELP = `
Examples:
  $ reseller-credits validate
  $ reseller-credits evaluate examples/seed-px2.yaml
  $ reseller-credits evaluate --format csv --quiet portfolio/ > credits.csv
  $ reseller-credits whatif --baseline 2026-01 --candidate drafts/2027-01.yaml portfolio/
  $ reseller-credits test --format junit > cases.xml
  $ reseller-credits diff 2026-01 2027-01

Errors go to stderr as file:line:column: path: message. Progress goes to stderr,
only on a terminal (--no-progress to turn it off). Colours only on a terminal;
NO_COLOR turns them off, FORCE_COLOR (not 0) on.

${EXIT_STATUS_HELP}`;

/** Commander's own messages echo command-line values: escaped line by line (SPEC §5). */
const safeLines = (str: string) => str.split('\n').map(safeText).join('\n');

/** Builds the program with the commands named registered (default: every one), in `COMMANDS` order. */
export async function buildProgram(only?: readonly string[]): Promise<Command> {
  const program = new Command('reseller-credits')
    .description('Reseller statement credits from versioned YAML rule sets')
    .version(packageVersion(), '-V, --version', 'print the version of reseller-credits')
    .option('--rules-dir <dir>', 'folder of rule sets and rules.lock', 'rules')
    .option('--no-progress', 'no progress bar (it is shown only when stderr is a terminal)')
    .option('-q, --quiet', 'only errors and the closing counts line on stderr (no notes, warnings or progress)')
    .option('--signers <file>', 'the OpenSSH allowed_signers file this verifier trusts (or RESELLER_CREDITS_SIGNERS): approvals must be signed and verify (docs/approvals.md)')
    .option('--min-approvals <n>', 'distinct approvers each change needs, none of them its author (or RESELLER_CREDITS_MIN_APPROVALS; default 1)')
    .showHelpAfterError('(run with --help for usage)')
    // every subcommand's help lists --rules-dir, --quiet, --no-progress too
    .configureHelp({ showGlobalOptions: true })
    // help and usage text go through the same closed-pipe handling as results
    .configureOutput({
      writeOut: (str) => { if (!stdoutIsClosed()) process.stdout.write(str); },
      writeErr: (str) => { stderrLine(safeLines(str)); },
    })
    .addHelpText('after', TOP_HELP)
    .exitOverride()
    .hook('preAction', (_program, action) => {
      const opts = action.optsWithGlobals<{ rulesDir: string; progress: boolean; quiet?: boolean; signers?: string; minApprovals?: string }>();
      setQuiet(Boolean(opts.quiet));
      setProgressEnabled(opts.progress && !opts.quiet);
      let top: Command = action;
      while (top.parent && top.parent.parent) top = top.parent;
      // `ledger init` reads no rules; an evidence bundle is checked on its own, on an auditor's machine without a rules folder
      const problem = (action.name() === 'init' && action.parent?.name() === 'ledger') || top.name() === 'evidence' ? undefined : rulesDirProblem(opts.rulesDir);
      if (problem) throw new RulesDirUnusable(problem);
      let policy;
      try {
        policy = policyFrom(opts.signers, opts.minApprovals);
      } catch (err) {
        throw new RulesDirUnusable(asRcErrors(err)[0]!);
      }
      setApprovalPolicy(policy);
      if (!policy && NOTICE_COMMANDS.has(top.name())) note(UNVERIFIED_NOTICE);
    });
  const wanted = COMMANDS.filter((c) => !only || only.includes(c.name));
  for (const register of await Promise.all(wanted.map((c) => c.load()))) register(program);
  return program;
}

/** Runs the command line; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  watchStdout();
  reportRssOnExit();
  // every command that reads the rules folder reports an interrupted publish (SPEC §6)
  onPendingPublish((p) => warn(safeText(p.message)));
  try {
    const command = commandOf(argv);
    const program = await buildProgram(command ? [command] : undefined);
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (err instanceof UsageError) {
      errorLine(`error: ${err.message}`);
      stderrLine('(run with --help for usage)\n');
      return EXIT.USAGE;
    }
    if (err instanceof RulesDirUnusable) {
      printErrors([err.error]);
      return EXIT.USAGE;
    }
    printErrors(asRcErrors(err));
    return EXIT.INVALID;
  }
}
