// The Redis bus: the cluster's meeting point, on one Redis server or a Redis Cluster
// (redis-connection.ts). Publishing goes through two small Lua scripts (scripts/*.lua) so history
// and live delivery never disagree; hearing what is published depends on the topology (pubsub.ts).
// On a Redis Cluster every command and script touches one site's keys only, which share a slot
// thanks to the `{site}` hash tag; the few cluster-wide keys are only ever used one at a time.
//
// While Redis is away, ioredis keeps commands in order in its offline queue and resends the
// ones left unanswered when it reconnects; each event carries this producer's id and sequence
// number, so a resend of one that did execute is recognised by the script and not published twice.
// A resend that arrives after newer messages (a Redis Cluster failover) is refused by the script
// and sent again in order (unanswered-publishes.ts), so a producer's messages keep their order.
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { StreamMessage } from '../protocol/index.ts';
import { BusBufferFullError, type BackwardPage, type Bus, type ClusterConnections, type Delivery, type DeliveryListener, type HistoryPage, type InputClaim, type InputRef, type ProducerSequence, type PublishResult, serializeForPublish, streamOf, withId } from './bus.ts';
import { BusKeys } from './keys.ts';
import type { PubSub } from './pubsub.ts';
import { PublishScripts } from './publish-scripts.ts';
import { ReplicaWait, type ReplicaWaitOptions } from './replica-wait.ts';
import { PatternPubSub } from './pubsub-pattern.ts';
import { ShardedPubSub } from './pubsub-sharded.ts';
import { createRedisClient, isClusterTarget, type RedisClient, type RedisTarget } from './redis-connection.ts';
import { DEFAULT_USAGE_RETENTION_MS } from './usage.ts';
import { RedisUsageStore } from './usage-redis.ts';
import { comparePositions, formatPosition, newEpoch, parsePosition, type StreamId, type StreamPosition } from './stream-id.ts';
import { UnansweredPublishes } from './unanswered-publishes.ts';

const NODE_TTL_MS = 10_000;
const ERROR_LOG_MS = 5000;
/** How often a publisher re-announces a site it publishes to (the registry survives a Redis restart). */
const SITE_ANNOUNCE_MS = 5_000;

/** Where Redis is (`url`, or `clusterNodes` for a Redis Cluster) and how the bus behaves. */
export type RedisBusOptions = RedisTarget & {
  prefix: string;
  /** Approximate number of logs and alerts kept per site for replay. */
  historyLength?: number;
  /** Age of the oldest log or alert kept for replay, in ms (0: no age limit). */
  historyMaxAgeMs?: number;
  /** How long usage history is kept, in ms (collectors' USAGE_HISTORY_DAYS). */
  usageRetentionMs?: number;
  /** Messages held while Redis is away before publish rejects with BusBufferFullError. */
  maxBuffered?: number;
  /** Answer a publish only once this many replicas have it (replica-wait.ts); one server or Sentinel, not a cluster. */
  waitReplicas?: ReplicaWaitOptions;
  logger?: Logger;
};

export class RedisBus implements Bus {
  readonly kind = 'redis' as const;
  readonly keys: BusKeys;
  readonly usage: RedisUsageStore;
  /** Messages rejected because the buffer was full while Redis was away. */
  droppedWhileAway = 0;
  private readonly cmd: RedisClient;
  private readonly scripts: PublishScripts;
  private readonly replicaWait: ReplicaWait | undefined;
  private readonly pubsub: PubSub;
  private readonly listeners: DeliveryListener[] = [];
  private readonly historyLength: number;
  private readonly historyMaxAgeMs: number;
  private readonly maxBuffered: number;
  private readonly producerId = `p${randomBytes(6).toString('hex')}`;
  private readonly producerSeq = new Map<string, number>();
  private readonly unanswered = new UnansweredPublishes();
  private inFlight = 0;
  private readonly siteAnnounced = new Map<string, number>();
  private readonly readyListeners: Array<(ready: boolean) => void> = [];
  private wasReady = false;
  private subscribed = false;
  private errorLoggedAt = 0;
  private errorsUnlogged = 0;

