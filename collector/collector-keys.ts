// Every Redis key the collectors keep for themselves (beside the bus's own, shared/bus/keys.ts),
// built in one place and all under REDIS_KEY_PREFIX so tests and clusters sharing a Redis stay apart.

export class CollectorKeys {
  constructor(readonly prefix: string) {}

  /** Hash of the alerts firing in one scope (a license server's id, or `farm`): key → alert JSON. */
  alerts(scope: string): string {
    return `${this.prefix}:alerts:${scope}`;
  }

  /** Hash of consecutive failed polls per license server. */
  pollFailures(): string {
    return `${this.prefix}:poll-failures`;
  }

  /**
   * BullMQ's prefix for the collectors' queues (polls, notifications). The hash tag keeps every key
   * of a queue in one slot, as BullMQ needs on Redis Cluster.
   */
  queuePrefix(): string {
    return `${this.prefix}:{queues}`;
  }
}
