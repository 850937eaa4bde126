#!/usr/bin/env node
// The layout's import check (docs/architecture.md): every file of src/ sits on
// a floor (its folder, or a top-level file), floors are read bottom to top, and
// a file may import only from its own floor or one below. It also fails on any
// import circle between files. Type-only imports count like any other: a type
// that a lower floor needs belongs on that floor (model/ holds the shared ones).
//
//   node scripts/check-imports.mjs            figures and every finding; exit 1 on any
//   node scripts/check-imports.mjs --json     the same as JSON
//
// `test/layout.test.ts` runs it on src/ (npm test) and on small trees of its own
// that must fail, so the check itself is tested.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The floors, bottom first. A name is a folder of src/ or a top-level file
 * (without `.ts`); names on one line share a floor and may import each other
 * (without forming a circle).
 */
export const FLOORS = [
  ['text', 'shipped'],
  ['errors'],
  ['money'],
  ['model', 'limits'],
  ['read'],
  ['parse'],
  ['signing'],
  ['validate'],
  ['folder'],
  ['compose'],
  ['compile'],
  ['evaluate'],
  ['report'],
  ['run'],
  ['whatif'],
  ['diff', 'cases'],
  ['review'],
  ['publish'],
  ['ledger'],
  ['exports', 'statements'],
  ['cli', 'index', 'server'],
];

/** Every .ts file under `dir`, as paths relative to it with `/`. */
function sources(dir, base = dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p, base));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(relative(base, p).split(sep).join('/'));
  }
  return out;
}

// static imports and re-exports (`import … from`, `import '…'`, `export … from`), type-only included;
// comments are blanked first so a path in a doc comment is not an import
const SPEC = /(?:^|[;\n])\s*(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]/g;
const stripComments = (s) => s.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`])\/\/[^\n]*/g, '$1');

/** The floor of a file (`run/pool.ts` → `run`, `errors.ts` → `errors`). */
export const roomOf = (file) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file.replace(/\.ts$/, ''));

/**
 * Checks the tree under `srcDir`: `{ files, imports, upward: [{from, to}],
 * cycles: [[file, …]], unplaced: [room] }`.
 */
export function checkImports(srcDir, floors = FLOORS) {
  const level = new Map();
  floors.forEach((names, i) => { for (const n of names) level.set(n, i); });
  const files = sources(srcDir);
  const known = new Set(files);
  const graph = new Map(files.map((f) => [f, []]));
  let imports = 0;
  for (const f of files) {
    const text = stripComments(readFileSync(join(srcDir, f), 'utf8'));
    for (const m of text.matchAll(SPEC)) {
      const target = normalize(join(dirname(f), m[1])).split(sep).join('/').replace(/\.js$/, '.ts');
      if (!known.has(target)) continue;
      imports++;
      graph.get(f).push(target);
    }
  }
  const upward = [];
  const unplaced = new Set();
  for (const [from, tos] of graph) {
    for (const to of tos) {
      const a = level.get(roomOf(from));
      const b = level.get(roomOf(to));
      if (a === undefined) unplaced.add(roomOf(from));
      if (b === undefined) unplaced.add(roomOf(to));
      if (a !== undefined && b !== undefined && b > a) upward.push({ from, to });
    }
  }
  return { files: files.length, imports, upward, cycles: cyclesOf(graph), unplaced: [...unplaced].sort() };
}

/** The strongly connected components of more than one file (or a file importing itself): Tarjan's. */
function cyclesOf(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of graph.get(v)) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do { w = stack.pop(); on.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1 || graph.get(v).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
  const r = checkImports(join(root, 'src'));
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, null, 2));
  else {
    for (const u of r.upward) console.log(`upward import: src/${u.from} -> src/${u.to}`);
    for (const c of r.cycles) console.log(`import circle: ${c.map((f) => `src/${f}`).join(', ')}`);
    for (const n of r.unplaced) console.log(`not on a floor: src/${n} (add it to FLOORS in scripts/check-imports.mjs)`);
    console.log(`${r.files} files, ${r.imports} imports: ${r.upward.length} upward, ${r.cycles.length} circle(s), ${r.unplaced.length} unplaced`);
  }
  process.exitCode = r.upward.length || r.cycles.length || r.unplaced.length ? 1 : 0;
}
