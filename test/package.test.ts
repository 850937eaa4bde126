/**
 * Issue 7 item 18: `npm pack` makes a clean package, and the package works
 * unpacked into a folder whose path has a space, with the project's
 * node_modules linked beside it (a registry install would cost minutes).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/temp.js';
import { linkNodeModules, runBin, useLibrary } from './support/installed.js';

const tmp = tempDir();
const seed = resolve('examples/seed-px2.yaml');

// A copy of the project's sources, so that the pack's build (prepack) never rewrites the dist/ that other
// test files are running, and the manifest it edits for the tarball is the copy's.
const project = join(tmp, 'project');
mkdirSync(project);
for (const part of ['bin', 'docs', 'rules', 'schemas', 'scripts', 'src', 'LICENSE', 'README.md', 'package.json', 'tsconfig.json']) {
  cpSync(part, join(project, part), { recursive: true });
}
linkNodeModules(project);
const manifestBefore = readFileSync(join(project, 'package.json'), 'utf8');

// `npm pack` as a release does it: with its scripts (prepack builds and cleans the manifest, postpack restores it)
const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', tmp], {
  cwd: project, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' },
});
const packed = pack.status === 0 ? (JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[])[0]! : undefined;
const files = packed?.files.map((f) => f.path) ?? [];
const unpacked = join(tmp, 'unpacked here', 'a b');
mkdirSync(unpacked, { recursive: true });
if (packed) spawnSync('tar', ['-xzf', join(tmp, packed.filename), '-C', unpacked], { encoding: 'utf8' });
const pkgDir = join(unpacked, 'package');

describe('npm pack (issue 7 item 18)', () => {
  it('packs, building dist/ first', () => {
    expect(pack.stderr).not.toMatch(/npm (ERR|error)/);
    expect(pack.status).toBe(0);
    expect(packed?.filename).toBe('reseller-credits-0.1.0.tgz');
  });

  it('ships no source maps, sources, tests or build scripts, and a LICENSE', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => /^(src|test|scripts|bench|examples|\.ci)\//.test(f))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining([
      'LICENSE', 'README.md', 'package.json', 'bin/reseller-credits.js', 'dist/index.js', 'dist/index.d.ts',
      'dist/validate/validators.generated.cjs', 'dist/run/worker.js', 'schemas/ruleset.schema.json',
      'schemas/snapshot.schema.json', 'rules/2026-01.yaml', 'rules/rules.lock', 'docs/rules.md',
    ]));
    expect(files.filter((f) => f.startsWith('dist/') && f.endsWith('.js')).length).toBeGreaterThan(30);
    // the README's screenshot (600 kB) stays in the repository, not in the tarball
    expect(files.filter((f) => /\.(png|jpe?g|gif|svg)$/.test(f))).toEqual([]);
  });

  it('ships every output schema (docs/output-schemas.md) next to the input schemas', () => {
    const outputSchemas = readdirSync('schemas').filter((f) => f.endsWith('.schema.json'));
    expect(outputSchemas.length).toBeGreaterThanOrEqual(14);
    expect(files.filter((f) => f.startsWith('schemas/')).sort()).toEqual(outputSchemas.map((f) => `schemas/${f}`).sort());
  });

  it('the LICENSE is MIT, 2026, reseller-credits contributors, as package.json says', () => {
    const text = readFileSync(join(pkgDir, 'LICENSE'), 'utf8');
    expect(text).toMatch(/^MIT License\n\nCopyright \(c\) 2026 reseller-credits contributors\n/);
    expect(text).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
    expect(JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).license).toBe('MIT');
  });

  it('the shipped manifest has no install-time scripts and exports ./package.json; the project manifest is unchanged', () => {
    const m = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { scripts?: Record<string, string>; exports: Record<string, unknown> };
    for (const s of ['prepare', 'prepack', 'postpack', 'preinstall', 'install', 'postinstall']) expect(m.scripts?.[s], s).toBeUndefined();
    expect(m.exports['./package.json']).toBe('./package.json');
    expect(readFileSync(join(project, 'package.json'), 'utf8')).toBe(manifestBefore);
    expect(readdirSync(project).filter((f) => f.includes('pack-backup'))).toEqual([]);
  });

  it('the unpacked package, under a path with spaces: the library evaluates the seed example', () => {
    linkNodeModules(pkgDir);
    const r = useLibrary(pkgDir, seed);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { credit: string; schema: string };
    expect(out.credit).toBe('25.00');
    expect(out.schema).toBe(join(pkgDir, 'schemas', 'ruleset.schema.json'));
  });

  it('the unpacked package: the bin evaluates the seed example with the shipped rules', () => {
    const r = runBin(pkgDir, ['evaluate', seed]);
    expect(r.stderr).not.toContain('    at ');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Tier basis = own payments $300.00 + managed payments $0.00 + affiliate value $0.00 = $300.00 → tier-10 (from $50, 10%)');
    expect(r.stdout).toContain('Credit = 10% × $250.00 = $25.00');
    expect(r.stdout).toContain('Statement: charges $300.00 − credit $25.00 = amount due $275.00');
    expect(r.stderr).toContain('1 record(s): 1 evaluated, 0 error(s)');
  });

  it('a consumer resolves the package by name: its main export and ./package.json', () => {
    const consumer = join(unpacked, 'consumer app');
    mkdirSync(join(consumer, 'node_modules'), { recursive: true });
    symlinkSync(pkgDir, join(consumer, 'node_modules', 'reseller-credits'), 'dir');
    const script = `
      import { createRequire } from 'node:module';
      const lib = await import('reseller-credits');
      const pkg = createRequire(import.meta.url)('reseller-credits/package.json');
      process.stdout.write(JSON.stringify({ version: pkg.version, hasEvaluate: typeof lib.evaluate, money: lib.formatMoney(lib.roundMoney(new lib.Dec('10.025'), 2, 'half-even'), 2) }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ version: '0.1.0', hasEvaluate: 'function', money: '10.02' });
  });

  it("the README's library snippet, as it is written there, runs in a consumer of the package and prints the worked example's figures", () => {
    const readme = readFileSync(join(project, 'README.md'), 'utf8');
    const snippet = /## Library\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toContain("from 'reseller-credits'");
    const consumer = join(unpacked, 'readme consumer');
    mkdirSync(join(consumer, 'node_modules'), { recursive: true });
    symlinkSync(pkgDir, join(consumer, 'node_modules', 'reseller-credits'), 'dir');
    writeFileSync(join(consumer, 'snippet.mjs'), snippet!);
    const r = spawnSync(process.execPath, ['snippet.mjs'], { cwd: consumer, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('25.00 275.00\n');
  });

  it('the installed library: a plain snapshot with a mistake throws RcErrors naming the field, not a TypeError', () => {
    const consumer = join(unpacked, 'readme consumer');
    const script = `
      import { SHIPPED_RULES_DIR, loadRules, selectForPeriod, evaluate } from 'reseller-credits';
      const rules = selectForPeriod(loadRules(SHIPPED_RULES_DIR), '2026-11');
      try {
        await evaluate({ schemaVersion: 1, account: 'R-1', period: '2026-11', lineItems: [{ service: 'px2-dedicated-server', quantity: 1, unitPrice: '2OO' }] }, rules);
      } catch (e) { process.stdout.write(JSON.stringify({ name: e.name, errors: e.errors.map((x) => [x.code, x.path]) })); }`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { name: string; errors: [string, string][] };
    expect(out.name).toBe('RcErrors');
    expect(out.errors).toContainEqual(['BAD_AMOUNT', 'lineItems[0].unitPrice']);
  });
});

describe('scripts/pack-manifest.mjs', () => {
  it('strips the clone-only scripts, and a pack that died before postpack loses nothing', () => {
    const d = join(tmp, 'manifest');
    mkdirSync(join(d, 'scripts'), { recursive: true });
    cpSync('scripts/pack-manifest.mjs', join(d, 'scripts', 'pack-manifest.mjs'));
    const original = `${JSON.stringify({ name: 'x', version: '1.0.0', scripts: { build: 'tsc', prepare: 'npm run build', prepack: 'p', postpack: 'q', test: 't' } }, null, 2)}\n`;
    writeFileSync(join(d, 'package.json'), original);
    const run = (cmd: string) => spawnSync(process.execPath, [join(d, 'scripts', 'pack-manifest.mjs'), cmd], { encoding: 'utf8' });
    const scripts = () => (JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(run('strip').status).toBe(0);
    expect(scripts()).toEqual({ build: 'tsc', test: 't' });
    expect(run('strip').status).toBe(0); // the first pack died before postpack: the saved manifest is still the original
    expect(scripts()).toEqual({ build: 'tsc', test: 't' });
    expect(run('restore').status).toBe(0);
    expect(readFileSync(join(d, 'package.json'), 'utf8')).toBe(original);
    expect(readdirSync(d).sort()).toEqual(['package.json', 'scripts']);
    expect(run('restore').status).toBe(0); // nothing to restore: nothing changes
    expect(readFileSync(join(d, 'package.json'), 'utf8')).toBe(original);
    expect(run('other').status).toBe(2);
  });
});
