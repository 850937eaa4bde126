/** `reseller-credits validate`: every rule set of the folder, all errors listed. */
import type { Command } from 'commander';
import { loadRules } from '../../intake/rules-dir.js';
import { readRuleSetFile } from '../../intake/ruleset-loader.js';
import { EXIT, counts, printErrors } from '../io.js';

/** Registers the command. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check every rule set in the rules folder (schema, semantics, lock, windows); list all errors')
    .argument('[files...]', 'check only these rule set files (e.g. a draft outside the folder)')
    .addHelpText('after', '\nExamples:\n  $ reseller-credits validate\n  $ reseller-credits validate --rules-dir rules drafts/2027-01.yaml')
    .action((files: string[], _opts: unknown, cmd: Command) => {
      const { rulesDir } = cmd.optsWithGlobals<{ rulesDir: string }>();
      if (files.length) {
        const results = files.map((f) => readRuleSetFile(f));
        const errors = results.flatMap((r) => r.errors);
        printErrors(errors);
        counts(`${files.length} rule set file(s) checked: ${results.filter((r) => r.ruleSet).length} valid, ${errors.length} error(s)`);
        process.exitCode = errors.length ? EXIT.INVALID : EXIT.OK;
        return;
      }
      const repo = loadRules(rulesDir);
      printErrors(repo.errors);
      const bad = new Set(repo.errors.map((e) => e.file));
      const valid = repo.files.filter((f) => f.ruleSet && !bad.has(f.file)).length;
      counts(`${repo.files.length} rule set(s) in ${rulesDir}/: ${valid} valid, ${repo.files.length - valid} invalid; ${repo.errors.length} error(s)`);
      process.exitCode = repo.errors.length ? EXIT.INVALID : EXIT.OK;
    });
}
