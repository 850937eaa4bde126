/**
 * A statement as PDF, made in-process with pdfkit and the DejaVu Sans font
 * shipped by the `dejavu-fonts-ttf` package (never a system font), so the
 * same entry gives the same bytes on any machine: the creation date is the
 * entry's recorded time and the document id (pdfkit's md5 of the info
 * dictionary) covers the entry id. (pdfmake, measured too, also gives equal
 * bytes with a fixed creation date, but loads 25 more packages and resolves
 * fonts and images through URL and file access policies; pdfkit is what it
 * is built on.) The tier chart is drawn with pdfkit's own shapes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { Dec } from '../money/decimal.js';
import { money, pct } from '../text/money-text.js';
import { safeText } from '../text/safe-text.js';
import type { Branding } from './branding.js';
import { tierBands } from './chart.js';
import type { StatementView } from './model.js';
import { signed$ } from './text.js';

const require = createRequire(import.meta.url);
/** The fonts embedded (subset) in every statement. */
export const FONT_FILES = Object.freeze({
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
});

/**
 * The fonts parsed once per process (fontkit, pdfkit's own font reader, pinned
 * beside it): parsing DejaVu Sans for every document was 2/3 of a statement's
 * time. Each document still makes its own subset, so the bytes do not depend
 * on what was rendered before (tested: one process, many documents).
 */
let parsed: { R: unknown; B: unknown } | undefined;
function fonts(): { R: unknown; B: unknown } {
  const fontkit = require('fontkit') as { create(b: Buffer): unknown };
  parsed ??= { R: fontkit.create(readFileSync(FONT_FILES.regular)), B: fontkit.create(readFileSync(FONT_FILES.bold)) };
  return parsed;
}

const W = 595.28; // A4 width, points
const M = 50;

