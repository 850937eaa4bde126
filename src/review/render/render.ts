/** The review report in each of its formats: JSON as it is, and the text, markdown and HTML views of it. */
import type { ReviewReport } from '../review.js';

/** The formats of `review --format`. */
export const REVIEW_FORMATS = ['text', 'markdown', 'html', 'json'] as const;
export type ReviewFormat = (typeof REVIEW_FORMATS)[number];

/** The report in `format`. */
export async function renderReview(r: ReviewReport, format: ReviewFormat): Promise<string> {
  switch (format) {
    case 'json': return [...reviewJson(r)].join('');
    case 'markdown': return (await import('./text.js')).reviewMarkdown(r);
    // Vega is loaded only for the HTML report: the other formats start faster without it
    case 'html': return (await import('./html.js')).reviewHtml(r);
    case 'text': return (await import('./text.js')).reviewText(r);
  }
}


/**
 * The JSON report in pieces, as `JSON.stringify(report, null, 2)` would write
 * it: the compared accounts are read from their spool one at a time instead
 * of being put in memory all at once.
 */
export function* reviewJson(r: ReviewReport): Generator<string> {
  const spool = r.impact?.accounts;
  if (!spool || !spool.length) {
    yield `${JSON.stringify(r, null, 2)}\n`;
    return;
  }
  const token = `@@rc-accounts-${process.pid}-${Date.now()}@@`;
  const text = JSON.stringify({ ...r, impact: { ...r.impact, accounts: token } }, null, 2);
  const at = text.indexOf(`"${token}"`);
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const indent = /^ */.exec(text.slice(lineStart))![0];
  const inner = `${indent}  `;
  yield `${text.slice(0, at)}[\n`;
  let first = true;
  let chunk = '';
  for (const a of spool) {
    chunk += `${first ? '' : ',\n'}${inner}${JSON.stringify(a, null, 2).replaceAll('\n', `\n${inner}`)}`;
    first = false;
    if (chunk.length >= 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}\n${indent}]${text.slice(at + token.length + 2)}\n`;
}
