// cpu, memory and disk of every license server's host: one row per host, bars that turn amber
// and red as they fill, updated in place.
import { el, setText } from '../dom.ts';
import { gib, percent } from '../format.ts';
import type { FarmStore, HostView } from '../store/farm-store.ts';

export class HostMetrics {
  private readonly body = el('tbody');
  private readonly rows = new Map<string, HostRow>();

  constructor(root: HTMLElement, private readonly store: FarmStore) {
    root.append(el('table', { class: 'hosts' },
      el('thead', {}, el('tr', {}, ...['host', 'site', 'serves', 'cpu', 'memory', 'disk'].map((h) => el('th', {}, h)))),
      this.body));
  }

  render(): void {
    const hosts = [...this.store.hosts.values()].sort((a, b) => (a.site ?? '').localeCompare(b.site ?? '') || a.host.localeCompare(b.host));
    hosts.forEach((view, index) => {
      let row = this.rows.get(view.host);
      if (!row) this.rows.set(view.host, (row = new HostRow(view.host)));
      // Re-append only rows out of place (a new host sorted in): a no-op when the order holds.
      if (this.body.children[index] !== row.root) this.body.insertBefore(row.root, this.body.children[index] ?? null);
      row.update(view);
    });
  }
}

class HostRow {
  readonly root: HTMLTableRowElement;
  private readonly site = el('td');
  private readonly servers = el('td', { class: 'muted' });
  private readonly cpu = new Bar();
  private readonly memory = new Bar();
  private readonly disk = new Bar();

  constructor(host: string) {
    this.root = el('tr', { 'data-host': host }, el('td', {}, host), this.site, this.servers, this.cpu.cell, this.memory.cell, this.disk.cell);
  }

  update({ site, servers, system }: HostView): void {
    setText(this.site, site ?? '');
    setText(this.servers, servers.join(', '));
    this.cpu.set(system.cpu.usage, `${percent(system.cpu.usage)} of ${system.cpu.cores} cores`);
    this.memory.set(system.memory.percentage, `${gib(system.memory.used)} / ${gib(system.memory.total)}`);
    this.disk.set(system.disk.percentage, `${gib(system.disk.used)} / ${gib(system.disk.total)}`);
  }
}

class Bar {
  readonly cell = el('td', { class: 'bar-cell' });
  private readonly fill = el('div', { class: 'fill' });
  private readonly label = el('span');

  constructor() {
    this.cell.append(el('div', { class: 'bar' }, this.fill, this.label));
  }

  set(percentage: number, text: string): void {
    const clamped = Math.min(100, Math.max(0, percentage));
    this.fill.style.width = `${clamped}%`;
    this.fill.dataset.level = clamped >= 90 ? 'high' : clamped >= 75 ? 'raised' : 'normal';
    setText(this.label, text);
  }
}
