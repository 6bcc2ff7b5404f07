// A feature's figures over the chosen range, from its usage history: the peak in use and when it
// was reached, time spent at 100%, and denials.
import type { UsageSummary } from '@licmon/client';
import { el, setText } from '../dom.ts';
import { duration } from '../format.ts';

export class FeatureStats {
  readonly root = el('div', { class: 'stats' });

  show(summary: UsageSummary | undefined, rangeLabel: string): void {
    if (!summary) return setText(this.root, `${rangeLabel}: loading history…`);
    const peak = summary.peak
      ? `peak ${summary.peak.used}${summary.peak.issued === null ? '' : `/${summary.peak.issued}`} at ${new Date(summary.peak.at).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' })}`
      : 'no history';
    setText(this.root, `${rangeLabel}: ${peak} · at 100% ${duration(summary.fullMs)} · ${summary.denials} denial${summary.denials === 1 ? '' : 's'}`);
  }
}
