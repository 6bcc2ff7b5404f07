// PUBLISH_WAIT_REPLICAS: a publish counts as acknowledged only once that many replicas have it
// (Redis WAIT), so a failover right after it cannot take it away. One WAIT covers a whole batch:
// at most one is in flight, and the publishes answered while it is gather for the next one, so
// under load the batches grow instead of WAITs queueing up (a WAIT blocks its connection on the
// server, and the writes behind it, until the replicas answer).
//
// WAIT vouches for the writes sent earlier on the same connection. It goes out after the writes'
// replies rather than pipelined behind them: ioredis re-sends a script as EVAL after NOSCRIPT, and
// re-sends unanswered commands after a reconnect, either of which would put a write behind the
// WAIT meant to cover it. A reconnect between a write's reply and its WAIT makes the WAIT vouch for
// nothing (a new connection has written nothing), so such a batch counts as not acknowledged.
import type { Redis } from 'ioredis';

export interface ReplicaWaitOptions {
  /** Replicas that must have a write (WAIT's numreplicas). */
  readonly replicas: number;
  /** How long one WAIT may block; never 0, which would block for good. */
  readonly timeoutMs: number;
}

export class ReplicaWait {
  private batch: Array<(acknowledged: boolean) => void> = [];
  /** The connection the gathering batch's first write was answered on. */
  private batchConnection = 0;
  private connection = 0;
  private waiting = false;

  constructor(private readonly client: Redis, private readonly options: ReplicaWaitOptions) {
    client.on('ready', () => this.connection++);
  }

  /** Call once a write has been answered: true when enough replicas have it, false when WAIT timed out or failed. */
  acknowledged(): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.batch.length === 0) this.batchConnection = this.connection;
      this.batch.push(resolve);
      if (this.waiting) return;
      this.waiting = true;
      // The rest of this turn's replies join the batch first.
      process.nextTick(() => this.send());
    });
  }

  private send(): void {
    const batch = this.batch;
    const connection = this.batchConnection;
    this.batch = [];
    const settle = (acknowledged: boolean) => {
      for (const resolve of batch) resolve(acknowledged);
      if (this.batch.length > 0) this.send();
      else this.waiting = false;
    };
    this.client.wait(this.options.replicas, this.options.timeoutMs).then(
      (replicas) => settle(replicas >= this.options.replicas && this.connection === connection),
      () => settle(false),
    );
  }
}