  constructor(private readonly options: RedisBusOptions) {
    this.keys = new BusKeys(options.prefix);
    this.historyLength = options.historyLength ?? 10_000;
    this.historyMaxAgeMs = options.historyMaxAgeMs ?? 0;
    this.maxBuffered = options.maxBuffered ?? 10_000;
    const cluster = isClusterTarget(options);
    this.cmd = createRedisClient(options, { maxRetriesPerRequest: null, autoPipelining: true, shardedSubscribers: cluster });
    this.scripts = new PublishScripts(this.cmd, cluster);
    // On a cluster a WAIT would have to reach each node that took the batch's writes.
    if (cluster && options.waitReplicas) throw new Error('waiting for replicas (PUBLISH_WAIT_REPLICAS) is not supported on a Redis Cluster');
    this.replicaWait = options.waitReplicas && new ReplicaWait(this.cmd as Redis, options.waitReplicas);
    this.usage = new RedisUsageStore(this.cmd, this.keys, this.scripts, options.usageRetentionMs ?? DEFAULT_USAGE_RETENTION_MS);
    const logErrors = (client: RedisClient) => client.on('error', (err: Error) => this.logError(err));
    logErrors(this.cmd);
    // On a cluster the command client also holds the shard subscribers; on one server a
    // subscribed connection can run nothing else, so pub/sub gets a connection of its own.
    this.pubsub = cluster
      ? new ShardedPubSub(this.cmd as Cluster)
      : new PatternPubSub(logErrors(createRedisClient(options, { maxRetriesPerRequest: null })) as Redis);
    for (const event of ['ready', 'close', 'end', 'reconnecting']) this.cmd.on(event, () => this.checkReady());
    this.pubsub.onStateChange(() => this.checkReady());
  }

  /** Open the connections; rejects if Redis cannot be reached at all. */
  async connect(): Promise<this> {
    await Promise.all([this.cmd.connect(), this.pubsub.connect()]);
    return this;
  }

  get ready(): boolean {
    return this.cmd.status === 'ready' && this.pubsub.ready;
  }

  onReadyChange(listener: (ready: boolean) => void): void {
    this.readyListeners.push(listener);
  }

  async publish(message: StreamMessage, producer?: ProducerSequence): Promise<PublishResult> {
    if (this.inFlight >= this.maxBuffered && !this.ready) {
      this.droppedWhileAway++;
      throw new BusBufferFullError(`Redis is unreachable and ${this.maxBuffered} messages are already waiting`);
    }
    const stream = streamOf(message);
    const json = serializeForPublish(message);
    this.announceSite(stream);
    this.inFlight++;
    try {
      if (message.type === 'metrics') {
        await this.scripts.metrics([this.keys.latest(stream), this.keys.metrics(stream)], [message.source ?? '', json, this.pubsub.publishCommand]);
        return this.replicated();
      }
      const seq = producer?.seq ?? (this.producerSeq.get(stream) ?? 0) + 1;
      if (!producer) this.producerSeq.set(stream, seq);
      const producerId = producer?.id ?? this.producerId;
      const k = this.keys;
      const alert = message.type === 'alert' ? [message.key, message.status] : ['', ''];
      const unanswered = this.unanswered.begin(producerId, stream, seq);
      let id: string;
      try {
        for (;;) {
          try {
            id = await this.scripts.event([k.stream(stream), k.events(stream), k.epoch(stream), k.producers(stream), k.activeAlerts(stream)],
              [json, this.historyLength, this.historyMaxAgeMs, stream, newEpoch(), producerId, seq, this.pubsub.publishCommand, ...alert, unanswered.oldest()]);
            break;
          } catch (err) {
            if (!isEarly(err)) throw err;
            await unanswered.earlierAnswered();
          }
        }
      } finally {
        unanswered.end();
      }
      // Answered by the master; with PUBLISH_WAIT_REPLICAS, also held until the replicas have it.
      return { id, ...(await this.replicated()) };
    } finally {
      this.inFlight--;
    }
  }

  /** After a publish was answered: whether the replicas asked for have it, when some are. */
  private async replicated(): Promise<{ underReplicated?: true }> {
    return !this.replicaWait || (await this.replicaWait.acknowledged()) ? {} : { underReplicated: true };
  }

  async claimInput(ref: InputRef, ttlMs: number): Promise<InputClaim | undefined> {
    const k = this.keys;
    const reply = await this.scripts.claimInput([k.inputLease(ref.stream, ref.input), k.inputCheckpoint(ref.stream, ref.input), k.producers(ref.stream)], [ref.owner, ttlMs, ref.input]);
    if (!reply) return undefined;
    return { checkpoint: reply[0] === '' ? undefined : reply[0], producerSeq: Number(reply[1]) };
  }

  async commitCheckpoint(ref: InputRef, checkpoint: string | undefined, ttlMs: number, release = false): Promise<boolean> {
    const k = this.keys;
    return this.scripts.commitCheckpoint([k.inputLease(ref.stream, ref.input), k.inputCheckpoint(ref.stream, ref.input)], [ref.owner, checkpoint ?? '', ttlMs, release ? 'release' : 'keep']);
  }

