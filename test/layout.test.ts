/**
 * The layout's import check (scripts/check-imports.mjs, docs/architecture.md):
 * src/ has no import from a lower floor to a higher one and no import circle,
 * and the checker itself finds both in small trees made to have them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { checkImports, FLOORS } from '../scripts/check-imports.mjs';
import { tempDir } from './support/temp.js';

type Result = { files: number; imports: number; upward: { from: string; to: string }[]; cycles: string[][]; unplaced: string[] };
const check = checkImports as (dir: string, floors?: string[][]) => Result;

function tree(files: Record<string, string>): string {
  const dir = tempDir('layout-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('the import check', () => {
  it('src/ has no upward import, no circle, and every folder on a floor', () => {
    const r = check(join(import.meta.dirname, '..', 'src'));
    expect(r.upward).toEqual([]);
    expect(r.cycles).toEqual([]);
    expect(r.unplaced).toEqual([]);
    expect(r.files).toBeGreaterThan(100);
    expect(r.imports).toBeGreaterThan(400);
  });

  it('finds an import from a lower floor to a higher one, type-only included', () => {
    const dir = tree({
      'text/a.ts': "import type { B } from '../run/b.js';\nexport type A = B;\n",
      'run/b.ts': "export type B = string;\n",
    });
    expect(check(dir, FLOORS as string[][]).upward).toEqual([{ from: 'text/a.ts', to: 'run/b.ts' }]);
  });

  it('finds a circle of files on one floor, and ignores paths named in comments', () => {
    const dir = tree({
      'run/a.ts': "// see '../run/c.js'\nimport { b } from './b.js';\nexport const a = b;\n",
      'run/b.ts': "export { a as b } from './a.js';\n",
      'run/c.ts': "/* import { a } from './a.js'; */\nexport const c = 1;\n",
    });
    const r = check(dir, FLOORS as string[][]);
    expect(r.cycles).toEqual([['run/a.ts', 'run/b.ts']]);
    expect(r.upward).toEqual([]);
  });

  it('names a folder that is on no floor', () => {
    const dir = tree({ 'attic/x.ts': "import { y } from '../run/y.js';\nexport const x = y;\n", 'run/y.ts': 'export const y = 1;\n' });
    expect(check(dir, FLOORS as string[][]).unplaced).toEqual(['attic']);
  });
});
