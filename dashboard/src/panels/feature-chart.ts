// One feature's license use over time as a uPlot chart — issued (dashed), used (filled), queued —
// with its current figures and its expiry countdown. Redraws only when its series changed.
import uPlot from 'uplot';
import { el, setText } from '../dom.ts';
import { expiryCountdown } from '../format.ts';
import type { FeatureSeries } from '../store/series-store.ts';

const HEIGHT = 130;
const AXIS = { stroke: '#8b949e', grid: { stroke: '#262c36', width: 1 }, ticks: { stroke: '#262c36', width: 1 }, font: '11px system-ui, sans-serif' };

export class FeatureChart {
  readonly root: HTMLElement;
  private readonly vendor = el('span', { class: 'vendor' });
  private readonly figures = el('div', { class: 'figures' });
  private readonly expiry = el('span', { class: 'expiry' });
  private readonly plotArea = el('div', { class: 'plot' });
  private readonly plot: uPlot;
  private drawn = -1;

  constructor(private readonly series: FeatureSeries, width: number) {
    this.root = el('article', { class: 'chart', 'data-feature': series.name },
      el('header', {}, el('span', { class: 'feature' }, series.name), this.vendor, this.expiry),
      this.figures, this.plotArea);
    this.plot = new uPlot({
      width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      // One point alone would get an axis of years: show the last minute instead.
      scales: { x: { time: true, range: (_u, min, max) => (min === max ? [min - 60, max + 1] : [min, max]) }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
      series: [
        {},
        { label: 'issued', stroke: '#8b949e', width: 1, dash: [4, 4], points: { show: false } },
        { label: 'used', stroke: '#58a6ff', fill: 'rgba(88,166,255,0.18)', width: 1.5, points: { show: false } },
        { label: 'queued', stroke: '#f85149', width: 1.5, points: { show: false } },
      ],
      axes: [AXIS, { ...AXIS, size: 36 }],
    }, this.data(), this.plotArea);
  }

  /** Redraw if new points arrived; refresh the countdown (it moves with the clock). */
  draw(now: number): void {
    const s = this.series;
    const countdown = expiryCountdown(s.expiry, now);
    setText(this.expiry, countdown.text);
    this.expiry.dataset.urgency = countdown.urgency;
    if (s.version === this.drawn) return;
    this.drawn = s.version;
    setText(this.vendor, s.vendor ?? '');
    const last = s.times.length - 1;
    const issued = s.issued[last];
    setText(this.figures, last < 0 ? '' : `${s.used[last]}${issued === null || issued === undefined ? '' : `/${issued}`} used · ${s.queued[last]} queued`);
    this.plot.setData(this.data());
  }

  resize(width: number): void {
    if (width > 0 && width !== this.plot.width) this.plot.setSize({ width, height: HEIGHT });
  }

  destroy(): void {
    this.plot.destroy();
    this.root.remove();
  }

  private data(): uPlot.AlignedData {
    return [this.series.times, this.series.issued, this.series.used, this.series.queued];
  }
}
