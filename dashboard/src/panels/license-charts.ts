// License utilization per feature over time, for a scope the user picks: the whole farm (the
// default), a site, or one license server. One chart per feature; charts are created when a
// feature first appears and redrawn once per frame at most, only those with new points. Over the
// range picked (15 min to 7 d), each chart starts with the feature's usage history.
import { el } from '../dom.ts';
import type { HolderStore } from '../store/holder-store.ts';
import type { FeatureSeries, SeriesStore } from '../store/series-store.ts';
import type { UsageHistoryStore } from '../store/usage-history.ts';
import { FeatureChart } from './feature-chart.ts';
import { RangePicker } from './range-picker.ts';

const FARM = 'farm';

export class LicenseCharts {
  private readonly picker = el('select', { 'aria-label': 'Scope of the charts' });
  private readonly grid = el('div', { class: 'charts' });
  /** By series object: a series keeps its identity when it learns its vendor (see series-store). */
  private readonly charts = new Map<FeatureSeries, FeatureChart>();
  private scope = FARM;
  /** Until the user picks a scope, the farm is shown as soon as it is known. */
  private picked = false;
  private scopesShown = '';
  private readonly range: RangePicker;
  /** Set once the API key is known. */
  history: UsageHistoryStore | undefined;

  constructor(root: HTMLElement, private readonly store: SeriesStore, private readonly holders: HolderStore, private readonly requestRender: () => void) {
    const title = root.querySelector('h2') ?? root;
    title.append(' ', this.picker);
    this.range = new RangePicker(title, () => this.requestRender());
    root.append(this.grid);
    this.picker.addEventListener('change', () => {
      this.picked = true;
      this.show(this.picker.value);
      this.requestRender();
    });
    new ResizeObserver(() => {
      for (const chart of this.charts.values()) chart.resize(this.chartWidth(chart.root));
    }).observe(this.grid);
  }

  render(now: number): void {
    this.updatePicker();
    const features = this.store.features(this.scope).sort((a, b) => a.name.localeCompare(b.name) || a.key.localeCompare(b.key));
    const range = this.range.current;
    this.history?.want({ scope: this.scope, rangeMs: range.ms }, features.map((f) => f.name), now);
    let previous: Element | null = null;
    for (const series of features) {
      let chart = this.charts.get(series);
      if (!chart) {
        // The card goes into the grid first, so its width is known before uPlot sizes its canvas.
        const placeholder = el('article', { class: 'chart' });
        this.grid.append(placeholder);
        chart = new FeatureChart(series, this.chartWidth(placeholder));
        placeholder.replaceWith(chart.root);
        this.charts.set(series, chart);
      }
      // Kept in name order as features appear.
      const expected: Element | null = previous ? previous.nextElementSibling : this.grid.firstElementChild;
      if (chart.root !== expected) this.grid.insertBefore(chart.root, expected);
      previous = chart.root;
      chart.draw(now, { range, history: this.history?.get(series.name), holders: this.holders.of(series.name, this.scope) });
    }
  }

  private chartWidth(card: HTMLElement): number {
    return Math.max(200, card.clientWidth - 16);
  }

  private updatePicker(): void {
    const scopes = this.store.scopeIds().sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const shown = scopes.join('\n');
    if (shown === this.scopesShown) return;
    this.scopesShown = shown;
    this.picker.replaceChildren(...scopes.map((id) => el('option', { value: id }, label(id))));
    const keep = this.picked && scopes.includes(this.scope);
    this.show(keep ? this.scope : scopes.includes(FARM) ? FARM : (scopes[0] ?? FARM));
  }

  private show(scope: string): void {
    this.picker.value = scope;
    if (scope === this.scope) return;
    this.scope = scope;
    for (const chart of this.charts.values()) chart.destroy();
    this.charts.clear();
  }
}

function rank(scope: string): number {
  return scope === FARM ? 0 : scope.startsWith('site:') ? 1 : 2;
}

function label(scope: string): string {
  return scope === FARM ? 'whole farm' : scope.startsWith('site:') ? `site ${scope.slice(5)}` : `server ${scope}`;
}
