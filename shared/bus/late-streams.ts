// Streams a subscriber learns about after it subscribed. With sharded pub/sub (Redis Cluster) a
// gateway hears a site only once it has SSUBSCRIBEd that site's channels, and it learns that the
// site exists only after the site's first messages were published. Those logs and alerts are in
// the site's history: after subscribing, the stream is read from its beginning, with live ones
// held meanwhile and released after it, so the subscriber gets every one once, in order. Metrics
// are latest-value: live snapshots pass at once, and the site's stored latest snapshot of each
// source not heard live meanwhile is delivered too.
//
// The reads come back on the command connection, the live messages on the subscriber's: a message
// published just before a read can arrive after the read's reply. So before releasing, the stream
// is subscribed again: Redis answers that (a no-op for it) on the subscriber connection after every
// message published before, so by then each of those has been heard, and the held ones and
// snapshots can be sorted exactly into "already read" and "new".
import type { Logger } from '../logger.ts';
import type { Bus, Delivery, DeliveryListener } from './bus.ts';
import { reconnectDelay } from './redis-connection.ts';
import { comparePositions, leadingId, parseStreamId, type StreamId } from './stream-id.ts';

const PAGE = 1000;

interface Introduction {
  /** Live logs and alerts, held until the history has been delivered. */
  readonly held: Delivery[];
  /** Sources of the live metrics snapshots delivered meanwhile (newer than any stored one). */
  readonly metricsHeard: Set<string>;
}

export interface LateStreamSources {
  readonly readHistory: Bus['readHistory'];
  /** A stream's stored latest metrics snapshots. */
  readonly readLatest: (stream: string) => Promise<Delivery[]>;
}

export class LateStreams {
  private readonly introducing = new Map<string, Introduction>();
  private closed = false;

  constructor(
    private readonly sources: LateStreamSources,
    private readonly deliver: DeliveryListener,
    private readonly logger?: Logger,
  ) {}

  /** A live message: delivered now, or held while its stream's history is being read. */
  live(delivery: Delivery): void {
    const introduction = this.introducing.get(delivery.stream);
    if (introduction && delivery.kind === 'events') return void introduction.held.push(delivery);
    if (introduction) introduction.metricsHeard.add(sourceOf(delivery));
    this.deliver(delivery);
  }

  /**
   * Subscribe to a stream learnt late, deliver its history from the beginning, then the live
   * messages that arrived meanwhile (those the history did not already hold). On a Redis fault it
   * retries, from where it got to, until it succeeds or close() is called; live messages stay held.
   */
  async introduce(stream: string, subscribe: () => Promise<unknown>): Promise<void> {
    const { held, metricsHeard }: Introduction = { held: [], metricsHeard: new Set() };
    this.introducing.set(stream, { held, metricsHeard });
    let subscribed = false;
    let stored: Delivery[] | undefined;
    let historyRead = false;
    let last: StreamId | undefined;
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        if (!subscribed) await subscribe();
        subscribed = true;
        stored ??= await this.sources.readLatest(stream);
        while (!historyRead) {
          const page = await this.sources.readHistory(stream, last, PAGE);
          for (const entry of page.entries) {
            this.deliver(entry);
            last = idOf(entry) ?? last;
          }
          historyRead = page.entries.length < PAGE;
        }
        await subscribe(); // the barrier (see the top of this file)
        break;
      } catch (err) {
        this.logger?.warn({ stream, err }, 'could not read a newly learnt stream yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, reconnectDelay(attempt)));
      }
    }
    this.introducing.delete(stream);
    // A source heard live since subscribing has had its stored snapshot (or a newer one) heard.
    for (const snapshot of stored ?? []) if (!metricsHeard.has(sourceOf(snapshot))) this.deliver(snapshot);
    for (const delivery of held) if (isAfter(delivery, last)) this.deliver(delivery);
  }

  close(): void {
    this.closed = true;
  }
}

function idOf(delivery: Delivery): StreamId | undefined {
  const text = leadingId(delivery.json);
  return text === undefined ? undefined : parseStreamId(text);
}

/** Is this live log or alert newer than the last one read from history? */
function isAfter(delivery: Delivery, last: StreamId | undefined): boolean {
  const id = idOf(delivery);
  return !id || !last || id.epoch !== last.epoch || comparePositions(id, last) > 0;
}

function sourceOf(snapshot: Delivery): string {
  try {
    return String((JSON.parse(snapshot.json) as { source?: unknown }).source ?? '');
  } catch {
    return '';
  }
}
