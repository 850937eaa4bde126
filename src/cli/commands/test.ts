/** `reseller-credits test [PATH…]`: regression cases pinned to versions (SPEC §6). */
import { Option, type Command } from 'commander';
import { RcError } from '../../errors.js';
import { formatOutcome, summarize } from '../../cases/report.js';
import { casesJson, casesJunit } from '../../cases/formats.js';
import { findCaseFiles, runCaseFile, type CaseOutcome } from '../../cases/runner.js';
import { loadRules } from '../../compose/rules-dir.js';
import { resolveLimits } from '../../limits.js';
import { EXIT, out, printErrors } from '../io.js';

type TestFormat = 'text' | 'json' | 'junit';

/** Registers the command. */
export function registerTest(program: Command): void {
  program
    .command('test')
    .description('run regression cases: each snapshot under its pinned version, compared with what the case expects')
    .argument('[paths...]', 'case files or folders (searched recursively; snapshots/ folders are skipped)', ['test/cases'])
    .option('--verbose', 'also list the cases that pass (text format)')
    .addOption(new Option('--format <format>', 'output format: text, json (one object), junit (JUnit XML for CI systems)').choices(['text', 'json', 'junit']).default('text'))
    .addHelpText('after', `
Prints each failing case with expected vs actual, then "N passed, N failed".
A path that does not exist or holds no case file is an error naming it; the
other cases still run. Exit status 1 when any case failed or is malformed, or a
path gave no case.

Examples:
  $ reseller-credits test
  $ reseller-credits test test/cases/2026-01/seed-px2.yaml
  $ reseller-credits test --format junit > cases.xml`)
    .action(async (paths: string[], _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ rulesDir: string; verbose?: boolean; format: TestFormat }>();
      const files: string[] = [];
      const roots = new Map<string, string>();
      const inputErrors: RcError[] = [];
      for (const p of paths) {
        const found = findCaseFiles([p]);
        files.push(...found.files);
        for (const [f, root] of found.roots) roots.set(f, root);
        inputErrors.push(...found.errors);
        if (!found.errors.length && !found.files.length) {
          inputErrors.push(new RcError('NO_SNAPSHOT', 'holds no case file (.yaml, .yml)', { file: p }));
        }
      }
      printErrors(inputErrors);
      const repo = loadRules(opts.rulesDir);
      const limits = resolveLimits();
      const outcomes: CaseOutcome[] = [];
      // One after another: a compiled engine must not run concurrently (SPEC §8).
      for (const f of files) {
        const o = await runCaseFile(f, repo, limits, { root: roots.get(f) });
        outcomes.push(o);
        if (opts.format === 'text') await out(formatOutcome(o, opts.verbose));
      }
      const s = summarize(outcomes);
      if (opts.format === 'json') await out(casesJson(outcomes, inputErrors));
      else if (opts.format === 'junit') await out(casesJunit(outcomes, inputErrors));
      else await out(`${s.line}${inputErrors.length ? `; ${inputErrors.length} path(s) gave no case` : ''}\n`);
      process.exitCode = s.failed || inputErrors.length ? EXIT.INVALID : EXIT.OK;
    });
}
