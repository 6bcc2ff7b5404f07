// Alerts by their key: a `firing` alert is active until a `resolved` one with the same key
// arrives, then it moves to the (bounded) resolved list. Severity is the level it fired with —
// a resolution is sent at `info` and names the fired level in `metadata.firedLevel`.
import type { AlertMessage, Level } from '@licmon/client';
import { isLevel, severity } from '../levels.ts';
import { RingBuffer } from './ring-buffer.ts';

export interface AlertEntry {
  readonly key: string;
  readonly rule: string;
  readonly level: Level;
  readonly message: string;
  readonly site: string | undefined;
  readonly server: string | undefined;
  /** When it fired (ms), if this page saw it fire. */
  readonly firedAt: number | undefined;
  readonly resolvedAt?: number;
  readonly resolution?: string;
}

const RESOLVED_KEPT = 200;

export class AlertStore {
  private readonly firing = new Map<string, AlertEntry>();
  readonly resolved = new RingBuffer<AlertEntry>(RESOLVED_KEPT);

  add(alert: AlertMessage): void {
    const at = Date.parse(alert.timestamp);
    const server = typeof alert.metadata?.server === 'string' ? alert.metadata.server : undefined;
    if (alert.status === 'firing') {
      const previous = this.firing.get(alert.key);
      // A re-fire (a worse level, a new count) updates the text but keeps when it started.
      this.firing.set(alert.key, { key: alert.key, rule: alert.rule, level: alert.level, message: alert.message, site: alert.site, server, firedAt: previous?.firedAt ?? at });
      return;
    }
    const fired = this.firing.get(alert.key);
    this.firing.delete(alert.key);
    const firedLevel = alert.metadata?.firedLevel;
    const level = fired?.level ?? (isLevel(firedLevel) ? firedLevel : alert.level);
    this.resolved.push({
      key: alert.key, rule: alert.rule, level, message: fired?.message ?? alert.message, site: alert.site, server,
      firedAt: fired?.firedAt, resolvedAt: at, resolution: alert.message,
    });
  }

  /** Most severe first, then the longest firing first. */
  active(): AlertEntry[] {
    return [...this.firing.values()].sort((a, b) => severity(b.level) - severity(a.level) || (a.firedAt ?? 0) - (b.firedAt ?? 0));
  }

  /** Newest resolution first. */
  recentlyResolved(limit: number): AlertEntry[] {
    const out: AlertEntry[] = [];
    for (let i = this.resolved.length - 1; i >= 0 && out.length < limit; i--) out.push(this.resolved.at(i)!);
    return out;
  }

  severityCounts(): Record<Level, number> {
    const counts: Record<Level, number> = { critical: 0, error: 0, warn: 0, info: 0, debug: 0 };
    for (const a of this.firing.values()) counts[a.level]++;
    return counts;
  }
}
