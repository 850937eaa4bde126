import { RcError } from './errors.js';

/**
 * Resource limits for everything read from disk. Each is an option with a
 * default; exceeding one is an ordinary coded error, never a crash.
 */
export interface LoadLimits {
  /** Largest rule-set file, in bytes. Default 1 MiB. */
  maxRuleFileBytes: number;
  /**
   * Largest snapshot file read whole (YAML, JSON, a JSON array), in bytes.
   * NDJSON is streamed and has no file limit. Default 256 MiB.
   */
  maxFileBytes: number;
  /**
   * Largest single snapshot, in any format (a line of NDJSON, an element of a
   * JSON array, a YAML document, a whole file), in characters. Default 4 MiB.
   */
  maxRecordBytes: number;
  /**
   * Most YAML alias references (`*name`) in one document, and most alias
   * expansions when it is read (alias bombs). Default 100.
   */
  maxAliasCount: number;
  /**
   * Deepest nesting of collections. Checked on the raw text *before* the YAML
   * parser runs: about 1,000 levels can kill Node 20 inside the parser. Default 64.
   */
  maxDepth: number;
  /** Most line items in one snapshot, over all its sources. Default 100,000. */
  maxLineItems: number;
}

/** The defaults of every limit. */
export const DEFAULT_LIMITS: Readonly<LoadLimits> = Object.freeze({
  maxRuleFileBytes: 1024 * 1024,
  maxFileBytes: 256 * 1024 * 1024,
  maxRecordBytes: 4 * 1024 * 1024,
  maxAliasCount: 100,
  maxDepth: 64,
  maxLineItems: 100_000,
});

/** Fills in defaults for the limits not given. */
export function resolveLimits(partial?: Partial<LoadLimits>): LoadLimits {
  return { ...DEFAULT_LIMITS, ...partial };
}

/**
 * A FILE_TOO_LARGE error of the generic reader, naming the limit that was
 * applied (`maxRuleFileBytes` for rule set and case files) instead of
 * `maxFileBytes`, so the user knows which option to raise.
 */
export function withLimitName(errors: readonly RcError[], limit: keyof LoadLimits): RcError[] {
  return errors.map((e) => (e.code === 'FILE_TOO_LARGE' && !e.message.includes(`(${limit})`)
    ? new RcError(e.code, e.message.replace(/\(max[A-Za-z]+\)/, `(${limit})`), { file: e.file, line: e.line, column: e.column, path: e.path })
    : e));
}
