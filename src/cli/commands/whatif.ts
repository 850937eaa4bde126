/** `reseller-credits whatif`: a portfolio under two rule sets, and what changes. */
import { Option, type Command } from 'commander';
import { resolveLimits } from '../../limits.js';
import { defaultJobs } from '../../run/pool.js';
import { formatError } from '../../errors.js';
import { createWhatIfWriter, WHATIF_FORMATS, type WhatIfFormat } from '../../whatif/render.js';
import { whatIfPortfolio } from '../../whatif/run-whatif.js';
import { refuseUnapproved } from '../approval-refusal.js';
import { EXIT, colors, counts, out, printErrors, stderrLine, warn } from '../io.js';
import { chooseJobs, debugPoolStats, parseCount, parseJobs } from '../jobs.js';
import { startProgress } from '../progress.js';
import { NoRuleSetError, resolveRuleSet } from '../../compose/resolve-rule-set.js';
import { loadRules } from '../../compose/rules-dir.js';
import { inputFormatOption, type InputFormat } from '../input-format.js';

interface WhatIfOptions { rulesDir: string; baseline: string; candidate: string; format: WhatIfFormat; jobs: number; top: number; inputFormat?: InputFormat }

/** Registers the command. */
export function registerWhatIf(program: Command): void {
  program
    .command('whatif')
    .description('evaluate a portfolio under two rule sets and report the differences')
    .argument('<files...>', 'snapshot files or folders (as for evaluate); - reads standard input')
    .requiredOption('--baseline <id|file>', 'the rule set in force (a version id, or a rule set file)')
    .requiredOption('--candidate <id|file>', 'the proposed rule set (a version id, or a draft file anywhere)')
    .addOption(new Option('--format <format>', 'output format').choices([...WHATIF_FORMATS]).default('text'))
    .option('--jobs <n>', 'worker threads (1 = no workers), at most the cores (more is capped, with a warning) and the batches; by default the number of cores, or 1 for inputs under 1 MiB', parseJobs, defaultJobs())
    .addOption(inputFormatOption())
    .option('--top <n>', 'largest movers to list in text output', parseCount, 10)
    .addHelpText('after', `
Examples:
  $ reseller-credits whatif --baseline 2026-01 --candidate rules/2027-01.yaml examples/portfolio.ndjson
  $ reseller-credits whatif --baseline 2026-01 --candidate drafts/cheaper.yaml --format csv portfolio/ > changes.csv`)
    .action(async (files: string[], _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<WhatIfOptions>();
      const repo = loadRules(opts.rulesDir);
      if (refuseUnapproved(repo)) return;
      let baseline;
      let candidate;
      try {
        baseline = resolveRuleSet(repo, opts.baseline);
        candidate = resolveRuleSet(repo, opts.candidate);
      } catch (err) {
        if (!(err instanceof NoRuleSetError)) throw err;
        printErrors(err.errors);
        process.exitCode = EXIT.USAGE;
        return;
      }
      const jobs = chooseJobs(opts.jobs, cmd.getOptionValueSource('jobs') !== 'default', files);
      const writer = createWhatIfWriter(opts.format, baseline, candidate);
      const progress = startProgress(files);
      await out(writer.start());
      const tally = await whatIfPortfolio(files, {
        rulesDir: opts.rulesDir,
        baseline,
        candidate,
        limits: resolveLimits(),
        inputFormat: opts.inputFormat,
        onWorkerLost: (err) => warn(`a worker thread stopped (${err.message}); its batch was evaluated again on the main thread`),
        jobs,
        onPoolStats: debugPoolStats,
        keepMovers: opts.top,
        minScale: Math.max(baseline.rounding.scale, candidate.rounding.scale),
        onRow: async (r) => {
          if (!r.ok) stderrLine(`${colors.red(formatError(r.error.error))}\n`);
          await out(writer.row(r));
        },
        onProgress: (rows, errors, bytes) => progress.update(rows, errors, bytes),
      }).finally(() => progress.stop());
      await out(writer.end(tally));
      const s = tally.summary();
      counts(`${s.accounts + s.errors} record(s): ${s.accounts} compared, ${s.errors} error(s)`);
      process.exitCode = s.errors ? EXIT.INVALID : EXIT.OK;
    });
}
