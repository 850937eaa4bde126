/**
 * The two JSON Schemas (shipped in `schemas/`) as validation functions. The
 * build pre-compiles them (`scripts/build-validators.mjs`); when that output
 * is missing or was made from other schema text, they are compiled here with
 * AJV 2020-12 and the same options. AJV compiles them without their
 * editor-only parts (`forValidation`).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { addEditorKeywords, ajvOptions, forValidation } from './ajv-options.js';

const require = createRequire(import.meta.url);
type Name = 'ruleset' | 'snapshot';
type Validators = Record<Name, ValidateFunction>;

/** Absolute path of a shipped schema (`fileURLToPath`: a URL's `pathname` keeps `%20` for a space). */
export function schemaPath(name: Name): string {
  return fileURLToPath(new URL(`../../schemas/${name}.schema.json`, import.meta.url));
}

/** Where the build puts the pre-compiled validators (the same from src/ and dist/). */
export const GENERATED_VALIDATORS = fileURLToPath(new URL('../../dist/validate/validators.generated.cjs', import.meta.url));

/**
 * Where the validators in use came from: `pre-compiled` (the build's module,
 * made from the same schema text), or `compiled` at run time because that
 * module is missing (`missing`) or was made from other schema text (`stale`:
 * it is then not used at all, so a schema edit without a rebuild never
 * validates with the old schemas).
 */
export interface LoadedValidators {
  validators: Validators;
  origin: 'pre-compiled' | 'compiled';
  reason?: 'missing' | 'stale';
}

/** The shape of the build's module (scripts/build-validators.mjs). */
interface GeneratedModule extends Validators { schemasSha256: string; precompiled: true }

let cache: LoadedValidators | undefined;

/** The validators, loaded (or compiled) on first use. */
export function validators(): Validators {
  return loadedValidators().validators;
}

/** The validators with where they came from, loaded (or compiled) on first use. */
export function loadedValidators(): LoadedValidators {
  if (cache) return cache;
  const texts = (['ruleset', 'snapshot'] as const).map((n) => readFileSync(schemaPath(n), 'utf8'));
  cache = loadValidators(GENERATED_VALIDATORS, texts[0]!, texts[1]!);
  return cache;
}

/**
 * The validators of the module at `generated` when it was built from exactly
 * these schema texts (same SHA-256); otherwise the texts compiled at run time.
 */
export function loadValidators(generated: string, ruleset: string, snapshot: string): LoadedValidators {
  const sha = createHash('sha256').update(ruleset).update(snapshot).digest('hex');
  if (!existsSync(generated)) return { validators: compileValidators(ruleset, snapshot), origin: 'compiled', reason: 'missing' };
  const pre = require(generated) as GeneratedModule;
  if (pre.precompiled !== true || pre.schemasSha256 !== sha) {
    return { validators: compileValidators(ruleset, snapshot), origin: 'compiled', reason: 'stale' };
  }
  return { validators: { ruleset: pre.ruleset, snapshot: pre.snapshot }, origin: 'pre-compiled' };
}

/** Compiles the schema texts at run time (the fallback when the build output is missing or stale). */
export function compileValidators(ruleset: string, snapshot: string): Validators {
  // loaded only here: AJV itself takes ~75 ms to import
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const formats = require('ajv-formats') as { default?: unknown };
  const addFormats = (formats.default ?? formats) as (ajv: InstanceType<typeof Ajv2020>, names: string[]) => unknown;
  const ajv = new Ajv2020({ ...ajvOptions });
  addFormats(ajv, ['date']);
  addEditorKeywords(ajv);
  const compile = (text: string) => ajv.compile(forValidation(JSON.parse(text) as object));
  return { ruleset: compile(ruleset), snapshot: compile(snapshot) };
}
