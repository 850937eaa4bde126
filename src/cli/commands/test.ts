/** `reseller-credits test [PATH…]`: regression cases pinned to versions (SPEC §6). */
import type { Command } from 'commander';
import { formatOutcome, summarize } from '../../versions/case-report.js';
import { findCaseFiles, runCaseFile } from '../../versions/case-runner.js';
import { loadRules } from '../../intake/rules-dir.js';
import { resolveLimits } from '../../load/limits.js';
import { EXIT, out, printErrors, warn } from '../io.js';

/** Registers the command. */
export function registerTest(program: Command): void {
  program
    .command('test')
    .description('run regression cases: each snapshot under its pinned version, compared with what the case expects')
    .argument('[paths...]', 'case files or folders (searched recursively; snapshots/ folders are skipped)', ['test/cases'])
    .option('--verbose', 'also list the cases that pass')
    .addHelpText('after', `
Prints each failing case with expected vs actual, then "N passed, N failed".
Exit status 1 when any case failed or is malformed.

Examples:
  $ reseller-credits test
  $ reseller-credits test test/cases/2026-01/seed-px2.yaml`)
    .action(async (paths: string[], _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ rulesDir: string; verbose?: boolean }>();
      const { files, errors, roots } = findCaseFiles(paths);
      if (errors.length) {
        printErrors(errors);
        process.exitCode = EXIT.USAGE;
        return;
      }
      if (!files.length) warn(`no case files (.yaml) found in ${paths.join(', ')}`);
      const repo = loadRules(opts.rulesDir);
      const limits = resolveLimits();
      const outcomes = [];
      // One after another: a compiled engine must not run concurrently (SPEC §8).
      for (const f of files) {
        const o = await runCaseFile(f, repo, limits, { root: roots.get(f) });
        outcomes.push(o);
        await out(formatOutcome(o, opts.verbose));
      }
      const s = summarize(outcomes);
      await out(`${s.line}\n`);
      process.exitCode = s.failed ? EXIT.INVALID : EXIT.OK;
    });
}
