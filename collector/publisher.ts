// The collector's only way onto the bus. Every message is validated against the shared schema
// first: an invalid one is counted and logged (never published, never a crash), as is a publish
// the bus refuses. Publishes are issued in call order and not awaited one by one, so a source's
// order is kept (one Redis connection, pipelined) without a round trip per message.
import type { Bus, ProducerSequence } from '../shared/bus/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { StreamMessage } from '../shared/protocol/index.ts';
import { validateStreamMessage } from './validate-message.ts';

export interface PublisherStats {
  published: number;
  invalid: number;
  failed: number;
  /** Refused because too many publishes were already waiting for the bus. */
  dropped: number;
}

export interface PublisherOptions {
  /** Publishes awaiting the bus beyond which new messages are dropped (and counted). */
  readonly maxPending?: number;
  /** Log at most one warning per problem kind per this many ms; the rest are counted in it. */
  readonly warnEveryMs?: number;
  /** Called with every valid message handed to the bus (e.g. to send alerts as notifications). */
  readonly onPublish?: (message: StreamMessage) => void;
}

type Problem = 'invalid' | 'failed' | 'dropped' | 'underReplicated';

export class Publisher {
  readonly stats: PublisherStats = { published: 0, invalid: 0, failed: 0, dropped: 0 };
  /** Published, yet fewer replicas than PUBLISH_WAIT_REPLICAS had them in time (PublishResult.underReplicated). */
  underReplicated = 0;
  private readonly pending = new Set<Promise<void>>();
  private readonly maxPending: number;
  private readonly warnEveryMs: number;
  private readonly lastWarned = new Map<Problem, { at: number; suppressed: number }>();
  private readonly onPublish: ((message: StreamMessage) => void) | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly logger: Logger,
    options: PublisherOptions = {},
  ) {
    this.maxPending = options.maxPending ?? 10_000;
    this.warnEveryMs = options.warnEveryMs ?? 10_000;
    this.onPublish = options.onPublish;
  }

  /** Validate and publish; `origin` names the source in warnings; `producer` see Bus.publish. False if not sent. */
  publish(candidate: unknown, origin: string, producer?: ProducerSequence): boolean {
    const validation = validateStreamMessage(candidate);
    if (!validation.ok) {
      this.stats.invalid++;
      this.warn('invalid', { origin, error: validation.error }, 'invalid message not published');
      return false;
    }
    if (this.pending.size >= this.maxPending) {
      this.stats.dropped++;
      this.warn('dropped', { origin, pending: this.pending.size }, 'bus is not keeping up: message dropped');
      return false;
    }
    const sent = this.bus.publish(validation.message, producer).then(
      (result) => {
        this.stats.published++;
        if (!result.underReplicated) return;
        this.underReplicated++;
        this.warn('underReplicated', { origin, underReplicated: this.underReplicated }, 'published, but fewer replicas than PUBLISH_WAIT_REPLICAS had it in time');
      },
      (err: unknown) => {
        this.stats.failed++;
        this.warn('failed', { origin, err }, 'publish failed');
      },
    );
    this.pending.add(sent);
    void sent.finally(() => this.pending.delete(sent));
    this.onPublish?.(validation.message);
    return true;
  }

  /** Publishes handed to the bus and not yet answered. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Wait until every publish issued so far has been answered by the bus. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  private warn(problem: Problem, details: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    const last = this.lastWarned.get(problem);
    if (last && now - last.at < this.warnEveryMs) {
      last.suppressed++;
      return;
    }
    this.lastWarned.set(problem, { at: now, suppressed: 0 });
    this.logger.warn({ ...details, suppressed: last?.suppressed ?? 0, stats: this.stats }, msg);
  }
}
