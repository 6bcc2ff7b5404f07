// One feature's license use over time as a uPlot chart — issued (dashed), used (filled), queued —
// with its current figures and its expiry countdown; over the chosen range, its history (bucket
// peaks) before the live points, the range's figures and who holds it now. Redraws only when its
// series, history or range changed.
import uPlot from 'uplot';
import { el, setText } from '../dom.ts';
import { expiryCountdown } from '../format.ts';
import type { FeatureHolders } from '../store/holder-store.ts';
import type { FeatureSeries } from '../store/series-store.ts';
import type { FeatureHistory } from '../store/usage-history.ts';
import { FeatureStats } from './feature-stats.ts';
import { HoldersView } from './holders-view.ts';
import type { ChartRange } from './range-picker.ts';

/** What the chart shows besides its live series. */
export interface ChartContext {
  readonly range: ChartRange;
  readonly history: FeatureHistory | undefined;
  readonly holders: readonly FeatureHolders[];
}

const HEIGHT = 130;
const AXIS = { stroke: '#8b949e', grid: { stroke: '#262c36', width: 1 }, ticks: { stroke: '#262c36', width: 1 }, font: '11px system-ui, sans-serif' };

export class FeatureChart {
  readonly root: HTMLElement;
  private readonly vendor = el('span', { class: 'vendor' });
  private readonly figures = el('div', { class: 'figures' });
  private readonly expiry = el('span', { class: 'expiry' });
  private readonly plotArea = el('div', { class: 'plot' });
  private readonly plot: uPlot;
  private readonly stats = new FeatureStats();
  private readonly holders = new HoldersView();
  private drawn = -1;
  private drawnContext: Omit<ChartContext, 'holders'> | undefined;
  /** Start of the range shown, in seconds (uPlot's time scale). */
  private windowStart = 0;

  constructor(private readonly series: FeatureSeries, width: number) {
    this.root = el('article', { class: 'chart', 'data-feature': series.name },
      el('header', {}, el('span', { class: 'feature' }, series.name), this.vendor, this.expiry),
      this.figures, this.stats.root, this.plotArea, this.holders.root);
    this.plot = new uPlot({
      width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      // One point alone would get an axis of years: show the last minute instead.
      scales: { x: { time: true, range: (_u, min, max) => (min === max ? [Math.min(min - 60, this.windowStart), max + 1] : [Math.min(min, this.windowStart), max]) }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
      series: [
        {},
        { label: 'issued', stroke: '#8b949e', width: 1, dash: [4, 4], points: { show: false } },
        { label: 'used', stroke: '#58a6ff', fill: 'rgba(88,166,255,0.18)', width: 1.5, points: { show: false } },
        { label: 'queued', stroke: '#f85149', width: 1.5, points: { show: false } },
      ],
      axes: [AXIS, { ...AXIS, size: 36 }],
    }, this.data(), this.plotArea);
  }

  /** Redraw if new points, history or range arrived; refresh the countdown and holders (they move with the clock). */
  draw(now: number, context: ChartContext): void {
    const s = this.series;
    const countdown = expiryCountdown(s.expiry, now);
    setText(this.expiry, countdown.text);
    this.expiry.dataset.urgency = countdown.urgency;
    this.holders.update(context.holders, now);
    const same = this.drawnContext?.range === context.range && this.drawnContext.history === context.history;
    if (s.version === this.drawn && same) return;
    this.drawn = s.version;
    this.drawnContext = { range: context.range, history: context.history };
    this.windowStart = (now - context.range.ms) / 1000;
    this.stats.show(context.history?.summary, context.range.label);
    setText(this.vendor, s.vendor ?? '');
    const last = s.times.length - 1;
    const issued = s.issued[last];
    setText(this.figures, last < 0 ? '' : `${s.used[last]}${issued === null || issued === undefined ? '' : `/${issued}`} used · ${s.queued[last]} queued`);
    const data = this.data();
    // How many points are drawn (history buckets and live points): for tests and the curious.
    this.root.dataset.points = String(data[0].length);
    this.plot.setData(data);
  }

  resize(width: number): void {
    if (width > 0 && width !== this.plot.width) this.plot.setSize({ width, height: HEIGHT });
  }

  destroy(): void {
    this.plot.destroy();
    this.root.remove();
  }

  /** The history's buckets before the first live point, then the live points: one ascending time column. */
  private data(): uPlot.AlignedData {
    const live = this.series;
    const h = this.drawnContext?.history;
    if (!h) return [live.times, live.issued, live.used, live.queued];
    const firstLive = live.times[0] ?? Infinity;
    let n = 0;
    while (n < h.times.length && h.times[n]! < firstLive) n++;
    return [[...h.times.slice(0, n), ...live.times], [...h.issued.slice(0, n), ...live.issued], [...h.used.slice(0, n), ...live.used], [...h.queued.slice(0, n), ...live.queued]];
  }
}
