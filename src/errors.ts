import { cutText, safeText } from './text/safe-text.js';

/**
 * One error family for everything a user can get wrong: rule files, snapshots,
 * cases, command lines. Each carries a stable `code`, the file, a 1-based
 * line/column and the data path, so it prints as `file:line:col: path: message`.
 */

/** Stable, documented error codes. */
export type ErrorCode =
  | 'FILE_NOT_FOUND'
  | 'FILE_TOO_LARGE'
  | 'READ_FAILED'
  | 'ENCODING'
  | 'WRITE_FAILED'
  | 'YAML_SYNTAX'
  | 'JSON_SYNTAX'
  | 'DUPLICATE_KEY'
  | 'ALIAS_LIMIT'
  | 'NESTING_TOO_DEEP'
  | 'TOO_MANY_LINE_ITEMS'
  | 'SCHEMA'
  | 'BAD_AMOUNT'
  | 'FORBIDDEN_KEY'
  | 'TIERS_ORDER'
  | 'TIER_NAME_DUPLICATE'
  | 'PERCENT_RANGE'
  | 'UNKNOWN_CLASS'
  | 'ID_MISMATCH'
  | 'EFFECTIVE_WINDOW'
  | 'WINDOW_OVERLAP'
  | 'LOCK_MISMATCH'
  | 'LOCK_MISSING'
  | 'LOCK_STRAY'
  | 'LOCK_INVALID'
  | 'UNKNOWN_SERVICE'
  | 'MEASURE_NOT_GIVEN'
  | 'NO_RULE_SET'
  | 'NO_SNAPSHOT'
  | 'UNKNOWN_RULE_SET'
  | 'RULE_SET_INVALID'
  | 'BAD_DATE'
  | 'CASE_INVALID'
  | 'CASE_FAILED'
  | 'CASE_OUTSIDE'
  | 'RULES_PIN_MISMATCH'
  | 'REVIEW_REJECTED'
  | 'FOLDER_LOCKED'
  | 'JOURNAL_INVALID'
  | 'JOURNAL_CONFLICT'
  | 'LOG_INVALID'
  | 'LOG_MISMATCH'
  | 'WRONG_PERIOD'
  | 'LEDGER_NOT_FOUND'
  | 'LEDGER_UNUSABLE'
  | 'LEDGER_BUSY'
  | 'CURRENCY_CHANGE'
  | 'AMBIGUOUS_RULES'
  | 'ACCOUNT_KEY_CONFLICT'
  | 'INVISIBLE_CHARACTER'
  | 'CONTROL_CHARACTER'
  | 'BAD_HOST_NAME'
  | 'BAD_ACCOUNT_ID'
  | 'ACCOUNT_VARIANT'
  | 'DUPLICATE_IN_RUN'
  | 'CREDIT_ABOVE_CHARGES'
  | 'EXPORT_UNMAPPED'
  | 'EXPORT_REFUSED'
  | 'EXPORT_REPEAT'
  | 'SIGNERS_INVALID'
  | 'SIGNATURE_INVALID'
  | 'APPROVAL_MISSING'
  | 'SIGN_FAILED'
  | 'SIGNERS_REQUIRED'
  | 'ACCOUNT_CLAIMED';

/** Where an error points. All fields optional: a usage error has none. */
export interface ErrorLocation {
  file?: string;
  /** 1-based line */
  line?: number;
  /** 1-based column */
  column?: number;
  /** data path in the document, e.g. `tiers[2].from` */
  path?: string;
  /** account id of the snapshot, when known */
  account?: string;
}

/** A user-facing error: printed without a stack trace. */
export class RcError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly path?: string;
  account?: string;

  constructor(code: ErrorCode, message: string, where: ErrorLocation = {}) {
    super(message);
    this.name = 'RcError';
    this.code = code;
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.path = where.path;
    this.account = where.account;
  }

  /** A copy pointing somewhere else (e.g. shifted by the line of an NDJSON record). */
  at(where: ErrorLocation): RcError {
    return new RcError(this.code, this.message, {
      file: this.file, line: this.line, column: this.column, path: this.path, account: this.account,
      ...where,
    });
  }

  /** The plain-data form used in error records of `evaluate --format json`. */
  toJSON(): ErrorRecordBody {
    const out: ErrorRecordBody = { code: this.code, message: this.message };
    if (this.file !== undefined) out.file = this.file;
    if (this.line !== undefined) out.line = this.line;
    if (this.column !== undefined) out.column = this.column;
    if (this.path !== undefined) out.path = this.path;
    return out;
  }
}

/** JSON body of an error record. */
export interface ErrorRecordBody {
  code: ErrorCode;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  path?: string;
}

/** Several errors of one file, collected and reported together. */
export class RcErrors extends Error {
  readonly errors: RcError[];
  constructor(errors: RcError[]) {
    super(errors.map(formatError).join('\n'));
    this.name = 'RcErrors';
    this.errors = errors;
  }
}

/** The longest data path and message a formatted error shows (a backstop: messages quote input cut already). */
const MAX_PATH_SHOWN = 100;
const MAX_MESSAGE_SHOWN = 500;
const NESTED = '\n    ';

/**
 * `file:line:column: path: message`, leaving out the parts that are unknown.
 * Safe for a terminal (SPEC §5): control characters in the file name, the
 * path and the message are escaped, and an over-long path or message is cut.
 * The one newline kept is the one of a nested list (`\n` + 4 spaces, e.g. the
 * errors a case got), whose items are formatted errors themselves.
 */
export function formatError(e: ErrorLocation & { message: string }): string {
  let head = '';
  if (e.file !== undefined) {
    head = safeText(e.file);
    if (e.line !== undefined) head += `:${e.line}`;
    if (e.line !== undefined && e.column !== undefined) head += `:${e.column}`;
    head += ': ';
  }
  const path = e.path ? `${safeText(cutText(e.path, MAX_PATH_SHOWN))}: ` : '';
  const message = e.message.split(NESTED).map((part) => safeText(cutText(part, MAX_MESSAGE_SHOWN))).join(NESTED);
  return `${head}${path}${message}`;
}

/** Turns anything thrown into a list of user-facing errors; real bugs are rethrown. */
export function asRcErrors(err: unknown): RcError[] {
  if (err instanceof RcErrors) return err.errors;
  if (err instanceof RcError) return [err];
  throw err;
}