  async subscribe(listener: DeliveryListener): Promise<void> {
    this.listeners.push(listener);
    if (this.subscribed) return;
    this.subscribed = true;
    const listeners = this.listeners;
    await this.pubsub.start({
      keys: this.keys,
      deliver: (delivery) => {
        for (let i = 0; i < listeners.length; i++) listeners[i]!(delivery);
      },
      readHistory: (stream, after, limit) => this.readHistory(stream, after, limit),
      readLatest: (stream) => this.latestOf(stream),
      logger: this.options.logger,
    });
  }

  async readHistory(stream: string, after: StreamId | undefined, limit: number): Promise<HistoryPage> {
    const key = this.keys.stream(stream);
    const [epochReply, infoReply] = (await this.cmd.multi().get(this.keys.epoch(stream)).call('XINFO', 'STREAM', key).exec()) ?? [];
    const epoch = (epochReply?.[1] as string | null) ?? undefined;
    if (epoch === undefined || infoReply?.[0]) return { epoch, truncated: after !== undefined, entries: [] }; // no stream: nothing kept
    const sameEpoch = after !== undefined && after.epoch === epoch;
    const truncated = after !== undefined && (!sameEpoch || lostAfter(infoReply?.[1], after));
    const start = sameEpoch || (after && (await this.stillHolds(key, after))) ? `(${formatPosition(after!)}` : '-';
    const rows = (await this.cmd.xrange(key, start, '+', 'COUNT', limit)) as Array<[string, string[]]>;
    const entries = rows.map(([position, fields]): Delivery => ({
      kind: 'events',
      stream,
      json: withId(fields[1] ?? '{}', `${stream}:${epoch}:${position}`),
    }));
    return { epoch, truncated, entries };
  }

  async readHistoryBackwards(stream: string, before: StreamPosition | undefined, limit: number): Promise<BackwardPage> {
    const [epochReply, rowsReply] = (await this.cmd.multi().get(this.keys.epoch(stream)).xrevrange(this.keys.stream(stream), before ? `(${formatPosition(before)}` : '+', '-', 'COUNT', limit).exec()) ?? [];
    const epoch = (epochReply?.[1] as string | null) ?? undefined;
    const rows = (rowsReply?.[1] as Array<[string, string[]]> | undefined) ?? [];
    if (epoch === undefined) return { epoch, entries: [] };
    return { epoch, entries: rows.map(([position, fields]) => ({ kind: 'events', stream, json: withId(fields[1] ?? '{}', `${stream}:${epoch}:${position}`) })) };
  }

  async activeAlerts(): Promise<Delivery[]> {
    const sites = await this.cmd.smembers(this.keys.sites());
    const perSite = await Promise.all(sites.map(async (stream) => (await this.cmd.hvals(this.keys.activeAlerts(stream))).map((json): Delivery => ({ kind: 'events', stream, json }))));
    return perSite.flat();
  }

  /**
   * Another epoch, yet the very entry `after` names is still in the stream: the stream was not
   * lost, only a part of it (a promoted replica lacked its last writes, which the publish script
   * noticed). Nothing before `after` is missing for this reader, so it goes on from there, told
   * HISTORY_TRUNCATED for what may be missing after it, instead of being replayed everything kept.
   */
  private async stillHolds(key: string, after: StreamPosition): Promise<boolean> {
    const position = formatPosition(after);
    return ((await this.cmd.xrange(key, position, position)) as unknown[]).length > 0;
  }

  async heads(): Promise<Map<string, StreamId | undefined>> {
    const sites = await this.cmd.smembers(this.keys.sites());
    // One round trip per site, all at once (auto-pipelined); each touches one slot.
    const replies = await Promise.all(sites.map((site) => this.cmd.pipeline().get(this.keys.epoch(site)).xrevrange(this.keys.stream(site), '+', '-', 'COUNT', 1).exec()));
    const heads = new Map<string, StreamId | undefined>();
    sites.forEach((stream, i) => {
      const [epochReply, lastReply] = replies[i] ?? [];
      const epoch = epochReply?.[1] as string | null | undefined;
      const last = (lastReply?.[1] as Array<[string, string[]]> | undefined)?.[0];
      const position = last && parsePosition(last[0]);
      heads.set(stream, epoch && position ? { stream, epoch, ...position } : undefined);
    });
    return heads;
  }

