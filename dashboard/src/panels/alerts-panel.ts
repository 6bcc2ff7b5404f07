// Alerts: the active ones by severity with how long they have been firing, and the recently
// resolved ones with when and after how long. Items are kept per alert and reused; the times
// move once a second.
import type { Level } from '@licmon/client';
import { el, setText } from '../dom.ts';
import { duration } from '../format.ts';
import type { AlertEntry, AlertStore } from '../store/alert-store.ts';

const RESOLVED_SHOWN = 30;
const SEVERITIES: readonly Level[] = ['critical', 'error', 'warn', 'info'];

export class AlertsPanel {
  private readonly counts = el('div', { class: 'severity-counts' });
  private readonly activeTitle = el('h3');
  private readonly active = el('ol', { class: 'alerts active' });
  private readonly resolved = el('ol', { class: 'alerts resolved' });
  private readonly items = new Map<string, AlertItem>();

  constructor(root: HTMLElement, private readonly store: AlertStore) {
    root.append(this.counts, this.activeTitle, this.active, el('h3', {}, 'Recently resolved'), this.resolved);
  }

  render(now: number): void {
    const counts = this.store.severityCounts();
    this.counts.replaceChildren(...SEVERITIES.map((level) => el('span', { class: 'severity', 'data-level': level, 'data-count': String(counts[level]) }, `${counts[level]} ${level}`)));
    const active = this.store.active();
    setText(this.activeTitle, active.length === 0 ? 'Active: none' : `Active (${active.length})`);
    const used = new Set<string>();
    const show = (list: HTMLElement, entries: AlertEntry[]) => {
      const nodes = entries.map((entry) => {
        const id = `${entry.key}\n${entry.resolvedAt ?? 'firing'}`;
        used.add(id);
        let item = this.items.get(id);
        if (!item) this.items.set(id, (item = new AlertItem(entry)));
        item.update(entry, now);
        return item.root;
      });
      if (nodes.length !== list.children.length || nodes.some((n, i) => list.children[i] !== n)) list.replaceChildren(...nodes);
    };
    show(this.active, active);
    show(this.resolved, this.store.recentlyResolved(RESOLVED_SHOWN));
    for (const id of this.items.keys()) if (!used.has(id)) this.items.delete(id);
  }
}

class AlertItem {
  readonly root: HTMLElement;
  private readonly message = el('span', { class: 'message' });
  private readonly when = el('span', { class: 'when' });

  constructor(entry: AlertEntry) {
    const where = [entry.site, entry.server].filter(Boolean).join(' / ');
    this.root = el('li', { 'data-key': entry.key, 'data-level': entry.level, 'data-status': entry.resolvedAt === undefined ? 'firing' : 'resolved' },
      el('span', { class: 'level' }, entry.level), this.message, el('span', { class: 'where' }, where, where ? ' · ' : '', entry.rule), this.when);
  }

  update(entry: AlertEntry, now: number): void {
    setText(this.message, entry.message);
    if (entry.resolvedAt === undefined) {
      setText(this.when, entry.firedAt === undefined ? 'firing' : `firing for ${duration(now - entry.firedAt)}`);
      return;
    }
    const lasted = entry.firedAt === undefined ? '' : ` after ${duration(entry.resolvedAt - entry.firedAt)}`;
    setText(this.when, `resolved ${duration(now - entry.resolvedAt)} ago${lasted}`);
    this.root.title = entry.resolution ?? '';
  }
}
