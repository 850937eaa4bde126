/**
 * The review as one self-contained HTML page: inline CSS, charts as inline
 * SVG drawn when the report is written (review-charts.ts), no script, no
 * external resource of any kind, so it opens offline and prints as it shows.
 */
import type { ReviewReport } from '../review.js';
import { reviewBlocks } from './blocks.js';
import { renderCharts } from './charts.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2126; margin: 2rem auto; max-width: 72rem; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin-bottom: .3rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #d7dde3; padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d7dde3; padding: .3rem .55rem; vertical-align: top; text-align: left; }
th { background: #f2f5f8; font-weight: 600; }
td.r, th.r { text-align: right; white-space: nowrap; }
td.mono { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 12px; word-break: break-all; }
p.strong { font-weight: 600; }
.pass { color: #16643a; } .fail { color: #a3141b; }
p.verdict { font-size: 1.1rem; padding: .5rem .8rem; border-radius: 4px; }
p.verdict.pass { background: #e4f4ea; } p.verdict.fail { background: #fbe5e6; }
td.passed { color: #16643a; font-weight: 600; } td.FAILED { color: #a3141b; font-weight: 700; }
pre { background: #f6f8fa; border: 1px solid #d7dde3; padding: .6rem; overflow-x: auto; font-size: 12px; }
figure { margin: .8rem 0 1.2rem; page-break-inside: avoid; break-inside: avoid; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
figure svg { max-width: 100%; height: auto; }
footer { margin-top: 3rem; color: #5b6570; font-size: 12px; }
@media print { body { margin: 0; max-width: none; font-size: 11px; } h2 { page-break-after: avoid; } table, pre { page-break-inside: avoid; } }
`;

/** The review as HTML text. */
export async function reviewHtml(r: ReviewReport): Promise<string> {
  const charts = await renderCharts(r);
  const body: string[] = [];
  let first = true;
  for (const b of reviewBlocks(r)) {
    switch (b.kind) {
      case 'h':
        body.push(`<h${b.level}>${esc(b.text)}</h${b.level}>`);
        break;
      case 'p': {
        const cls = [first && b.strong ? 'verdict' : '', b.strong ? 'strong' : '', b.tone ?? ''].filter(Boolean).join(' ');
        if (b.strong) first = false;
        body.push(`<p${cls ? ` class="${cls}"` : ''}>${esc(b.text)}</p>`);
        break;
      }
      case 'list':
        body.push(`<ul>${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`);
        break;
      case 'table': {
        const head = b.head.map((h, i) => `<th${b.align[i] === 'r' ? ' class="r"' : ''}>${esc(h)}</th>`).join('');
        const rows = b.rows.map((row) => `<tr>${row.map((cell, i) => {
          const cls = [b.align[i] === 'r' ? 'r' : '', /^[0-9a-f]{64}$/.test(cell) ? 'mono' : '', cell === 'passed' || cell === 'FAILED' ? cell : ''].filter(Boolean).join(' ');
          return `<td${cls ? ` class="${cls}"` : ''}>${esc(cell)}</td>`;
        }).join('')}</tr>`).join('\n');
        body.push(`<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`);
        break;
      }
      case 'code':
        body.push(`<pre>${esc(b.text)}</pre>`);
        break;
      case 'chart': {
        const svg = charts[b.chart];
        if (svg) body.push(`<figure class="chart" data-chart="${b.chart}"><figcaption>${esc(b.title)}</figcaption>${svg}</figure>`);
        break;
      }
    }
  }
  const title = `Review of ${r.candidate.id} against ${r.baseline.id}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body.join('\n')}
<footer>Written by reseller-credits review. Candidate ${esc(r.candidate.id)} sha256 ${esc(r.candidate.sha256)} (lock hash ${esc(r.candidate.publishedSha256)}); baseline ${esc(r.baseline.id)} sha256 ${esc(r.baseline.sha256)}. Charts drawn with Vega-Lite.</footer>
</body>
</html>
`;
}
