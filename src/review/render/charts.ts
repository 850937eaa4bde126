/**
 * The review's charts, drawn by Vega-Lite: each spec compiled to Vega and
 * rendered to static SVG with `View#toSVG()` when the report is written, so
 * the page needs no script and makes no request.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Dec } from '../../money/decimal.js';
import type { ReviewReport } from '../review.js';
import type { ChartName } from './blocks.js';

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const CONFIG = { font: FONT, view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12 } };

/** Renders one Vega-Lite spec to SVG text. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The Vega-Lite specs of a review's charts (none without a portfolio). */
export function chartSpecs(r: ReviewReport): Partial<Record<ChartName, TopLevelSpec>> {
  const im = r.impact;
  if (!im) return {};
  const [b, c] = [r.baseline.id, r.candidate.id];
  const names = im.byTier.map((t) => t.tier);
  const cells = names.flatMap((from) => names.map((to) => ({ from, to, accounts: im.matrix.find((m) => m.from === from && m.to === to)?.accounts ?? 0 })));
  const migration: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG, width: 90 * names.length, height: 46 * names.length,
    data: { values: cells },
    encoding: {
      x: { field: 'to', type: 'nominal', sort: names, title: `${c} tier`, axis: { orient: 'top', labelAngle: 0 } },
      y: { field: 'from', type: 'nominal', sort: names, title: `${b} tier` },
    },
    layer: [
      { mark: { type: 'rect', stroke: '#ffffff' }, encoding: { color: { field: 'accounts', type: 'quantitative', title: 'accounts', scale: { scheme: 'blues' } } } },
      { mark: { type: 'text', fontSize: 13 }, encoding: { text: { field: 'accounts', type: 'quantitative' },
        color: { condition: { test: 'datum.accounts > 0', value: '#111111' }, value: '#999999' } } },
    ],
  };
  const deltas = im.accounts.deltas().map((delta) => ({ delta })); // numbers for drawing only
  const deltaChart: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG, width: 520, height: 220,
    data: { values: deltas },
    mark: { type: 'bar', color: '#4c78a8' },
    encoding: {
      x: { field: 'delta', type: 'quantitative', bin: { maxbins: 20 }, title: `credit delta per account (${r.candidate.currency})` },
      y: { aggregate: 'count', type: 'quantitative', title: 'accounts', axis: { tickMinStep: 1 } },
    },
  };
  const byTier = im.byTier.flatMap((t) => [
    ...(t.baseline ? [{ tier: t.tier, version: `${b} (before)`, credit: new Dec(t.baseline.credit).toNumber() }] : []),
    ...(t.candidate ? [{ tier: t.tier, version: `${c} (after)`, credit: new Dec(t.candidate.credit).toNumber() }] : []),
  ]);
  const tierChart: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG, width: { step: 34 }, height: 240,
    data: { values: byTier },
    mark: 'bar',
    encoding: {
      x: { field: 'tier', type: 'nominal', sort: names, title: 'tier', axis: { labelAngle: 0 } },
      xOffset: { field: 'version', type: 'nominal' },
      y: { field: 'credit', type: 'quantitative', title: `credit (${r.candidate.currency})`, axis: { format: ',.2f' } },
      color: { field: 'version', type: 'nominal', title: null, scale: { range: ['#9ecae9', '#4c78a8'] }, legend: { orient: 'bottom' } },
    },
  };
  return { migration, deltas: deltaChart, 'by-tier': tierChart };
}

/** Every chart of the review as SVG text. */
export async function renderCharts(r: ReviewReport): Promise<Partial<Record<ChartName, string>>> {
  const specs = chartSpecs(r);
  const out: Partial<Record<ChartName, string>> = {};
  for (const [name, spec] of Object.entries(specs) as [ChartName, TopLevelSpec][]) {
    // ids (gradients, clips) made unique per chart: several SVGs share one page
    out[name] = (await renderSvg(spec)).replace(/(\bid="|url\(#|href="#)/g, `$1${name}-`);
  }
  return out;
}
