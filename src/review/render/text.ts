/**
 * The review for a terminal (`--format text`) and for a change-review
 * comment (`--format markdown`): the same blocks, as plain text with
 * tables, or as markdown headings and tables.
 */
import Table from 'cli-table3';
import type { ReviewReport } from '../review.js';
import { reviewBlocks, type Block } from './blocks.js';
import { safeText } from '../../text/safe-text.js';
import { markdownText } from '../../text/markdown.js';

/**
 * The blocks text and markdown show: a chart is drawn in the HTML report
 * only, so a heading with nothing but a chart under it is left out (no
 * empty `-- Credit deltas`).
 */
function textBlocks(r: ReviewReport): Block[] {
  const all = reviewBlocks(r);
  return all.filter((b, i) => {
    if (b.kind !== 'h') return b.kind !== 'chart';
    let j = i + 1;
    while (j < all.length && all[j]!.kind === 'chart') j++;
    return j > i + 1 ? !(j === all.length || all[j]!.kind === 'h') : true;
  });
}

/** The review as terminal text; input-derived text has its control characters escaped. */
export function reviewText(r: ReviewReport): string {
  const out: string[] = [];
  for (const b of textBlocks(r)) {
    switch (b.kind) {
      case 'h':
        out.push('', b.level === 1 ? safeText(b.text).toUpperCase() : b.level === 2 ? `== ${safeText(b.text)} ==` : `-- ${safeText(b.text)}`);
        break;
      case 'p':
        out.push(safeText(b.text));
        break;
      case 'list':
        for (const i of b.items) out.push(`  - ${safeText(i)}`);
        break;
      case 'table': {
        const t = new Table({ head: b.head.map(safeText), style: { head: [], border: [] }, colAligns: b.align.map((a) => (a === 'r' ? 'right' : 'left')), wordWrap: true,
          ...(b.head.length >= 3 && b.head[2] === 'details' ? { colWidths: [44, 8, 70] } : {}) });
        for (const row of b.rows) t.push(row.map(safeText));
        out.push(t.toString());
        break;
      }
      case 'code':
        out.push(...b.text.split('\n').map((l) => `    ${safeText(l)}`));
        break;
      case 'chart':
        break; // charts are drawn in the HTML report only
    }
  }
  return `${out.join('\n').trimStart()}\n`;
}

/** Markdown text of one cell or line: nothing in it can become markup (`markdownText`). */
const mdCell = markdownText;

function mdTable(b: Extract<Block, { kind: 'table' }>): string[] {
  return [
    `| ${b.head.map(mdCell).join(' | ')} |`,
    `| ${b.align.map((a) => (a === 'r' ? '---:' : ':---')).join(' | ')} |`,
    ...b.rows.map((row) => `| ${row.map(mdCell).join(' | ')} |`),
  ];
}

/** The review as markdown (a change-review comment). */
export function reviewMarkdown(r: ReviewReport): string {
  const out: string[] = [];
  for (const b of textBlocks(r)) {
    switch (b.kind) {
      case 'h':
        out.push(`${'#'.repeat(b.level)} ${mdCell(b.text)}`, '');
        break;
      case 'p':
        out.push(b.strong ? `**${mdCell(b.text)}**` : mdCell(b.text), '');
        break;
      case 'list':
        out.push(...b.items.map((i) => `- ${mdCell(i)}`), '');
        break;
      case 'table':
        out.push(...mdTable(b), '');
        break;
      case 'code':
        out.push('```json', b.text.replace(/```/g, '`\u200b``'), '```', '');
        break;
      case 'chart':
        break;
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
