/**
 * The HTML review opened in a real browser: headless Chromium (Debian's
 * package) driven by playwright-core. No console error, no network request
 * besides the file itself, the three charts drawn with a real size; and a
 * screenshot for the docs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from './support/versions-cli.js';
import { tempDir } from './support/temp.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`review-browser.test.ts: SKIPPED — ${CHROMIUM} is absent (CI installs it: .ci/run, apt-get install chromium)`);

describe.skipIf(!hasChromium)('the HTML review in headless Chromium', () => {
  it('opens offline with no console error and no request, and shows the three charts', async () => {
    const { chromium } = await import('playwright-core');
    const dir = tempDir('rc-review-html-');
    const file = join(dir, 'review.html');
    const run = cli(['review', 'rules/2027-01.yaml', '--format', 'html', '--out', file, 'examples/portfolio.ndjson']);
    expect(run.stderr).toContain('review passed');
    expect(run.status).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<script|<link|@import|url\((?!#)|src=/i);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      const url = pathToFileURL(resolve(file)).href;
      await page.route('**/*', async (route) => {
        requests.push(route.request().url());
        if (route.request().url() === url) await route.continue();
        else await route.abort();
      });
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
      await page.goto(url, { waitUntil: 'load' });
      expect(requests).toEqual([url]);
      expect(problems).toEqual([]);
      const charts = await page.$$eval('figure.chart', (figs) => figs.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return { chart: f.getAttribute('data-chart'), width: box?.width ?? 0, height: box?.height ?? 0, marks: svg?.querySelectorAll('path, rect, text').length ?? 0 };
      }));
      expect(charts.map((c) => c.chart)).toEqual(['migration', 'deltas', 'by-tier']);
      for (const c of charts) {
        expect(c.width, c.chart!).toBeGreaterThan(100);
        expect(c.height, c.chart!).toBeGreaterThan(100);
        expect(c.marks, c.chart!).toBeGreaterThan(5);
      }
      // numbers right-aligned with thousands separators
      const cell = await page.$$eval('td.r', (tds) => tds.map((td) => [td.textContent, getComputedStyle(td).textAlign]));
      expect(cell.some(([t, a]) => t === '$5,000' && a === 'right')).toBe(true);
      // docs/review-report.png is refreshed on demand (UPDATE_SCREENSHOT=1), so a test run leaves the tree clean
      const shot = process.env.UPDATE_SCREENSHOT ? 'docs/review-report.png' : join(dir, 'review-report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
      await page.emulateMedia({ media: 'print' });
      const pdf = await page.pdf({ format: 'A4' });
      expect(pdf.length).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
