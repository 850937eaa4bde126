/**
 * Issue 7 item 16: what an editor with yaml-language-server (VS Code's YAML
 * extension) says about broken rule files, driven over stdio LSP. Each broken
 * file under test/fixtures/editor/ has one kind of mistake; the diagnostics
 * (line, column, message) are what the analyst sees underlined.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseRuleSetText } from '../src/compose/ruleset-loader.js';
import { startYamlLanguageServer, type Diagnostic, type YamlLanguageServer } from './support/yaml-ls.js';

const dir = 'test/fixtures/editor';
let ls: YamlLanguageServer;
beforeAll(async () => { ls = await startYamlLanguageServer(); });
afterAll(async () => { await ls?.stop(); });

const brief = (ds: Diagnostic[]) => ds.map((d) => `${d.line}:${d.column} ${d.message}`);

describe('editor diagnostics (yaml-language-server 1.25, schema store off)', () => {
  it.each([[`${dir}/valid.yaml`], ['rules/2026-01.yaml'], ['rules/2027-01.yaml'], ['examples/seed-px2.yaml'], ['examples/managed-affiliate.yaml']])(
    'a valid file gets no diagnostic: %s', async (file) => {
      expect(await ls.diagnostics(file)).toEqual([]);
    });

  it('a bare number in a money field: write it in quotes', async () => {
    expect(brief(await ls.diagnostics(`${dir}/money-bare-number.yaml`))).toEqual([
      '21:28 Money and percentages are text in quotes: write it in quotes: "400", not 400 (a bare number is read as a binary floating-point number, which cannot hold most cents exactly).',
    ]);
  });

  it('a credit percentage above 100', async () => {
    expect(brief(await ls.diagnostics(`${dir}/credit-percent-150.yaml`))).toEqual([
      '22:51 A credit percentage is from "0" to "100" (decimals allowed, e.g. "12.5").',
    ]);
  });

  it('a first tier that does not start at "0"', async () => {
    expect(brief(await ls.diagnostics(`${dir}/first-tier-not-zero.yaml`))).toEqual([
      '19:25 The first tier must start at "0" (a tier basis below every other tier gets this one).',
    ]);
  });

  it('an unknown (misspelled) field', async () => {
    expect(brief(await ls.diagnostics(`${dir}/unknown-field.yaml`))).toEqual(['9:1 Property curency is not allowed.']);
  });

  it('values of the wrong form are explained in words, never as a regular expression', async () => {
    const ds = await ls.diagnostics(`${dir}/bad-patterns.yaml`);
    expect(brief(ds)).toEqual([
      '7:20 A date written YYYY-MM-DD, e.g. 2026-01-01 (a real calendar date; write months and days with two digits).',
      '8:11 A currency code of 3 capital letters, e.g. USD.',
      '20:28 A decimal amount in quotes, e.g. "5000" or "12.50": digits, an optional "." and at most 6 decimals; no ",", "$", sign or exponent.',
      '28:3 A service id: lower-case letters, digits and "-", starting with a letter (e.g. px2-dedicated-server).',
    ]);
    for (const d of ds) expect(d.message).not.toMatch(/pattern|\^|\]\{|\$$/);
  });

  it('a commissionable percentage above 100: out of range', async () => {
    expect(brief(await ls.diagnostics(`${dir}/commissionable-150.yaml`))).toEqual(['30:45 Value is above the maximum of 100.']);
  });

  it('commissionable 60 with no class 60: the editor cannot know (classes are data), the hover says so, validate reports it', async () => {
    const file = `${dir}/commissionable-60.yaml`;
    expect(await ls.diagnostics(file)).toEqual([]);
    const hover = await ls.hover(file, 30, 30);
    expect(hover).toContain('must be one of the `percent` values listed under `commissionClasses` in this file');
    expect(hover).toContain('The editor checks only that it is a whole number from 0 to 100');
    const r = parseRuleSetText(readFileSync(file, 'utf8'), 'valid.yaml');
    expect(r.errors.map((e) => `${e.line}:${e.column} ${e.code} ${e.message}`)).toEqual([
      '30:45 UNKNOWN_CLASS 60% is not one of the commissionClasses (100, 75, 0)',
    ]);
  });

  it('hovering a money field explains the quotes', async () => {
    const hover = await ls.hover(`${dir}/valid.yaml`, 20, 24);
    expect(hover).toContain('write it in quotes');
  });

  it('the snapshot schema: month and date explained in words', async () => {
    expect(brief(await ls.diagnostics(`${dir}/snapshot-bad-period.yaml`))).toEqual([
      '5:9 A billing month written YYYY-MM, e.g. 2026-11.',
      '6:41 A date written YYYY-MM-DD, e.g. 2026-03-15 (a real calendar date; write months and days with two digits).',
    ]);
  });
});
