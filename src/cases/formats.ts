/**
 * The machine-readable reports of `reseller-credits test`: `--format json`
 * (one object: every case with its status and errors, the inputs that could
 * not be searched, and the counts) and `--format junit` (JUnit XML, one
 * `<testcase>` per case, for CI systems). Shapes in docs/cli.md.
 */
import { formatError, type ErrorRecordBody, type RcError } from '../errors.js';
import { xmlDocument, type XmlElement } from '../text/xml.js';
import type { CaseOutcome } from './runner.js';

/** The counts of a run: `failed` includes the broken cases, as in the text line `N passed, N failed`. */
export interface CaseCounts { cases: number; passed: number; failed: number; broken: number; inputErrors: number }

/** Counts of `outcomes` and of the inputs that could not be searched. */
export function caseCounts(outcomes: readonly CaseOutcome[], inputErrors: readonly RcError[]): CaseCounts {
  const passed = outcomes.filter((o) => o.status === 'passed').length;
  const broken = outcomes.filter((o) => o.status === 'broken').length;
  return { cases: outcomes.length, passed, failed: outcomes.length - passed, broken, inputErrors: inputErrors.length };
}

/** One case in JSON. */
export interface CaseJson { file: string; name: string | null; status: CaseOutcome['status']; errors: ErrorRecordBody[] }

/** `test --format json`. */
export function casesJson(outcomes: readonly CaseOutcome[], inputErrors: readonly RcError[]): string {
  const cases: CaseJson[] = outcomes.map((o) => ({
    file: o.file,
    name: o.name ?? null,
    status: o.status,
    errors: (o.status === 'failed' ? o.failures : o.status === 'broken' ? o.errors : []).map((e) => e.toJSON()),
  }));
  return `${JSON.stringify({ cases, inputErrors: inputErrors.map((e) => e.toJSON()), summary: caseCounts(outcomes, inputErrors) }, null, 2)}\n`;
}

/**
 * `test --format junit`: one `<testsuite>`, a `<testcase>` per case (`name`
 * its name or file, `classname` its file, `file` its file) with a `<failure>`
 * for a failed case and an `<error>` for a broken one or an input that could
 * not be searched; each carries every message as `file:line:column: path:
 * message` lines, control characters escaped.
 */
export function casesJunit(outcomes: readonly CaseOutcome[], inputErrors: readonly RcError[]): string {
  const c = caseCounts(outcomes, inputErrors);
  const lines = (errors: readonly RcError[]) => errors.map((e) => formatError(e)).join('\n');
  const problem = (kind: 'failure' | 'error', errors: readonly RcError[]): XmlElement => ({
    name: kind,
    attrs: { message: errors[0] ? formatError(errors[0]) : kind, type: errors[0]?.code },
    text: lines(errors),
  });
  const testcases: XmlElement[] = outcomes.map((o) => ({
    name: 'testcase',
    attrs: { name: o.name || o.file, classname: o.file, file: o.file },
    children: o.status === 'failed' ? [problem('failure', o.failures)] : o.status === 'broken' ? [problem('error', o.errors)] : [],
  }));
  for (const e of inputErrors) {
    testcases.push({ name: 'testcase', attrs: { name: e.file ?? 'input', classname: e.file ?? 'input', file: e.file }, children: [problem('error', [e])] });
  }
  const failures = c.failed - c.broken;
  const errors = c.broken + c.inputErrors;
  const tests = c.cases + c.inputErrors;
  return xmlDocument({
    name: 'testsuites',
    attrs: { name: 'reseller-credits', tests, failures, errors },
    children: [{ name: 'testsuite', attrs: { name: 'reseller-credits test', tests, failures, errors, skipped: 0 }, children: testcases }],
  });
}
