/**
 * The AJV options, shared by the build step that pre-compiles the schemas and
 * the run-time fallback: all errors, strict mode, never type coercion or
 * defaults (SPEC §8). Also what the two share about the editor's part of the
 * schemas (docs/rules.md, "Your editor checks the file as you type").
 */
import type { KeywordDefinition } from 'ajv';

export const ajvOptions = Object.freeze({
  allErrors: true,
  strict: true,
  coerceTypes: false,
  useDefaults: false,
  // amounts are "string or number"; an if/then requires approvedOn declared one level up
  allowUnionTypes: true,
  strictRequired: false,
} as const);

/**
 * Keywords only editors read (yaml-language-server, VS Code): hover text and
 * the messages of a failed check. To AJV they are annotations: strict mode
 * would otherwise reject them as unknown.
 */
export const EDITOR_KEYWORDS = Object.freeze(['markdownDescription', 'errorMessage', 'patternErrorMessage'] as const);

/** Registers `EDITOR_KEYWORDS` with an AJV instance (no validation, no generated code). */
export function addEditorKeywords(ajv: { addKeyword(def: KeywordDefinition): unknown }): void {
  for (const keyword of EDITOR_KEYWORDS) ajv.addKeyword({ keyword, schemaType: 'string' });
}

/**
 * The schema AJV compiles: `schema` without the `allOf` entries marked
 * `editorOnly`. Those repeat, for the editor, checks that `validate` makes
 * after the schema with their own codes and all at once (a first tier not at
 * "0" is TIERS_ORDER, a percentage above 100 PERCENT_RANGE): compiled by AJV
 * they would stop the semantic checks and change the errors. The marker's
 * value says which check covers it. The input is not changed.
 */
export function forValidation<T>(schema: T): T {
  return strip(schema) as T;
}

function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'allOf' && Array.isArray(value)) {
      const kept = value.filter((s) => !(s && typeof s === 'object' && 'editorOnly' in s));
      if (kept.length) out[key] = kept.map(strip);
      continue;
    }
    out[key] = strip(value);
  }
  return out;
}
