/**
 * Rule set files → validated `RuleSet`s: read with limits, parse with
 * positions, check against the JSON Schema, then the semantic checks; every
 * error of the file is collected.
 */
import { RcError, RcErrors } from '../errors.js';
import { Dec } from '../money/decimal.js';
import type { RuleSet } from '../model/types.js';
import { validators } from '../validate/schemas.js';
import { schemaErrors } from '../validate/schema-errors.js';
import { checkRuleSet, type RuleSetDocument } from '../validate/ruleset-checks.js';
import { contentHash, hashWithStatus } from '../parse/canonical.js';
import { resolveLimits, withLimitName, type LoadLimits } from '../limits.js';
import { tryReadTextFile } from '../read/read-file.js';
import { parseYamlDocuments, type SourceDoc } from '../parse/source-doc.js';

/** Options for reading rule sets. */
export interface RuleSetLoadOptions {
  /** Resource limits; defaults in `DEFAULT_LIMITS`. */
  limits?: Partial<LoadLimits>;
}

/** A rule set file read: the rule set, or every error it has. */
export interface RuleSetReadResult {
  file: string;
  ruleSet?: RuleSet;
  /** The parsed document, when it parsed (even if invalid). */
  doc?: SourceDoc;
  errors: RcError[];
}

/** Reads and validates one rule set file, collecting all its errors. */
export function readRuleSetFile(file: string, options: RuleSetLoadOptions = {}): RuleSetReadResult {
  const limits = resolveLimits(options.limits);
  const read = tryReadTextFile(file, limits.maxRuleFileBytes);
  return 'errors' in read ? { file, errors: withLimitName(read.errors, 'maxRuleFileBytes') } : parseRuleSetText(read.text, file, limits);
}

/** Validates rule set text as if read from `file` (whose name must match the id). */
export function parseRuleSetText(text: string, file: string, limits: LoadLimits = resolveLimits()): RuleSetReadResult {
  const docs = parseYamlDocuments(text, { file, limits });
  if (docs.length !== 1) {
    return { file, errors: [new RcError('YAML_SYNTAX', docs.length ? 'a rule set file holds exactly one YAML document' : 'the file is empty', { file, line: 1, column: 1 })] };
  }
  const parsed = docs[0]!;
  if (!parsed.ok) return { file, errors: parsed.errors };
  const doc = parsed.doc;
  const validate = validators().ruleset;
  if (!validate(doc.value)) return { file, doc, errors: schemaErrors(doc, validate.errors ?? []) };
  const errors = checkRuleSet(doc);
  if (errors.length) return { file, doc, errors };
  const ruleSet = buildRuleSet(doc);
  sourceTexts.set(ruleSet, text);
  return { file, doc, errors: [], ruleSet };
}

// the text each rule set was read from, for a run to pin (`run/rules.ts`); kept off the object itself
const sourceTexts = new WeakMap<RuleSet, string>();

/** The text `rs` was built from (the file as read, or a journal's content), when this process read it. */
export function ruleSetSource(rs: RuleSet): string | undefined {
  return sourceTexts.get(rs);
}

/** Reads one rule set file; throws `RcErrors` listing every problem when it is invalid. */
export function loadRuleSet(file: string, options: RuleSetLoadOptions = {}): RuleSet {
  const r = readRuleSetFile(file, options);
  if (!r.ruleSet) throw new RcErrors(r.errors);
  return r.ruleSet;
}

function buildRuleSet(doc: SourceDoc): RuleSet {
  const d = doc.value as RuleSetDocument;
  const services = new Map<string, { name: string; commissionable: number }>();
  for (const [id, s] of Object.entries(d.services)) services.set(id, { name: s.name, commissionable: s.commissionable });
  return {
    id: d.id,
    title: d.title,
    description: d.description,
    status: d.status,
    effective: { ...d.effective },
    currency: d.currency,
    rounding: { ...d.rounding },
    eligibility: { ...d.eligibility },
    tierBasis: d.tierBasis.map((t) => ({ ...t })),
    creditBase: d.creditBase.map((t) => ({ ...t })),
    ...(d.allowCreditAboveCharges !== undefined ? { allowCreditAboveCharges: d.allowCreditAboveCharges } : {}),
    tiers: d.tiers.map((t) => ({ name: t.name, from: new Dec(t.from), creditPercent: new Dec(t.creditPercent) })),
    commissionClasses: d.commissionClasses.map((c) => ({ ...c })),
    services,
    file: doc.file,
    sha256: versionHash(d),
    document: doc.value,
  };
}

/**
 * The version's identity hash. For a retired version it is the hash it had
 * when published, so retiring a version keeps its lock entry and the cases
 * pinned to it.
 */
export function versionHash(document: RuleSetDocument): string {
  return document.status === 'retired' ? hashWithStatus(document, 'published') : contentHash(document);
}
