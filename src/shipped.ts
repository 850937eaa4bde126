/**
 * What the package ships beside its code, found from wherever it is installed:
 * the published rule sets (`rules/`) and the JSON Schemas (`schemas/`).
 */
import { fileURLToPath } from 'node:url';

/** The rules folder the package ships (the program's published versions and their lock). */
export const SHIPPED_RULES_DIR = fileURLToPath(new URL('../rules', import.meta.url));
