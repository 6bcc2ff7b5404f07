// The collectors' usage-history path: every message the collector publishes passes here, and two
// kinds feed the history on the bus — a license server's snapshot (issued, used and queued of
// each counted or uncounted feature, at the snapshot's time) and a debug-log denial (one more
// denial of its feature on its server, at the line's time). Recorded at the message's own
// timestamp, so what is seeded or replayed with past times lands in the past.
import { NO_SITE, type UsageEntry, type UsageStore } from '../../shared/bus/index.ts';
import type { Logger } from '../../shared/logger.ts';
import type { StreamMessage } from '../../shared/protocol/index.ts';

/** Log at most one failed write per this many ms (Redis away: every poll fails). */
const WARN_EVERY_MS = 10_000;

export class UsageRecorder {
  /** Writes refused by the bus (counted; the history has a gap there). */
  failed = 0;
  private warnedAt = 0;

  constructor(
    private readonly store: UsageStore,
    private readonly logger: Logger,
  ) {}

  /** Record what `message` says about usage, if anything; resolves when written (never rejects). */
  observe(message: StreamMessage): Promise<void> {
    const what = usageOf(message);
    if (!what) return Promise.resolve();
    return this.store.record(what.site, what.server, what.at, what.entries).catch((err: unknown) => {
      this.failed++;
      if (Date.now() - this.warnedAt < WARN_EVERY_MS) return;
      this.warnedAt = Date.now();
      this.logger.warn({ err, failed: this.failed }, 'usage history not recorded');
    });
  }
}

/** The usage a message carries: a server snapshot's features, or a denial. */
export function usageOf(message: StreamMessage): { site: string; server: string; at: number; entries: UsageEntry[] } | undefined {
  const at = Date.parse(message.timestamp);
  const site = message.site ?? NO_SITE;
  if (message.type === 'metrics') {
    if (message.server === undefined || !message.features?.length) return undefined;
    const entries = message.features.map((f): UsageEntry => ({ feature: f.name, sample: { issued: f.issued, used: f.used, queued: f.queued } }));
    return { site, server: message.server, at, entries };
  }
  const meta = message.type === 'log' ? message.metadata : undefined;
  if (meta?.event !== 'denied' || typeof meta.feature !== 'string' || typeof meta.server !== 'string') return undefined;
  return { site, server: meta.server, at, entries: [{ feature: meta.feature, denials: 1 }] };
}
