/**
 * What every route of one server shares: the rules folder (read once per
 * change), the ledger file, the CLI's record limits, the worker pool, and
 * the service's own limits. Made once by `buildServer`, closed by its
 * `onClose` hook.
 */
import type { LoadLimits } from '../limits.js';
import type { TaskRunner } from '../run/pool.js';
import type { RuleChoice } from '../run/record.js';
import type { RuleRepository } from '../compose/rules-dir.js';
import { resolveRuleSet } from '../compose/resolve-rule-set.js';
import { RulesCache } from './rules-cache.js';
import type { BodyLimits } from './body.js';
import type { TokenTable } from './tokens.js';

/** The service's options (each has a default in `serve`). */
export interface ServiceOptions {
  /** The rules folder (default `rules`). */
  rulesDir: string;
  /** The ledger file (default `ledger.sqlite`). */
  ledger: string;
  /** Callers and roles; without it every request is allowed (loopback only). */
  tokens?: TokenTable;
  /** JSON and YAML bodies: bytes and time to receive them. */
  body: BodyLimits;
  /** Most requests doing work at once; 503 with Retry-After beyond. Default 64. */
  maxConcurrent: number;
  /** The CLI's record limits (NDJSON bodies are limited per record). */
  limits: LoadLimits;
  /** Worker threads of the pool NDJSON bodies are evaluated on (1: on the main thread). */
  jobs: number;
  /** Largest issue body, in bytes (it is spooled to a temporary file). Default 1 GiB (`ISSUE_BODY_BYTES`). */
  issueBodyBytes?: number;
  /** Seconds between readiness checks of the rules folder and the ledger. Default 2. */
  readyEverySeconds: number;
  /**
   * Another evaluator in place of the engine, for `bench:service` only (the
   * same server answering with the hand-written baseline): text of a
   * snapshot → bytes of the answer.
   */
  evaluator?: (text: string) => string;
  /** The mapping file of vendor exports (`--export-mapping`), read at each export; without it vendor exports answer 503. */
  exportMapping?: string;
  /** The branding file of statements (`--branding`), read at each statement. */
  branding?: string;
  /** Signs every issue run (`--sign-key`, SPEC §11): the key and the principal it signs as, the run's operator. */
  sign?: { key: string; principal: string };
}

/** What the routes share at run time. */
export interface ServiceContext {
  options: ServiceOptions;
  rules: RulesCache;
  /** Runs small bodies on this thread. */
  inline: TaskRunner;
  /** The pool for NDJSON bodies. */
  pool: TaskRunner;
  /** Requests doing work now. */
  busy: number;
}

/**
 * The rule choice of a request from the folder as it is now (`repo`, from
 * `RulesCache`: read again only when it changed), a fixed version when `ref`
 * names one. The run
 * engine pins it for the request's run (run/rules.ts). Throws
 * `NoRuleSetError` for a `ref` that names no usable rule set.
 */
export function ruleChoice(repo: RuleRepository, ref?: string): RuleChoice {
  return ref !== undefined ? { kind: 'fixed', ruleSet: resolveRuleSet(repo, ref) } : { kind: 'by-period', repo };
}
