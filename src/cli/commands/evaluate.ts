/** `reseller-credits evaluate`: snapshots → credits, streamed on all cores, every record accounted for. */
import { Option, type Command } from 'commander';
import { resolveLimits } from '../../limits.js';
import { evaluatePortfolio } from '../../run/evaluate.js';
import { defaultJobs } from '../../run/pool.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../../report/formats.js';
import { refuseUnapproved } from '../approval-refusal.js';
import { EXIT, UsageError, counts as countsLine, errorLine, isQuiet, out, printErrors, stderrLine, warn } from '../io.js';
import { colors } from '../io.js';
import { startProgress } from '../progress.js';
import { NoRuleSetError, resolveRuleSet } from '../../compose/resolve-rule-set.js';
import { loadRules } from '../../compose/rules-dir.js';
import { chooseJobs, debugPoolStats, parseJobs } from '../jobs.js';
import { INPUTS_HELP, inputFormatOption, type InputFormat } from '../input-format.js';

interface EvaluateOptions {
  rulesDir: string; rulesVersion?: string; rulesFile?: string; format: OutputFormat; trace?: boolean; jobs: number;
  inputFormat?: InputFormat;
}

/** Registers the command. */
export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('evaluate account snapshots: the credit of each, with its explanation')
    .argument('<files...>', INPUTS_HELP)
    .option('--rules-version <id>', 'use this rule set version (any status); default: the published one effective for each period')
    .option('--rules-file <file>', 'use this rule set file (e.g. a draft outside the rules folder)')
    .addOption(new Option('--format <format>', 'output format').choices([...OUTPUT_FORMATS]).default('text'))
    .addOption(inputFormatOption())
    .option('--trace', 'include the rule engine decisions (every condition, its fact value and outcome)')
    .option('--jobs <n>', 'worker threads (1 = no workers), at most the cores (more is capped, with a warning) and the batches; by default the number of cores, or 1 for inputs under 1 MiB', parseJobs, defaultJobs())
    .addHelpText('after', `
Examples:
  $ reseller-credits evaluate examples/seed-px2.yaml
  $ reseller-credits evaluate --format json --rules-version 2026-01 examples/portfolio.ndjson
  $ reseller-credits evaluate --format csv examples/ > credits.csv
  $ psql -At -c "select snapshot from statements" | reseller-credits evaluate --format csv -`)
    .action(async (files: string[], _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<EvaluateOptions>();
      if (opts.rulesVersion && opts.rulesFile) throw new UsageError('give --rules-version or --rules-file, not both');
      const repo = loadRules(opts.rulesDir);
      const ref = opts.rulesFile ?? opts.rulesVersion;
      if (!opts.rulesFile && refuseUnapproved(repo)) return;
      try {
        if (ref) resolveRuleSet(repo, ref);
      } catch (err) {
        if (!(err instanceof NoRuleSetError)) throw err;
        printErrors(err.errors);
        process.exitCode = EXIT.USAGE;
        return;
      }
      if (!ref) {
        if (!repo.ruleSets.some((r) => r.status === 'published')) {
          printErrors(repo.errors);
          errorLine(`no usable published rule set in ${opts.rulesDir}/`);
          process.exitCode = EXIT.USAGE;
          return;
        }
        if (repo.errors.length && !isQuiet()) { // a warning, details included: not with --quiet
          warn(`some rule files in ${opts.rulesDir}/ are invalid and were skipped (run \`reseller-credits validate\`):`);
          printErrors(repo.errors, '  ');
        }
      }
      const jobs = chooseJobs(opts.jobs, cmd.getOptionValueSource('jobs') !== 'default', files);
      const progress = startProgress(files);
      const counts = await evaluatePortfolio(files, {
        rules: { rulesDir: opts.rulesDir, ref },
        format: opts.format,
        trace: opts.trace,
        limits: resolveLimits(),
        inputFormat: opts.inputFormat,
        onWorkerLost: (err) => warn(`a worker thread stopped (${err.message}); its batch was evaluated again on the main thread`),
        jobs,
        onPoolStats: debugPoolStats,
        write: out,
        writeBytes: out,
        onErrorLine: (line) => stderrLine(`${colors.red(line)}\n`),
        onProgress: (c, bytes) => progress.update(c.records, c.errors, bytes),
      }).finally(() => progress.stop());
      countsLine(`${counts.records} record(s): ${counts.evaluated} evaluated, ${counts.errors} error(s)`);
      process.exitCode = counts.errors ? EXIT.INVALID : EXIT.OK;
    });
}
