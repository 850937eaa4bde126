/**
 * The report of `validate --format json` (schemas/validate.schema.json), for
 * the command line and the service alike.
 */
import type { RcError } from '../errors.js';
import type { RuleSetReadResult } from '../compose/ruleset-loader.js';

/**
 * `validate --format json`: `{ rulesDir, files: [{ file, id, status, valid,
 * errors }], errors, summary: { files, valid, invalid, errors } }`; `errors`
 * holds every error (those about the lock file or across files too), each
 * file's `errors` the ones that point into it.
 */
export function validateJson(rulesDir: string | null, results: readonly RuleSetReadResult[], errors: readonly RcError[]): string {
  const files = results.map((r) => {
    const own = errors.filter((e) => e.file === r.file);
    const doc = r.doc?.value as { id?: unknown; status?: unknown } | undefined;
    return {
      file: r.file,
      id: r.ruleSet?.id ?? (typeof doc?.id === 'string' ? doc.id : null),
      status: r.ruleSet?.status ?? (typeof doc?.status === 'string' ? doc.status : null),
      valid: Boolean(r.ruleSet) && own.length === 0,
      errors: own.map((e) => e.toJSON()),
    };
  });
  const valid = files.filter((f) => f.valid).length;
  return `${JSON.stringify({
    rulesDir,
    files,
    errors: errors.map((e) => e.toJSON()),
    summary: { files: files.length, valid, invalid: files.length - valid, errors: errors.length },
  }, null, 2)}\n`;
}
