/** Reading YAML fixture tables (test/fixtures/…) with the same safe settings as the product. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The parsed YAML fixture at `path` (relative to the project root). */
export function readFixture<T>(path: string): T {
  return parse(readFileSync(path, 'utf8'), { schema: 'core', merge: false }) as T;
}

/** Every `*.yaml` fixture of a folder, by file name, in name order. */
export function readFixtures<T>(dir: string): [string, T][] {
  return readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort().map((n) => [n, readFixture<T>(join(dir, n))]);
}
