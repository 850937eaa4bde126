/**
 * The `reseller-credits` command line: a thin layer over the library. User
 * mistakes end with a message and an exit status, never a stack trace.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { asRcErrors } from '../errors.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerDiff } from './commands/diff.js';
import { registerPublish } from './commands/publish.js';
import { registerTest } from './commands/test.js';
import { registerValidate } from './commands/validate.js';
import { registerWhatIf } from './commands/whatif.js';
import { registerIssue } from './commands/issue.js';
import { registerLedger } from './commands/ledger.js';
import { EXIT, UsageError, printErrors, colors, stdoutIsClosed, watchStdout } from './io.js';
import { reportRssOnExit } from './progress.js';

/** The version in package.json. */
function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/** Builds the program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('reseller-credits')
    .description('Reseller statement credits from versioned YAML rule sets')
    .version(packageVersion(), '-V, --version', 'print the version of reseller-credits')
    .option('--rules-dir <dir>', 'folder of rule sets and rules.lock', 'rules')
    .showHelpAfterError('(run with --help for usage)')
    // help and usage text go through the same closed-pipe handling as results
    .configureOutput({
      writeOut: (str) => { if (!stdoutIsClosed()) process.stdout.write(str); },
      writeErr: (str) => { process.stderr.write(str); },
    })
    .exitOverride();
  registerValidate(program);
  registerEvaluate(program);
  registerTest(program);
  registerDiff(program);
  registerPublish(program);
  registerWhatIf(program);
  registerIssue(program);
  registerLedger(program);
  return program;
}

/** Runs the command line; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  watchStdout();
  reportRssOnExit();
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`${colors.red(`error: ${err.message}`)}\n(run with --help for usage)\n`);
      return EXIT.USAGE;
    }
    printErrors(asRcErrors(err));
    return EXIT.INVALID;
  }
}
