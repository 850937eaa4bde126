/** `reseller-credits evaluate`: snapshots → credits, streamed, every record accounted for. */
import { Option, type Command } from 'commander';
import { formatError } from '../../errors.js';
import type { RuleChoice } from '../../evaluate/batch.js';
import { runPortfolio } from '../../evaluate/pipeline.js';
import { resolveLimits } from '../../load/limits.js';
import { createWriter, OUTPUT_FORMATS, type OutputFormat } from '../../report/formats.js';
import { EXIT, UsageError, note, out, printErrors, warn, colors } from '../io.js';
import { NoRuleSetError, openRules, resolveRuleSet } from '../rules-choice.js';

interface EvaluateOptions { rulesDir: string; rulesVersion?: string; rulesFile?: string; format: OutputFormat; trace?: boolean }

/** Registers the command. */
export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('evaluate account snapshots: the credit of each, with its explanation')
    .argument('<files...>', 'snapshot files or folders: .yaml/.yml (multi-document), .json (object or array), .ndjson/.jsonl')
    .option('--rules-version <id>', 'use this rule set version (any status); default: the published one effective for each period')
    .option('--rules-file <file>', 'use this rule set file (e.g. a draft outside the rules folder)')
    .addOption(new Option('--format <format>', 'output format').choices([...OUTPUT_FORMATS]).default('text'))
    .option('--trace', 'include the rule engine decisions in json/ndjson output')
    .addHelpText('after', `
Examples:
  $ reseller-credits evaluate examples/seed-px2.yaml
  $ reseller-credits evaluate --format json --rules-version 2026-01 examples/portfolio.ndjson
  $ reseller-credits evaluate --format csv examples/ > credits.csv`)
    .action(async (files: string[], _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<EvaluateOptions>();
      if (opts.rulesVersion && opts.rulesFile) throw new UsageError('give --rules-version or --rules-file, not both');
      const repo = openRules(opts.rulesDir);
      let choice: RuleChoice;
      try {
        const ref = opts.rulesFile ?? opts.rulesVersion;
        choice = ref ? { kind: 'fixed', ruleSet: resolveRuleSet(repo, ref) } : { kind: 'by-period', repo };
      } catch (err) {
        if (!(err instanceof NoRuleSetError)) throw err;
        printErrors(err.errors);
        process.exitCode = EXIT.USAGE;
        return;
      }
      if (choice.kind === 'by-period') {
        if (!repo.ruleSets.some((r) => r.status === 'published')) {
          printErrors(repo.errors);
          process.stderr.write(`${colors.red(`no usable published rule set in ${opts.rulesDir}/`)}\n`);
          process.exitCode = EXIT.USAGE;
          return;
        }
        if (repo.errors.length) {
          warn(`some rule files in ${opts.rulesDir}/ are invalid and were skipped (run \`reseller-credits validate\`):`);
          printErrors(repo.errors, '  ');
        }
      }
      const writer = createWriter(opts.format, { trace: opts.trace });
      const counts = await runPortfolio(files, choice, {
        limits: resolveLimits(),
        onRecord: async (r) => {
          if (!r.ok) {
            const e = r.error.error;
            process.stderr.write(`${colors.red(formatError({ ...e, account: r.error.account } as never))}\n`);
          }
          await out(writer.record(r));
        },
      });
      await out(writer.end());
      note(`${counts.records} record(s): ${counts.evaluated} evaluated, ${counts.errors} error(s)`);
      process.exitCode = counts.errors ? EXIT.INVALID : EXIT.OK;
    });
}
