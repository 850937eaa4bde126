/** `reseller-credits review`: the change review of a draft before it is published (SPEC §10). */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { RcError } from '../../errors.js';
import { resolveLimits } from '../../limits.js';
import { NoRuleSetError, resolveRuleSet } from '../../compose/resolve-rule-set.js';
import { loadRules } from '../../compose/rules-dir.js';
import { DEFAULT_RUNS, DEFAULT_SEED } from '../../review/defaults.js';
import { REVIEW_FORMATS as FORMATS, renderReview, reviewJson, type ReviewFormat } from '../../review/render/render.js';
import { EXIT, note, out, printErrors, warn } from '../io.js';
import { chooseJobs, parseJobs } from '../jobs.js';
import { defaultJobs } from '../../run/pool.js';


interface ReviewOptions {
  rulesDir: string;
  baseline?: string;
  format: ReviewFormat;
  out?: string;
  writeCases?: string;
  cases: string[];
  seed: number;
  runs: number;
  jobs: number;
}

const integer = (min: number) => (v: string) => {
  if (!/^[0-9]+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`must be a whole number ≥ ${min}`);
  return Number(v);
};

/** Registers the command. */
export function registerReview(program: Command): void {
  program
    .command('review')
    .description('the change review of a draft: changes, checks, cliffs, where results can differ, money impact, case coverage')
    .argument('<candidate>', 'the draft: a version id in the rules folder or a rule set file anywhere')
    .argument('[portfolio...]', 'snapshot files or folders for the money impact (as for evaluate)')
    .option('--baseline <id|file>', 'the version to compare with (default: the published version in force the day before the candidate starts)')
    .addOption(new Option('--format <format>', 'output format').choices([...FORMATS]).default('text'))
    .option('--out <file>', 'write the report to this file instead of standard output')
    .option('--write-cases <dir>', 'write the missing edge cases as case files pinned to the candidate (never overwriting)')
    .option('--cases <dir>', 'a folder of regression cases to read coverage from (repeatable; default test/cases)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--seed <n>', 'fast-check seed of the generated-snapshot checks', integer(0), DEFAULT_SEED)
    .option('--runs <n>', 'generated snapshots per check', integer(1), DEFAULT_RUNS)
    .option('--jobs <n>', 'worker threads for the portfolio (1 = no workers); by default the number of cores, or 1 for inputs under 1 MiB', parseJobs, defaultJobs())
    .addHelpText('after', `
Exit status: 0 every check passed, 1 a check failed or portfolio records could not be evaluated, 2 usage error.

Examples:
  $ reseller-credits review rules/2027-01.yaml examples/portfolio.ndjson
  $ reseller-credits review 2027-01 --format html --out review.html examples/portfolio.ndjson
  $ reseller-credits review 2027-01 --format json --out review.json examples/portfolio.ndjson
  $ reseller-credits review 2027-01 --write-cases test/cases/2027-01`)
    .action(async (candidateRef: string, portfolio: string[], _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ReviewOptions>();
      // fast-check and the review's modules are loaded only when the command runs (not for --help)
      const [{ defaultBaseline }, { reviewChange }, { writeMissingCases }] = await Promise.all([
        import('../../review/baseline.js'), import('../../review/review.js'), import('../../review/coverage.js'),
      ]);
      const repo = loadRules(opts.rulesDir);
      let candidate;
      let baseline;
      try {
        candidate = resolveRuleSet(repo, candidateRef);
        baseline = opts.baseline !== undefined ? resolveRuleSet(repo, opts.baseline) : undefined;
      } catch (err) {
        if (!(err instanceof NoRuleSetError)) throw err;
        printErrors(err.errors);
        process.exitCode = EXIT.USAGE;
        return;
      }
      const chosen = baseline ? 'given' as const : 'default' as const;
      baseline ??= defaultBaseline(repo, candidate);
      if (!baseline) {
        printErrors([new RcError('NO_RULE_SET',
          `no published version in ${repo.dir}/ is in force on the day before ${candidate.id} starts (${candidate.effective.from}) or ends on or before it; name the version to compare with: --baseline ID|FILE`)]);
        process.exitCode = EXIT.USAGE;
        return;
      }
      const limits = resolveLimits();
      const report = await reviewChange({
        candidate, baseline, baselineChosen: chosen,
        published: repo.ruleSets.filter((r) => r.status === 'published'),
        portfolio, caseFolders: opts.cases.length ? opts.cases : ['test/cases'],
        limits, seed: opts.seed, runs: opts.runs,
        jobs: chooseJobs(opts.jobs, cmd.getOptionValueSource('jobs') !== 'default', portfolio),
      });
      for (const e of report.impact?.errors ?? []) printErrors([new RcError(e.error.code, e.error.message, { ...e.error, account: e.account })]);
      // the JSON report streams its accounts from their spool; the other formats are one text
      const pieces: Iterable<string> = opts.format === 'json' ? reviewJson(report) : [await renderReview(report, opts.format)];
      if (opts.out !== undefined) {
        let fd: number | undefined;
        try {
          fd = openSync(opts.out, 'w');
          for (const piece of pieces) writeSync(fd, piece);
        } catch (err) {
          printErrors([new RcError('WRITE_FAILED', `cannot write the report (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file: opts.out })]);
          process.exitCode = EXIT.USAGE;
          return;
        } finally {
          if (fd !== undefined) closeSync(fd);
        }
        note(`review written to ${opts.out}`);
      } else {
        for (const piece of pieces) await out(piece);
      }
      report.impact?.accounts.dispose();
      if (opts.writeCases !== undefined) {
        try {
          mkdirSync(opts.writeCases, { recursive: true });
          const w = await writeMissingCases(candidate, report.coverage, opts.writeCases);
          for (const f of w.written) note(`wrote ${f}`);
          for (const s of w.skipped) warn(`${s.file}: ${s.reason}`);
          note(`${w.written.length} case file(s) written to ${opts.writeCases}; check their figures, then run: reseller-credits test ${opts.writeCases}`);
        } catch (err) {
          printErrors([err instanceof RcError ? err : new RcError('WRITE_FAILED', `cannot write cases (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file: opts.writeCases })]);
          process.exitCode = EXIT.USAGE;
          return;
        }
      }
      note(report.passed ? 'review passed' : 'review FAILED');
      process.exitCode = report.passed ? EXIT.OK : EXIT.INVALID;
    });
}
