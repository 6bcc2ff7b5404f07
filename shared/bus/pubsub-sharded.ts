// Pub/sub on a Redis Cluster: sharded pub/sub, so one site's messages are published and delivered
// by the shard that holds the site's keys instead of being broadcast to every node. ioredis keeps
// one subscriber connection per shard (`shardedSubscribers: true`) and subscribes again after a
// reconnect.
//
// Sharded pub/sub has no pattern subscribe, so the sites are learnt from Redis: the sites set at
// start (heard live from then on), then every site a publisher announces on the new-sites channel
// as it first publishes there, and, as a safety net for announcements missed (or publishers that
// only add to the set), the set again every few seconds. A site learnt after start is read from
// the beginning of its history (late-streams.ts), so its first messages are not lost.
import type { Cluster } from 'ioredis';
import { LateStreams } from './late-streams.ts';
import type { PubSub, PubSubContext } from './pubsub.ts';

/** How often the sites set is read again, in case an announcement was missed. */
const SITE_POLL_MS = 5000;
/** How long a shard's subscriber must stay subscribed after a loss before the bus is ready again. */
const SHARD_SETTLE_MS = 500;

export class ShardedPubSub implements PubSub {
  readonly publishCommand = 'SPUBLISH';
  private readonly known = new Set<string>();
  private late: LateStreams | undefined;
  private poll: ReturnType<typeof setInterval> | undefined;
  /** A shard's subscriber connection was lost and is not subscribed again yet. */
  private shardLost = false;

  constructor(private readonly cluster: Cluster) {}

  get ready(): boolean {
    return !this.shardLost;
  }

  onStateChange(listener: () => void): void {
    // ioredis replaces a lost shard subscriber ('-subscriber') and says 'subscribersReady' once
    // the replacements are subscribed again — or failed to connect: while a node is down it
    // cycles through both many times a second. So a shard counts as back only once
    // 'subscribersReady' has held for a while.
    let settling: ReturnType<typeof setTimeout> | undefined;
    const lost = () => {
      clearTimeout(settling);
      if (this.shardLost) return;
      this.shardLost = true;
      listener();
    };
    this.cluster.on('-subscriber', lost);
    this.cluster.on('subscribersReady', () => {
      clearTimeout(settling);
      if (!this.shardLost) return;
      settling = setTimeout(() => {
        this.shardLost = false;
        listener();
      }, SHARD_SETTLE_MS);
      settling.unref();
    });
    // A master that hands its slots to another node (a failover, or slots migrated away) drops
    // its subscribers' channels in them, telling each with an SUNSUBSCRIBE it sends by itself.
    // ioredis 5 does not expect one: it reports a "Command queue state error" on that shard's
    // subscriber and does nothing else, its connection left open and deaf to those channels. So
    // the shard counts as lost, and the slot map is read again: ioredis then subscribes the
    // channels again where the map says, and says 'subscribersReady'. That map may still be
    // stale (the node asked has not heard of the new master yet), and the channels subscribed
    // again on the old master, now a replica of the new one (Redis delivers a shard's messages
    // on its replicas too) — but not before some were published unheard: hence lost, and caught
    // up on. The periodic read (slotsRefreshInterval) later moves them to the new master.
    this.cluster.on('nodeError', (err: Error) => {
      if (!/Last reply: sunsubscribe\b/.test(err.message)) return;
      lost();
      this.cluster.refreshSlotsCache();
    });
  }

  async connect(): Promise<void> {
    // The bus's command client is the cluster itself: it is connected by the bus.
  }

  async start(context: PubSubContext): Promise<void> {
    const { keys, deliver, logger } = context;
    const late = new LateStreams(context, deliver, logger);
    this.late = late;
    this.cluster.on('smessage', (channel: string, json: string) => {
      const route = keys.parseChannel(channel);
      if (route) late.live({ kind: route.kind, stream: route.site, json });
    });
    this.cluster.on('message', (channel: string, site: string) => {
      if (channel === keys.newSites()) void this.learn(context, site, true);
    });
    await this.cluster.subscribe(keys.newSites());
    await this.learnAll(context, false);
    this.poll = setInterval(() => {
      this.learnAll(context, true).catch((err: unknown) => logger?.warn({ err }, 'could not read the sites set'));
    }, SITE_POLL_MS);
    this.poll.unref();
  }

  close(): void {
    clearInterval(this.poll);
    this.late?.close();
  }

  private async learnAll(context: PubSubContext, fromStart: boolean): Promise<void> {
    const sites = await this.cluster.smembers(context.keys.sites());
    await Promise.all(sites.map((site) => this.learn(context, site, fromStart)));
  }

  /** SSUBSCRIBE a site's channels (one slot, thanks to the hash tag); a late site is read from its start. */
  private async learn({ keys }: PubSubContext, site: string, fromStart: boolean): Promise<void> {
    if (this.known.has(site)) return;
    this.known.add(site);
    const subscribe = () => this.cluster.ssubscribe(keys.events(site), keys.metrics(site));
    if (fromStart) await this.late!.introduce(site, subscribe);
    else await subscribe();
  }
}
