// A feature's holders, inside its chart card: user, host, since, how long and count, longest-held
// first; linger, borrowing and reservations marked. Rebuilt only when what it shows changed.
import type { Holder } from '@licmon/client';
import { el, setText } from '../dom.ts';
import { duration } from '../format.ts';
import type { FeatureHolders } from '../store/holder-store.ts';

export class HoldersView {
  readonly root = el('details', { class: 'holders' });
  private readonly title = el('summary', {});
  private readonly body = el('div', {});
  private shown = '';

  constructor() {
    this.root.append(this.title, this.body);
    this.root.hidden = true;
  }

  update(entries: readonly FeatureHolders[], now: number): void {
    const rows = entries.flatMap((e) => e.holders.map((h) => ({ h, server: e.server, heldMs: heldFor(h, now) })));
    rows.sort((a, b) => (b.heldMs ?? -1) - (a.heldMs ?? -1));
    const omitted = entries.reduce((n, e) => n + e.omitted, 0);
    const reservations = entries.flatMap((e) => e.reservations.map((r) => `${r.count} reserved for ${r.kind} ${r.target} (${e.server})`));
    const key = JSON.stringify([rows.map((r) => [r.h, r.server, Math.floor((r.heldMs ?? 0) / 60_000)]), omitted, reservations]);
    if (key === this.shown) return;
    this.shown = key;
    this.root.hidden = rows.length === 0 && reservations.length === 0;
    const count = rows.reduce((n, r) => n + r.h.count, 0);
    setText(this.title, `Holders: ${count} license${count === 1 ? '' : 's'}, ${rows.length} checkout${rows.length === 1 ? '' : 's'}${omitted ? ` (+${omitted} more)` : ''}`);
    const table = el('table', {},
      el('thead', {}, el('tr', {}, ...['user', 'host', 'since', 'held', 'count', ''].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...rows.map(({ h, server, heldMs }) => el('tr', { 'data-user': h.user ?? '' },
        el('td', {}, h.user ?? '(hidden)'),
        el('td', {}, h.host),
        el('td', {}, h.since ? new Date(h.since).toLocaleString() : '—'),
        el('td', { class: 'held' }, heldMs === undefined ? '—' : duration(heldMs)),
        el('td', { class: 'count' }, String(h.count)),
        el('td', { class: 'marks' }, marks(h, server)),
      ))));
    this.body.replaceChildren(table, ...reservations.map((r) => el('p', { class: 'reservation' }, r)));
  }
}

function heldFor(h: Holder, now: number): number | undefined {
  const since = h.since ? Date.parse(h.since) : NaN;
  return Number.isNaN(since) ? undefined : Math.max(0, now - since);
}

function marks(h: Holder, server: string): string {
  return [h.linger ? `linger ${duration(h.linger * 1000)}` : '', h.borrowed ? 'borrowed' : '', server].filter(Boolean).join(' · ');
}
