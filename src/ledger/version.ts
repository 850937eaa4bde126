/** The program version recorded in every entry. */
import { createRequire } from 'node:module';

let cached: string | undefined;

/** `reseller-credits@<version>` from package.json. */
export function programVersion(): string {
  cached ??= `reseller-credits@${(createRequire(import.meta.url)('../../package.json') as { version: string }).version}`;
  return cached;
}
