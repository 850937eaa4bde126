/**
 * Markdown output cannot be turned against its reader (issue 19): the
 * payloads of test/fixtures/markdown/payloads.yaml, rendered by a real GFM
 * renderer (micromark with its GFM extension, as a pull-request comment is),
 * show as the same text and make no link, image, HTML or other markup — in a
 * paragraph, a list item, a heading and a table cell, and end to end in
 * `review --format markdown` as account and service names.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { markdownText } from '../src/text/markdown.js';
import { safeText } from '../src/text/safe-text.js';
import { runCli as cli } from './support/run-cli.js';
import { tempDir } from './support/temp.js';

const PAYLOADS = parse(readFileSync('test/fixtures/markdown/payloads.yaml', 'utf8')) as string[];
const html = (md: string) => micromark(md, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
/** The only element inside `wrapper`, and its text. */
function only(htmlText: string, open: RegExp, close: string): string {
  const m = open.exec(htmlText);
  expect(m, htmlText).not.toBeNull();
  const inner = htmlText.slice(m!.index + m![0].length, htmlText.lastIndexOf(close));
  expect(inner, `markup inside: ${inner}`).not.toMatch(/<[a-z/]/i);
  return decode(inner);
}

describe('markdownText', () => {
  it.each(PAYLOADS.map((p) => [JSON.stringify(p), p]))('%s shows as itself and makes no markup', (_, p) => {
    const md = markdownText(p);
    const shown = safeText(p);
    expect(only(html(`${md}\n`), /^<p>/, '</p>')).toBe(shown);
    expect(only(html(`- ${md}\n`), /^<ul>\n<li>/, '</li>')).toBe(shown);
    expect(only(html(`## ${md}\n`), /^<h2>/, '</h2>')).toBe(shown);
    const table = html(`| a | b |\n| :--- | :--- |\n| ${md} | x |\n`);
    expect(only(table.slice(table.indexOf('<tbody>')), /<td[^>]*>/, '</td>\n<td')).toBe(shown);
    expect(table.match(/<td/g)).toHaveLength(2);
  });

  it('leaves ordinary text readable: amounts, dates and sentences keep their punctuation', () => {
    expect(markdownText('tier-15 (15%): $1,234.50 → -$3.00 on 2026-11-01.')).toBe('tier-15 (15%): $1,234.50 → -$3.00 on 2026-11-01.');
    expect(markdownText('-$3.00')).toBe('\\-$3.00');
  });
});

describe('review --format markdown', () => {
  it('account and service names from input come out as text, never as links or images', async () => {
    const dir = tempDir('rc-md-');
    const lines = readFileSync('examples/portfolio.ndjson', 'utf8').trim().split('\n');
    // the largest movers of the example portfolio are P-009, P-010 and P-012: they get the link and image payloads
    const accounts = PAYLOADS.filter((p) => !p.includes('\n')).slice(2, 2 + lines.length);
    accounts.splice(8, 0, PAYLOADS[1]!);
    accounts.splice(9, 0, PAYLOADS[0]!);
    accounts.splice(11, 0, PAYLOADS[6]!);
    const portfolio = join(dir, 'portfolio.ndjson');
    writeFileSync(portfolio, `${lines.map((l, i) => JSON.stringify({ ...JSON.parse(l), account: accounts[i] })).join('\n')}\n`);
    const candidate = join(dir, '2027-01.yaml');
    const text = readFileSync('rules/2027-01.yaml', 'utf8');
    const renamed = text.replace(/(training: +\{ name: )"[^"]*"/, '$1"![tracker](https://evil.example/t.png)"');
    expect(renamed).not.toBe(text);
    writeFileSync(candidate, renamed);
    const r = await cli(['review', candidate, '--baseline', '2026-01', '--format', 'markdown', portfolio]);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    const out = html(r.stdout);
    expect(out).not.toMatch(/<a |<img|<script|<b>|<em>|<del>|<blockquote>/);
    // the review's own bold lines (the verdict, the region) may quote input, as text only
    for (const m of out.matchAll(/<strong>(.*?)<\/strong>/gs)) expect(m[1]).not.toMatch(/<[a-z]/i);
    const visible = decode(out.replace(/<[^>]+>/g, ''));
    expect(visible).toContain('![tracker](https://evil.example/t.png)');
    expect(visible).toContain('[Click to approve](https://evil.example/phish)');
    expect(visible).toContain('www.evil.example');
  });
});
