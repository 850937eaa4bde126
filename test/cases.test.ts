/**
 * Every regression case under test/cases, one vitest test each (SPEC §6), so
 * `npm test` and CI fail when a case fails. `reseller-credits test` runs the
 * same cases from the command line.
 */
import { describe, expect, it } from 'vitest';
import { loadRules } from '../src/compose/rules-dir.js';
import { formatOutcome } from '../src/cases/report.js';
import { findCaseFiles, runCaseFile } from '../src/cases/runner.js';

const repo = loadRules('rules');
const { files } = findCaseFiles(['test/cases']);

describe('regression cases in test/cases', () => {
  it.each(files)('%s', async (file) => {
    const outcome = await runCaseFile(file, repo);
    // The message is the same report `reseller-credits test` prints: expected vs actual, per field.
    expect(outcome.status, formatOutcome(outcome)).toBe('passed');
  });
});
