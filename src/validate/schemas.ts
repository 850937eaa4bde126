/**
 * The two JSON Schemas (shipped in `schemas/`), compiled once with AJV 2020-12:
 * all errors, strict mode, and never type coercion or defaults (SPEC §8).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as
  (ajv: Ajv2020, formats?: string[]) => Ajv2020;

/** Absolute path of a shipped schema. */
export function schemaPath(name: 'ruleset' | 'snapshot'): string {
  return new URL(`../../schemas/${name}.schema.json`, import.meta.url).pathname;
}

let cache: { ruleset: ValidateFunction; snapshot: ValidateFunction } | undefined;

/** Compiled validators, built on first use. */
export function validators(): { ruleset: ValidateFunction; snapshot: ValidateFunction } {
  if (cache) return cache;
  const ajv = new Ajv2020({
    allErrors: true, strict: true, coerceTypes: false, useDefaults: false,
    // amounts are "string or number"; an if/then requires approvedOn declared one level up
    allowUnionTypes: true, strictRequired: false,
  });
  addFormats(ajv, ['date']);
  const load = (name: 'ruleset' | 'snapshot') =>
    ajv.compile(JSON.parse(readFileSync(schemaPath(name), 'utf8')) as object);
  cache = { ruleset: load('ruleset'), snapshot: load('snapshot') };
  return cache;
}
