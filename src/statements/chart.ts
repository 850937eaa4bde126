/**
 * The tier chart of a statement: the program's tiers as bands along the tier
 * basis, the reseller's basis marked, the next tier's threshold named. A
 * Vega-Lite spec rendered to static SVG (no script in the page), as the
 * review's charts are. Numbers become floats here for drawing only.
 */
import type { TopLevelSpec } from 'vega-lite';
import { Dec } from '../money/decimal.js';
import { renderSvg } from '../review/render/charts.js';
import type { StatementView } from './model.js';

/** Bands from each tier's `from` to the next one's; the last one runs past the basis. */
export function tierBands(v: StatementView): { tier: string; label: string; from: number; to: number; reached: boolean }[] {
  const basis = new Dec(v.tierBasis);
  const last = new Dec(v.tiers[v.tiers.length - 1]!.from);
  const end = Dec.max(basis.times(1.15), last.times(1.5), new Dec(1));
  return v.tiers.map((t, i) => ({
    tier: t.name,
    label: `${t.creditPercent}%`,
    from: new Dec(t.from).toNumber(),
    to: (i + 1 < v.tiers.length ? new Dec(v.tiers[i + 1]!.from) : end).toNumber(),
    reached: t.name === v.tier.name,
  }));
}

/** The Vega-Lite spec of the chart. */
export function tierChartSpec(v: StatementView): TopLevelSpec {
  const bands = tierBands(v);
  const basis = new Dec(v.tierBasis).toNumber();
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: { font: 'DejaVu Sans, Verdana, sans-serif', view: { stroke: null }, axis: { labelFontSize: 10, titleFontSize: 11 } },
    width: 520, height: 70,
    layer: [
      {
        data: { values: bands },
        mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1 },
        encoding: {
          x: { field: 'from', type: 'quantitative', title: `tier basis (${v.currency})`, scale: { type: 'symlog', constant: 50 }, axis: { format: ',.0f', values: bands.map((b) => b.from) } },
          x2: { field: 'to' },
          color: { field: 'reached', type: 'nominal', legend: null, scale: { domain: [false, true], range: ['#d9e6f2', '#4c78a8'] } },
        },
      },
      {
        data: { values: bands },
        mark: { type: 'text', dy: -2, fontSize: 11, align: 'left', dx: 4 },
        encoding: { x: { field: 'from', type: 'quantitative' }, text: { field: 'label' }, color: { value: '#111111' } },
      },
      {
        data: { values: [{ basis }] },
        mark: { type: 'rule', color: '#d62728', strokeWidth: 2 },
        encoding: { x: { field: 'basis', type: 'quantitative' } },
      },
    ],
  };
}

/** The chart as SVG text. */
export function tierChartSvg(v: StatementView): Promise<string> {
  return renderSvg(tierChartSpec(v));
}
