// How `licmon who` shows the holders of a feature: per server, a header with its counts, then one
// aligned row per holder — user, host, display, since (in the server's zone, as published), how
// long, count, linger/borrowed marks — longest-held first, "N more" where the collector's bound
// cut the list, then reservations and the queue.
import type { FeatureDetail, Holder } from '../shared/protocol/index.ts';

/** One server's view of the feature, as its latest metrics snapshot told it. */
export interface ServerFeature {
  readonly server: string;
  readonly site: string | undefined;
  /** When the snapshot was taken (its `timestamp`). */
  readonly timestamp: string;
  readonly feature: FeatureDetail;
}

/** Where a hidden user's name would be (`privacy.users: hidden`). */
const HIDDEN = '(hidden)';

const COLUMNS = ['USER', 'HOST', 'DISPLAY', 'SINCE', 'HELD', 'COUNT', ''] as const;

export function formatWho(servers: readonly ServerFeature[], now: number): string {
  return servers.map((s) => formatServer(s, now)).join('\n');
}

function formatServer({ server, site, feature: f }: ServerFeature, now: number): string {
  const issued = f.issued === null ? 'uncounted' : `${f.used} of ${f.issued} in use`;
  const lines = [`${f.name} on ${server}${site === undefined ? '' : ` (${site})`}: ${issued}, ${f.queued} queued, ${f.reserved} reserved`];
  // The collector sends them longest-held first; sorted again so any publisher's list reads the same.
  const holders = [...(f.holders ?? [])].sort((a, b) => heldMs(b, now) - heldMs(a, now));
  if (f.holders === undefined) lines.push('  (this server publishes no holder lists)');
  else if (holders.length === 0 && !f.holdersOmitted) lines.push('  nobody holds it');
  else lines.push(...table([[...COLUMNS], ...holders.map((h) => row(h, now))]).map((line) => `  ${line}`));
  if (f.holdersOmitted) lines.push(`  … ${f.holdersOmitted} more (not published: the farm's holdersPerFeature bound)`);
  for (const r of f.reservations ?? []) lines.push(`  reserved: ${r.count} for ${r.kind} ${r.target || HIDDEN}`);
  for (const q of f.queue ?? []) lines.push(`  queued: ${q.user ?? HIDDEN}@${q.host}${q.display ? ` ${q.display}` : ''} for ${q.count}`);
  if (f.queueOmitted) lines.push(`  … ${f.queueOmitted} more queued`);
  return `${lines.join('\n')}\n`;
}

function row(h: Holder, now: number): string[] {
  const marks = [h.linger !== null ? `linger ${h.linger}s` : '', h.borrowed ? 'borrowed' : ''].filter(Boolean).join(', ');
  return [h.user ?? HIDDEN, h.host, h.display, h.since === null ? '?' : h.since.replace('T', ' '), h.since === null ? '?' : heldFor(heldMs(h, now)), String(h.count), marks];
}

/** How long it has been held; a holder without a start time sorts last. */
function heldMs(h: Holder, now: number): number {
  const since = h.since === null ? Number.NaN : Date.parse(h.since);
  return Number.isNaN(since) ? -1 : Math.max(0, now - since);
}

/** `45s`, `12m`, `3h 05m`, `2d 04h`. */
export function heldFor(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${String(h % 24).padStart(2, '0')}h`;
}

/** Rows padded into aligned columns; the last column is not padded. */
function table(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}
