/**
 * The tier chart of a statement: the program's tiers as bands along the tier
 * basis, the reseller's basis marked, the next tier's threshold named. A
 * Vega-Lite spec rendered to static SVG (no script in the page), as the
 * review's charts are. Numbers become floats here for drawing only.
 *
 * Compiling and parsing the spec took ~60 ms a statement: one Vega view is
 * kept per tier table and currency, and each statement only changes its two
 * datasets (`bands`, `basis`) before rendering.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Dec } from '../money/decimal.js';
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

/** The Vega-Lite spec of the chart of a tier table (its data named, filled per statement). */
export function tierChartSpec(v: Pick<StatementView, 'currency' | 'tiers'>): TopLevelSpec {
  const ticks = v.tiers.map((t) => new Dec(t.from).toNumber());
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: { font: 'DejaVu Sans, Verdana, sans-serif', view: { stroke: null }, axis: { labelFontSize: 10, titleFontSize: 11 } },
    width: 520, height: 70,
    layer: [
      {
        data: { name: 'bands' },
        mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1 },
        encoding: {
          x: { field: 'from', type: 'quantitative', title: `tier basis (${v.currency})`, scale: { type: 'symlog', constant: 50 }, axis: { format: ',.0f', values: ticks } },
          x2: { field: 'to' },
          color: { field: 'reached', type: 'nominal', legend: null, scale: { domain: [false, true], range: ['#d9e6f2', '#4c78a8'] } },
        },
      },
      {
        data: { name: 'bands' },
        mark: { type: 'text', dy: -2, fontSize: 11, align: 'left', dx: 4 },
        encoding: { x: { field: 'from', type: 'quantitative' }, text: { field: 'label' }, color: { value: '#111111' } },
      },
      {
        data: { name: 'basis' },
        mark: { type: 'rule', color: '#d62728', strokeWidth: 2 },
        encoding: { x: { field: 'basis', type: 'quantitative' } },
      },
    ],
  };
}

const views = new Map<string, vega.View>();
/** Renders one at a time: a kept view holds one statement's data while it renders. */
let queue: Promise<unknown> = Promise.resolve();

/** The chart as SVG text. */
export function tierChartSvg(v: StatementView): Promise<string> {
  const run = queue.then(() => render(v));
  queue = run.catch(() => undefined);
  return run;
}

async function render(v: StatementView): Promise<string> {
  const key = JSON.stringify([v.currency, v.tiers]);
  let view = views.get(key);
  if (!view) {
    view = new vega.View(vega.parse(compile(tierChartSpec(v)).spec), { renderer: 'none' });
    views.set(key, view);
  }
  const bands = tierBands(v);
  const changes = (values: object[]) => vega.changeset().remove(() => true).insert(values);
  view.change('bands', changes(bands)).change('basis', changes([{ basis: new Dec(v.tierBasis).toNumber() }]));
  await view.runAsync();
  return view.toSVG();
}
