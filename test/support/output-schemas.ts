/** The shipped output schemas (schemas/*.schema.json but the two input ones), compiled with AJV 2020-12 in strict mode. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { ajvOptions } from '../../src/validate/ajv-options.js';

export const SCHEMA_DIR = resolve('schemas');
export const INPUT_SCHEMAS = new Set(['ruleset.schema.json', 'snapshot.schema.json', 'mapping.schema.json']);
export const ID_BASE = 'https://reseller-credits.dev/schemas/';

/** File name → parsed schema, for every output schema. */
export function outputSchemas(): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const f of readdirSync(SCHEMA_DIR).sort()) {
    if (!f.endsWith('.schema.json') || INPUT_SCHEMAS.has(f)) continue;
    out.set(f, JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8')) as Record<string, unknown>);
  }
  return out;
}

/** An AJV (strict, as `validate` uses it) holding every output schema; `validator('whatif')` compiles one. */
export function outputAjv(): { ajv: Ajv2020; validator(name: string, pointer?: string): ValidateFunction } {
  const ajv = new Ajv2020({ ...ajvOptions });
  for (const s of outputSchemas().values()) ajv.addSchema(s);
  return {
    ajv,
    validator(name, pointer = '') {
      const id = `${ID_BASE}${name}.schema.json${pointer ? `#${pointer}` : ''}`;
      const v = ajv.getSchema(id);
      if (!v) throw new Error(`no schema ${id}`);
      return v;
    },
  };
}
