/**
 * The AJV options, shared by the build step that pre-compiles the schemas and
 * the run-time fallback: all errors, strict mode, never type coercion or
 * defaults (SPEC §8).
 */
export const ajvOptions = Object.freeze({
  allErrors: true,
  strict: true,
  coerceTypes: false,
  useDefaults: false,
  // amounts are "string or number"; an if/then requires approvedOn declared one level up
  allowUnionTypes: true,
  strictRequired: false,
} as const);
