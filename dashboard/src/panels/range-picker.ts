// The charts' time range: 15 min, 6 h, 24 h or 7 d. Kept in this browser (localStorage), so a
// reload shows the same range.
import { el } from '../dom.ts';

export const RANGES = [
  { id: '15m', label: '15 min', ms: 15 * 60_000 },
  { id: '6h', label: '6 h', ms: 6 * 3_600_000 },
  { id: '24h', label: '24 h', ms: 24 * 3_600_000 },
  { id: '7d', label: '7 d', ms: 7 * 86_400_000 },
] as const;
export type ChartRange = (typeof RANGES)[number];

const STORAGE_KEY = 'licmon.range';
const DEFAULT: ChartRange = RANGES[0];

export class RangePicker {
  private readonly select = el('select', { 'aria-label': 'Time range of the charts', id: 'chart-range' });
  private range: ChartRange;

  constructor(parent: HTMLElement, onChange: (range: ChartRange) => void) {
    this.range = RANGES.find((r) => r.id === read()) ?? DEFAULT;
    this.select.append(...RANGES.map((r) => el('option', { value: r.id }, r.label)));
    this.select.value = this.range.id;
    parent.append(' ', this.select);
    this.select.addEventListener('change', () => {
      this.range = RANGES.find((r) => r.id === this.select.value) ?? DEFAULT;
      write(this.range.id);
      onChange(this.range);
    });
  }

  get current(): ChartRange {
    return this.range;
  }
}

function read(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function write(id: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, id);
  } catch {
    // Storage disabled: the range lasts as long as the page.
  }
}
