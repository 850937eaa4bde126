/**
 * A statement in one of its formats (SPEC §12): text, the self-contained
 * HTML page with its tier chart, or the byte-identical PDF. One function,
 * so `ledger statement`, `ledger statements` and the service's
 * `GET /v1/ledger/statements/{account}/{period}` give the same bytes.
 */
import type { Branding } from './branding.js';
import type { StatementView } from './model.js';

/** The formats of a statement. */
export type StatementFormat = 'text' | 'html' | 'pdf';

/** The file extension of each format. */
export const STATEMENT_EXT: Readonly<Record<StatementFormat, string>> = { text: 'txt', html: 'html', pdf: 'pdf' };

/** `v` rendered as `format` with branding `b`: text for text and html, bytes for pdf. */
export async function renderStatement(format: StatementFormat, v: StatementView, b: Branding): Promise<string | Buffer> {
  if (format === 'text') return (await import('./text.js')).statementText(v, b);
  if (format === 'html') {
    const [{ statementHtml }, { tierChartSvg }] = await Promise.all([import('./html.js'), import('./chart.js')]);
    return statementHtml(v, await tierChartSvg(v), b);
  }
  return (await import('./pdf.js')).statementPdf(v, b);
}
