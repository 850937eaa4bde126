/** `reseller-credits validate`: every rule set of the folder, all errors listed. */
import { Option, type Command } from 'commander';
import { loadRules } from '../../compose/rules-dir.js';
import { readRuleSetFile } from '../../compose/ruleset-loader.js';
import { EXIT, counts, out, printErrors, warn } from '../io.js';

export { validateJson } from '../../report/validate-json.js';
import { validateJson } from '../../report/validate-json.js';

/** Registers the command. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check every rule set in the rules folder (schema, semantics, lock, windows); list all errors')
    .argument('[files...]', 'check only these rule set files (e.g. a draft outside the folder)')
    .addOption(new Option('--format <format>', 'output format: text (errors on stderr) or json (a report on stdout; errors on stderr too)').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExamples:\n  $ reseller-credits validate\n  $ reseller-credits validate --rules-dir rules drafts/2027-01.yaml\n  $ reseller-credits validate --format json > validation.json')
    .action(async (files: string[], _opts: unknown, cmd: Command) => {
      const { rulesDir, format } = cmd.optsWithGlobals<{ rulesDir: string; format: 'text' | 'json' }>();
      if (files.length) {
        const results = files.map((f) => readRuleSetFile(f));
        const errors = results.flatMap((r) => r.errors);
        printErrors(errors);
        if (format === 'json') await out(validateJson(null, results, errors));
        counts(`${files.length} rule set file(s) checked: ${results.filter((r) => r.ruleSet).length} valid, ${errors.length} error(s)`);
        process.exitCode = errors.length ? EXIT.INVALID : EXIT.OK;
        return;
      }
      const repo = loadRules(rulesDir);
      printErrors(repo.errors);
      // unpositioned: a warning is no error to jump to (the lock entry is fine). A version published
      // before the publish log existed is a fact nobody can change, so it is said once in the summary
      // line, not as a warning on every run (issue 19)
      const preLog = repo.warnings.filter((w) => w.code === 'LOG_MISMATCH').map((w) => w.path ?? '?');
      for (const w of repo.warnings) if (w.code !== 'LOG_MISMATCH') warn(w.message);
      if (format === 'json') await out(validateJson(rulesDir, repo.files, repo.errors));
      const bad = new Set(repo.errors.map((e) => e.file));
      const valid = repo.files.filter((f) => f.ruleSet && !bad.has(f.file)).length;
      counts(`${repo.files.length} rule set(s) in ${rulesDir}/: ${valid} valid, ${repo.files.length - valid} invalid; ${repo.errors.length} error(s)` +
        (preLog.length ? `; published before the publish log existed, so no approval is recorded (nothing to do): ${preLog.join(', ')}` : ''));
      process.exitCode = repo.errors.length ? EXIT.INVALID : EXIT.OK;
    });
}
