#!/usr/bin/env node
// `npm pack` / `npm publish` helper: the package ships without the scripts
// that only make sense in a clone. `prepare` builds dist/ on `npm ci` in a
// clone (and for a git install); in the tarball, which already holds dist/
// but not src/, npm 11 would only warn about it ("install scripts not yet
// covered by allowScripts"), and running it would fail.
//   strip    (prepack)  saves package.json aside, writes it without those scripts
//   restore  (postpack) puts the saved package.json back
// A pack that died between the two is repaired by the next `strip`.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = join(root, 'package.json');
const backup = join(root, '.package.json.pack-backup');
const CLONE_ONLY = ['prepare', 'prepack', 'postpack'];

const command = process.argv[2];
if (command === 'strip') {
  if (existsSync(backup)) renameSync(backup, manifest); // an earlier pack did not finish
  const text = readFileSync(manifest, 'utf8');
  writeFileSync(backup, text);
  const pkg = JSON.parse(text);
  for (const s of CLONE_ONLY) delete pkg.scripts?.[s];
  const tmp = `${manifest}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(pkg, null, 2)}\n`);
  renameSync(tmp, manifest);
} else if (command === 'restore') {
  if (existsSync(backup)) renameSync(backup, manifest);
} else {
  process.stderr.write('usage: pack-manifest.mjs strip|restore\n');
  process.exitCode = 2;
}