/** The statement as PDF bytes. */
export function statementPdf(v: StatementView, b: Branding = {}): Promise<Buffer> {
  const when = new Date(v.recordedAt);
  const doc = new PDFDocument({
    size: 'A4', margin: M, compress: true, pdfVersion: '1.7', lang: 'en', displayTitle: true,
    // no default Helvetica: its AFM metrics were parsed for every document and never used
    font: null as unknown as string,
    info: {
      Title: `Reseller credit statement ${v.account} ${v.period}`, Subject: `ledger entry ${v.entry}`,
      Author: b.company?.name ?? 'reseller-credits', Creator: 'reseller-credits', Producer: 'reseller-credits (pdfkit)',
      CreationDate: when, ModDate: when,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  // pdfkit takes a parsed fontkit font too (PDFFontFactory.open: anything with `layout`), its types say only path or bytes
  doc.registerFont('R', fonts().R as string);
  doc.registerFont('B', fonts().B as string);
  const s = safeText;
  const $ = (a: string) => signed$(a, v.currency);
  const accent = b.color ?? '#4c78a8';

  // header
  let top = M;
  if (b.logo) { doc.image(b.logo.bytes, M, top, { fit: [140, 48] }); }
  if (b.company?.name) {
    doc.font('B').fontSize(11).text(s(b.company.name), W / 2, top, { width: W / 2 - M, align: 'right' });
    doc.font('R').fontSize(9);
    for (const l of [...(b.company.address ?? []), ...(b.company.email ? [b.company.email] : [])]) doc.text(s(l), { width: W / 2 - M, align: 'right' });
  }
  top = Math.max(doc.y, top + 52) + 4;
  doc.moveTo(M, top).lineTo(W - M, top).lineWidth(2).strokeColor(accent).stroke();
  doc.x = M; doc.y = top + 10;
  doc.font('B').fontSize(16).fillColor('#111111').text('Reseller credit statement');
  doc.font('R').fontSize(11).text(`${s(v.account)} · period ${v.period}`);
  doc.fontSize(8).fillColor('#555555').text(`Issued ${v.recordedAt.slice(0, 10)} under ${s(v.rules.id)} (${s(v.rules.title)}) · entry ${v.entry}`);
  doc.fillColor('#111111').moveDown(0.8);

  // lines
  const cols = [M, 250, 350, 420, 480];
  const row = (cells: string[], bold = false) => {
    const y = doc.y;
    doc.font(bold ? 'B' : 'R').fontSize(9);
    let h = 0;
    cells.forEach((c, i) => {
      const width = (i + 1 < cols.length ? cols[i + 1]! : W - M) - cols[i]! - 4;
      doc.text(c, cols[i]!, y, { width, align: i === 0 ? 'left' : 'right' });
      h = Math.max(h, doc.y - y);
    });
    doc.x = M; doc.y = y + h + 2;
  };
  doc.font('B').fontSize(11).text('Your services'); doc.moveDown(0.3);
  row(['Service', 'Quantity × price', 'Charge', 'Class', 'Value'], true);
  for (const l of v.lines) {
    row([`${l.source === 'own' ? '' : `${l.source} ${s(l.account)}: `}${s(l.service)}`, l.unitPrice !== undefined ? `${l.quantity} × ${$(l.unitPrice)}` : '', $(l.charge), pct(l.commissionable), $(l.value)]);
  }
  row(['Monthly Payment / Monthly Value', '', $(v.monthlyPayment), '', $(v.monthlyValue)], true);
  doc.moveDown(0.6);

  // tier
  doc.font('B').fontSize(11).text('Your tier'); doc.moveDown(0.3);
  doc.font('R').fontSize(9).text(`Tier basis = ${v.basis.map((t) => `${t.source} ${t.measure} ${t.amount === null ? 'not given' : $(t.amount)}`).join(' + ')} = ${$(v.tierBasis)}`);
  doc.text(`Tier reached: ${s(v.tier.name)} (from ${$(v.tier.from)}, ${pct(v.tier.creditPercent)})`);
  drawTiers(doc, v, accent);
  doc.font('B').fontSize(9).fillColor('#7a5200').text(s(v.nearMiss), M, doc.y, { width: W - 2 * M });
  doc.fillColor('#111111').moveDown(0.6);

  doc.font('B').fontSize(11).text('Eligibility'); doc.moveDown(0.2);
  doc.font('R').fontSize(9);
  for (const e of v.eligibility) doc.text(`• ${s(e)}`, { width: W - 2 * M });
  doc.moveDown(0.6);

  doc.font('B').fontSize(11).text('Credit and amount due'); doc.moveDown(0.3);
  const cols2 = [M, 420];
  const line = (label: string, value: string, bold = false) => {
    const y = doc.y;
    doc.font(bold ? 'B' : 'R').fontSize(9).text(label, cols2[0]!, y, { width: cols2[1]! - M - 4 });
    const h = doc.y - y;
    doc.text(value, cols2[1]!, y, { width: W - M - cols2[1]!, align: 'right' });
    doc.x = M; doc.y = y + Math.max(h, doc.y - y) + 2;
  };
  line('Charges', $(v.charges));
  line(`Credit (${v.eligible ? `${pct(v.creditPercent)} × credit base ${$(v.creditBase)}` : 'not eligible'})`, `−${$(v.credit)}`);
  for (const a of v.adjustments) line(`Adjustment for ${a.origin} (${s(a.reason)}; entry ${a.entry.slice(0, 12)}…)`, a.amount.startsWith('-') ? `+${$(a.amount.slice(1))}` : `−${$(a.amount)}`);
  line('Amount due', $(v.amountDue), true);
  if (v.amountDue.startsWith('-')) doc.font('R').text(`A credit balance: ${money(v.amountDue.slice(1), v.currency)} in your favour, nothing to pay.`);
  doc.end();
  return done;
}

/** The tiers as bands along the basis (log-like scale as in the HTML chart), the basis marked in red. */
function drawTiers(doc: PDFKit.PDFDocument, v: StatementView, accent: string): void {
  const bands = tierBands(v);
  const x0 = M; const width = W - 2 * M; const y = doc.y + 6; const h = 22;
  const scale = (n: number) => Math.asinh(n / 100);
  const max = scale(bands[bands.length - 1]!.to);
  const px = (n: number) => x0 + (scale(n) / max) * width;
  for (const b of bands) {
    doc.rect(px(b.from), y, Math.max(1, px(b.to) - px(b.from)), h).fillColor(b.reached ? accent : '#d9e6f2').fill();
    doc.font('R').fontSize(8).fillColor(b.reached ? '#ffffff' : '#111111').text(b.label, px(b.from) + 3, y + 7, { lineBreak: false });
    doc.fillColor('#555555').text(money(new Dec(b.from).toFixed(0), v.currency), px(b.from), y + h + 2, { lineBreak: false });
  }
  const bx = px(new Dec(v.tierBasis).toNumber());
  doc.moveTo(bx, y - 4).lineTo(bx, y + h + 4).lineWidth(2).strokeColor('#d62728').stroke();
  doc.fillColor('#111111');
  doc.x = M; doc.y = y + h + 16;
}
