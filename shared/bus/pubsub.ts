// How a Redis bus hears what is published. It depends on the Redis topology:
// - one server (pubsub-pattern.ts): classic pub/sub, one PSUBSCRIBE on every site's channels;
// - Redis Cluster (pubsub-sharded.ts): sharded pub/sub, so each site's traffic stays on the shard
//   that holds its keys. Sharded pub/sub has no pattern subscribe: the subscriber learns which
//   sites exist from Redis and SSUBSCRIBEs each.
// The publish scripts are the same for both; only the command they publish with differs.
import type { Logger } from '../logger.ts';
import type { Bus, Delivery, DeliveryListener } from './bus.ts';
import type { BusKeys } from './keys.ts';

export interface PubSubContext {
  readonly keys: BusKeys;
  /** Where every received message goes (in publish order per stream). */
  readonly deliver: DeliveryListener;
  /** The bus's history, for streams learnt after subscribing (read from their beginning). */
  readonly readHistory: Bus['readHistory'];
  /** A stream's stored latest metrics snapshots, likewise. */
  readonly readLatest: (stream: string) => Promise<Delivery[]>;
  readonly logger?: Logger | undefined;
}

export interface PubSub {
  /** What the publish scripts call: PUBLISH, or SPUBLISH (delivered by the shard that owns the channel's slot). */
  readonly publishCommand: 'PUBLISH' | 'SPUBLISH';
  /** True while every subscription is in place. */
  readonly ready: boolean;
  /** `listener` runs whenever `ready` may have changed. */
  onStateChange(listener: () => void): void;
  /** Open what this topology needs besides the bus's command client. */
  connect(): Promise<void>;
  /** Start receiving every site's messages; called once. */
  start(context: PubSubContext): Promise<void>;
  close(): void;
}
