#!/usr/bin/env node
// Build step: compiles the two JSON Schemas once, with the same AJV options as
// src/validate/schemas.ts and without the schemas' editor-only parts, into standalone validation code
// (dist/validate/validators.generated.cjs). Loading it takes milliseconds, where
// compiling the schemas at start-up takes ~200 ms in every thread.
// CommonJS output: AJV's standalone ESM output is broken with ajv-formats (SPEC §8).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneModule from 'ajv/dist/standalone/index.js';
import addFormatsModule from 'ajv-formats';

const standaloneCode = standaloneModule.default ?? standaloneModule;
const addFormats = addFormatsModule.default ?? addFormatsModule;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemas = ['ruleset', 'snapshot'].map((name) => {
  const text = readFileSync(join(root, 'schemas', `${name}.schema.json`), 'utf8');
  return { name, text, schema: JSON.parse(text) };
});
const { ajvOptions, addEditorKeywords, forValidation } = await import(pathToFileURL(join(root, 'dist', 'validate', 'ajv-options.js')).href);
const ajv = new Ajv2020({ ...ajvOptions, code: { source: true } });
addFormats(ajv, ['date']);
addEditorKeywords(ajv);
const refs = {};
for (const s of schemas) {
  ajv.addSchema(forValidation(s.schema));
  refs[s.name] = s.schema.$id;
}
const hash = createHash('sha256');
for (const s of schemas) hash.update(s.text);
const out = join(root, 'dist', 'validate', 'validators.generated.cjs');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${standaloneCode(ajv, refs)}\nexports.schemasSha256 = ${JSON.stringify(hash.digest('hex'))};\nexports.precompiled = true;\n`);
