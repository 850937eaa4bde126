/**
 * Every JSON Schema in `schemas/`, read once, and the one Ajv2020 instance the
 * service validates requests with: the project's own options (SPEC §8: all
 * errors, strict, never coercion or defaults), the editor-only parts
 * stripped as for the CLI's validators. Fastify gets the same schema objects
 * through `addSchema`, so a route refers to them by `$id`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { addEditorKeywords, ajvOptions, forValidation } from '../validate/ajv-options.js';

const require = createRequire(import.meta.url);

/** The folder of the shipped schemas (the same from src/ and dist/). */
export const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

/** The `$id` every shipped schema starts with. */
export const SCHEMA_BASE = 'https://reseller-credits.dev/schemas/';

/** A schema file: its short name (`evaluation-result`) and its parsed JSON (editor-only parts stripped). */
export interface SchemaFile { name: string; id: string; schema: Record<string, unknown> }

let files: SchemaFile[] | undefined;

/** Every `*.schema.json` of `schemas/`, in name order; read once per process. */
export function schemaFiles(): readonly SchemaFile[] {
  files ??= readdirSync(SCHEMAS_DIR).filter((n) => n.endsWith('.schema.json')).sort().map((n) => {
    const schema = forValidation(JSON.parse(readFileSync(`${SCHEMAS_DIR}${n}`, 'utf8')) as Record<string, unknown>);
    return { name: n.replace(/\.schema\.json$/, ''), id: String(schema.$id), schema };
  });
  return files;
}

/** The `$id` of a shipped schema, with an optional `$defs` member: `ref('service', 'problem')`. */
export function ref(name: string, def?: string): string {
  return `${SCHEMA_BASE}${name}.schema.json${def ? `#/$defs/${def}` : ''}`;
}

/** An Ajv2020 instance with every shipped schema added (what `setValidatorCompiler` compiles with). */
export interface SchemaAjv {
  compile(schema: object): ValidateFunction;
  getSchema(id: string): ValidateFunction | undefined;
}

/** Makes the service's Ajv2020 instance: project options, `date` format, editor keywords, every schema. */
export function createAjv(): SchemaAjv {
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const formats = require('ajv-formats') as { default?: unknown };
  const addFormats = (formats.default ?? formats) as (ajv: InstanceType<typeof Ajv2020>, names: string[]) => unknown;
  const ajv = new Ajv2020({ ...ajvOptions });
  addFormats(ajv, ['date']);
  addEditorKeywords(ajv);
  // `editorOnly` markers are stripped by forValidation; other schema-level keywords are annotations
  for (const f of schemaFiles()) ajv.addSchema(f.schema);
  return ajv;
}