  async latestMetrics(): Promise<Delivery[]> {
    const sites = await this.cmd.smembers(this.keys.sites());
    return (await Promise.all(sites.map((site) => this.latestOf(site)))).flat();
  }

  private async latestOf(stream: string): Promise<Delivery[]> {
    return (await this.cmd.hvals(this.keys.latest(stream))).map((json): Delivery => ({ kind: 'metrics', stream, json }));
  }

  async reportConnections(nodeId: string, active: number, opened: number): Promise<ClusterConnections> {
    if (!this.ready) throw new Error('Redis is unreachable');
    const now = Date.now();
    // Not one MULTI: the two keys may live on different cluster slots. The HSET and HGETALL go to
    // the same key, so they run in order.
    const [, total, nodes] = await Promise.all([
      this.cmd.hset(this.keys.nodes(), nodeId, JSON.stringify({ active, at: now })),
      this.cmd.incrby(this.keys.connectionsTotal(), opened),
      this.cmd.hgetall(this.keys.nodes()),
    ]);
    let sum = 0;
    const stale: string[] = [];
    for (const [id, value] of Object.entries(nodes)) {
      const node = parseNode(value);
      if (!node || now - node.at > NODE_TTL_MS) stale.push(id);
      else sum += node.active;
    }
    if (stale.length > 0) void this.cmd.hdel(this.keys.nodes(), ...stale).catch(() => undefined);
    return { active: sum, total: Number(total) };
  }

  async close(): Promise<void> {
    this.pubsub.close();
    if (this.ready) await this.cmd.quit().catch(() => this.cmd.disconnect());
    else this.cmd.disconnect();
  }

  /** Keep the site in the sites set; when it is new there, tell subscribers (Redis Cluster needs it, see pubsub-sharded.ts). */
  private announceSite(stream: string): void {
    const now = Date.now();
    if (now - (this.siteAnnounced.get(stream) ?? 0) < SITE_ANNOUNCE_MS) return;
    this.siteAnnounced.set(stream, now);
    this.cmd.sadd(this.keys.sites(), stream).then(
      (added) => (added === 1 ? this.cmd.publish(this.keys.newSites(), stream) : 0),
      () => this.siteAnnounced.delete(stream),
    ).catch(() => undefined);
  }

  /** Log connection errors, at most one line per ERROR_LOG_MS: a lost cluster node errors many times a second. */
  private logError(err: Error): void {
    this.errorsUnlogged++;
    const now = Date.now();
    if (now - this.errorLoggedAt < ERROR_LOG_MS) return;
    this.options.logger?.warn({ err, errors: this.errorsUnlogged }, 'redis connection error');
    this.errorLoggedAt = now;
    this.errorsUnlogged = 0;
  }

  private checkReady(): void {
    const ready = this.ready;
    if (ready === this.wasReady) return;
    this.wasReady = ready;
    for (const listener of this.readyListeners) listener(ready);
  }
}

/** The publish script refused a message that overtook an earlier one of its producer: it goes again after that one. */
function isEarly(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('EARLY ');
}

/** XINFO STREAM answers a flat [name, value, name, value, …] list. */
function infoField(info: unknown, name: string): unknown {
  if (!Array.isArray(info)) return undefined;
  const at = info.indexOf(name);
  return at >= 0 ? info[at + 1] : undefined;
}

/**
 * Can entries after `after` have been removed from this stream? Yes if one newer than it was
 * deleted (max-deleted-entry-id), or if entries were ever removed (trimming takes the oldest
 * first) and `after` is older than the oldest kept. The second is conservative: it cannot prove
 * that nothing between `after` and the oldest kept entry existed.
 */
function lostAfter(info: unknown, after: StreamPosition): boolean {
  const position = (name: string) => parsePosition(String(infoField(info, name) ?? '0-0')) ?? { ms: 0, seq: 0 };
  if (comparePositions(position('max-deleted-entry-id'), after) > 0) return true;
  const removed = Number(infoField(info, 'entries-added')) > Number(infoField(info, 'length'));
  if (!removed) return false;
  const first = infoField(info, 'first-entry');
  const oldestKept = Array.isArray(first) ? parsePosition(String(first[0])) : undefined;
  return comparePositions(oldestKept ?? position('last-generated-id'), after) > 0;
}

function parseNode(value: string): { active: number; at: number } | undefined {
  try {
    const node = JSON.parse(value) as { active?: unknown; at?: unknown };
    return typeof node.active === 'number' && typeof node.at === 'number' ? { active: node.active, at: node.at } : undefined;
  } catch {
    return undefined;
  }
}
