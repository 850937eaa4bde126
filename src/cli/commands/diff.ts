/** `reseller-credits diff A B`: what changed between two rule sets, in words. */
import { Option, type Command } from 'commander';
import { diffRuleSets } from '../../diff/diff.js';
import { diffText } from '../../diff/text.js';
import { EXIT, out, printErrors } from '../io.js';
import { NoRuleSetError, resolveRuleSet } from '../../compose/resolve-rule-set.js';
import { loadRules } from '../../compose/rules-dir.js';

/** Registers the command. */
export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('what changed between two rule sets: window, tiers, services, classes, eligibility, bases, rounding')
    .argument('<a>', 'the rule set before: a version id in the rules folder (any status) or a file')
    .argument('<b>', 'the rule set after: a version id or a file')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', `
Examples:
  $ reseller-credits diff 2026-01 2027-01
  $ reseller-credits diff 2026-01 drafts/2027-01.yaml --format json`)
    .action(async (a: string, b: string, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ rulesDir: string; format: 'text' | 'json' }>();
      const repo = loadRules(opts.rulesDir);
      const problems: NoRuleSetError[] = [];
      const get = (ref: string) => {
        try {
          return resolveRuleSet(repo, ref);
        } catch (err) {
          if (!(err instanceof NoRuleSetError)) throw err;
          problems.push(err);
          return undefined;
        }
      };
      const before = get(a);
      const after = get(b);
      if (!before || !after) {
        printErrors(problems.flatMap((p) => p.errors));
        process.exitCode = EXIT.USAGE;
        return;
      }
      const d = diffRuleSets(before, after);
      await out(opts.format === 'json' ? `${JSON.stringify(d, null, 2)}\n` : diffText(d, after.currency, after.rounding.scale));
      process.exitCode = EXIT.OK;
    });
}
