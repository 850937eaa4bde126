/** The review report in each of its formats: JSON as it is, and the text, markdown and HTML views of it. */
import type { ReviewReport } from '../review.js';

/** The formats of `review --format`. */
export const REVIEW_FORMATS = ['text', 'markdown', 'html', 'json'] as const;
export type ReviewFormat = (typeof REVIEW_FORMATS)[number];

/** The report in `format`. */
export async function renderReview(r: ReviewReport, format: ReviewFormat): Promise<string> {
  switch (format) {
    case 'json': return `${JSON.stringify(r, null, 2)}\n`;
    case 'markdown': return (await import('./text.js')).reviewMarkdown(r);
    // Vega is loaded only for the HTML report: the other formats start faster without it
    case 'html': return (await import('./html.js')).reviewHtml(r);
    case 'text': return (await import('./text.js')).reviewText(r);
  }
}

