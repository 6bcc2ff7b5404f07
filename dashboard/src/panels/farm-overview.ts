// Sites → license servers at a glance: up or down, a triad's quorum and master, each vendor
// daemon, licenses in use. Rows are kept per server and updated in place; the chips of hosts and
// daemons are rebuilt only when their content changes.
import { el, setText } from '../dom.ts';
import { percent } from '../format.ts';
import { EMPTY_FARM_TEXT } from './empty-farm.ts';
import type { ServerHost, ServerCounts, VendorDaemon } from '../metrics-fields.ts';
import type { FarmStore, ServerView, SiteView } from '../store/farm-store.ts';

type Licenses = ServerView['licenses'];

export class FarmOverview {
  private readonly summary = el('p', { class: 'summary' });
  private readonly list = el('div', { class: 'sites' });
  private readonly sites = new Map<string, SiteCard>();

  constructor(root: HTMLElement, private readonly store: FarmStore) {
    root.append(this.summary, this.list);
  }

  render(): void {
    const { counts, licenses } = this.store.farm;
    setText(this.summary, counts ? `${counts.total} servers: ${serverCounts(counts)} · licenses ${usage(licenses)}` : this.store.sites.size > 0 ? 'waiting for the farm roll-up…' : EMPTY_FARM_TEXT);
    for (const name of [...this.store.sites.keys()].sort()) {
      let card = this.sites.get(name);
      if (!card) {
        card = new SiteCard(name);
        this.sites.set(name, card);
        insertSorted(this.list, card.root, name);
      }
      card.update(this.store.sites.get(name)!);
    }
  }
}

class SiteCard {
  readonly root: HTMLElement;
  private readonly counts = el('span', { class: 'counts' });
  private readonly servers = el('div', { class: 'servers' });
  private readonly rows = new Map<string, ServerRow>();

  constructor(name: string) {
    this.root = el('article', { class: 'site', 'data-site': name }, el('h3', {}, name, ' ', this.counts), this.servers);
  }

  update(site: SiteView): void {
    const views = [...site.servers.values()];
    const counts = site.counts ?? { total: views.length, up: views.filter((s) => s.status === 'up').length, down: views.filter((s) => s.status === 'down').length, stale: 0 };
    setText(this.counts, `${serverCounts(counts)} · ${usage(site.licenses)}`);
    this.root.dataset.health = counts.down > 0 ? 'degraded' : 'ok';
    for (const view of views) {
      let row = this.rows.get(view.id);
      if (!row) {
        row = new ServerRow(view.id);
        this.rows.set(view.id, row);
        insertSorted(this.servers, row.root, view.id);
      }
      row.update(view);
    }
  }
}

class ServerRow {
  readonly root: HTMLElement;
  private readonly address = el('span', { class: 'address' });
  private readonly triad = el('span', { class: 'triad' });
  private readonly hosts = el('span', { class: 'chips' });
  private readonly vendors = el('span', { class: 'chips' });
  private readonly usage = el('span', { class: 'usage' });
  private readonly error = el('span', { class: 'error' });
  private chipsSignature = '';

  constructor(id: string) {
    this.root = el('div', { class: 'server', 'data-server': id },
      el('span', { class: 'dot' }), el('span', { class: 'server-id' }, id), this.address, this.triad, this.hosts, this.vendors, this.usage, this.error);
  }

  update(view: ServerView): void {
    this.root.dataset.status = view.status;
    setText(this.address, view.address ?? '');
    setText(this.triad, triadState(view.hosts));
    setText(this.usage, view.status === 'up' ? usage(view.licenses) : 'down');
    setText(this.error, view.error ?? '');
    const signature = JSON.stringify([view.hosts, view.vendors]);
    if (signature === this.chipsSignature) return;
    this.chipsSignature = signature;
    this.hosts.replaceChildren(...view.hosts.map(hostChip));
    this.vendors.replaceChildren(...view.vendors.map(vendorChip));
  }
}

/** A triad serves while two of its three hosts are up; the master is the one clients talk to. */
function triadState(hosts: readonly ServerHost[]): string {
  if (hosts.length !== 3) return hosts.length === 1 ? 'single host' : '';
  const up = hosts.filter((h) => h.status === 'up').length;
  return `triad ${up}/3 up${up < 2 ? ' — no quorum' : ''}`;
}

function hostChip(host: ServerHost): HTMLElement {
  return el('span', { class: `chip ${host.status}`, title: host.error ?? `${host.host}: ${host.status}${host.master ? ' (master)' : ''}` }, host.master ? `★ ${host.host}` : host.host);
}

function vendorChip(vendor: VendorDaemon): HTMLElement {
  return el('span', { class: `chip vendor ${vendor.status}`, title: vendor.error ?? `vendor daemon ${vendor.name} ${vendor.version ?? ''}: ${vendor.status}` }, vendor.name);
}

function serverCounts(c: ServerCounts): string {
  return [`${c.up} up`, c.down > 0 ? `${c.down} down` : '', c.stale > 0 ? `${c.stale} not polled yet` : ''].filter(Boolean).join(', ');
}

function usage(licenses: Licenses): string {
  return licenses ? `${licenses.used}/${licenses.total} in use (${percent(licenses.utilization)})` : '–';
}

/** Keep children ordered by their key (sites, servers appear in any order). */
function insertSorted(parent: HTMLElement, child: HTMLElement, key: string): void {
  const next = [...parent.children].find((c) => (c as HTMLElement).dataset.key! > key);
  child.dataset.key = key;
  parent.insertBefore(child, next ?? null);
}
