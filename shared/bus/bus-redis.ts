// The Redis bus: the cluster's meeting point. One connection for commands, one for pub/sub
// (a subscribed connection can run nothing else). Publishing goes through two small Lua
// scripts (scripts/*.lua) so history and live delivery never disagree.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { StreamMessage } from '../protocol/index.ts';
import { type Bus, type ClusterConnections, type Delivery, type DeliveryListener, type PublishResult, serializeForPublish, streamOf } from './bus.ts';
import { BusKeys } from './keys.ts';

const script = (name: string) => readFileSync(new URL(`./scripts/${name}.lua`, import.meta.url), 'utf8');
const PUBLISH_EVENT = script('publish-event');
const PUBLISH_METRICS = script('publish-metrics');

const NODE_TTL_MS = 10_000;
/** How often a publisher re-announces a site it publishes to (the registry survives a Redis restart). */
const SITE_ANNOUNCE_MS = 5_000;

export interface RedisBusOptions {
  url: string;
  prefix: string;
  /** Approximate number of logs and alerts kept per site for replay. */
  historyLength?: number;
  logger?: Logger;
}

type ScriptedRedis = Redis & {
  licmonPublishEvent(stream: string, channel: string, json: string, maxLen: number, name: string): Promise<string>;
  licmonPublishMetrics(latest: string, channel: string, source: string, json: string): Promise<number>;
};

export class RedisBus implements Bus {
  readonly kind = 'redis' as const;
  readonly keys: BusKeys;
  private readonly cmd: ScriptedRedis;
  private readonly sub: Redis;
  private readonly historyLength: number;
  private readonly siteAnnounced = new Map<string, number>();
  private readonly readyListeners: Array<(ready: boolean) => void> = [];
  private wasReady = false;
  private subscribed = false;

  constructor(private readonly options: RedisBusOptions) {
    this.keys = new BusKeys(options.prefix);
    this.historyLength = options.historyLength ?? 10_000;
    const retryStrategy = (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000) + Math.floor(Math.random() * 100);
    this.cmd = new Redis(options.url, { lazyConnect: true, enableAutoPipelining: true, retryStrategy, maxRetriesPerRequest: 3 }) as ScriptedRedis;
    this.sub = new Redis(options.url, { lazyConnect: true, retryStrategy, maxRetriesPerRequest: null });
    this.cmd.defineCommand('licmonPublishEvent', { numberOfKeys: 2, lua: PUBLISH_EVENT });
    this.cmd.defineCommand('licmonPublishMetrics', { numberOfKeys: 2, lua: PUBLISH_METRICS });
    for (const conn of [this.cmd, this.sub]) {
      for (const event of ['ready', 'close', 'end', 'reconnecting']) conn.on(event, () => this.checkReady());
      conn.on('error', (err: Error) => this.options.logger?.warn({ err: err.message }, 'redis connection error'));
    }
  }

  /** Open both connections; rejects if Redis cannot be reached at all. */
  async connect(): Promise<this> {
    await Promise.all([this.cmd.connect(), this.sub.connect()]);
    return this;
  }

  get ready(): boolean {
    return this.cmd.status === 'ready' && this.sub.status === 'ready';
  }

  onReadyChange(listener: (ready: boolean) => void): void {
    this.readyListeners.push(listener);
  }

  async publish(message: StreamMessage): Promise<PublishResult> {
    const stream = streamOf(message);
    const json = serializeForPublish(message);
    this.announceSite(stream);
    if (message.type === 'metrics') {
      await this.cmd.licmonPublishMetrics(this.keys.latest(stream), this.keys.metrics(stream), message.source ?? '', json);
      return {};
    }
    const id = await this.cmd.licmonPublishEvent(this.keys.stream(stream), this.keys.events(stream), json, this.historyLength, stream);
    return { id };
  }

  async subscribe(listener: DeliveryListener): Promise<void> {
    this.sub.on('pmessage', (_pattern: string, channel: string, json: string) => {
      const route = this.keys.parseChannel(channel);
      if (route) listener({ kind: route.kind, stream: route.site, json });
    });
    if (!this.subscribed) {
      this.subscribed = true;
      await this.sub.psubscribe(this.keys.channelPattern());
    }
  }

  async latestMetrics(): Promise<Delivery[]> {
    const sites = await this.cmd.smembers(this.keys.sites());
    const values = await Promise.all(sites.map((site) => this.cmd.hvals(this.keys.latest(site))));
    return sites.flatMap((stream, i) => values[i]!.map((json): Delivery => ({ kind: 'metrics', stream, json })));
  }

  async reportConnections(nodeId: string, active: number, opened: number): Promise<ClusterConnections> {
    const now = Date.now();
    const replies = await this.cmd
      .multi()
      .hset(this.keys.nodes(), nodeId, JSON.stringify({ active, at: now }))
      .incrby(this.keys.connectionsTotal(), opened)
      .hgetall(this.keys.nodes())
      .exec();
    if (!replies) throw new Error('presence report was discarded');
    const [, [, total], [, nodes]] = replies as [unknown, [unknown, number], [unknown, Record<string, string>]];
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

  /** Remove this node from the presence hash (on clean shutdown). */
  async forgetNode(nodeId: string): Promise<void> {
    await this.cmd.hdel(this.keys.nodes(), nodeId);
  }

  async close(): Promise<void> {
    this.sub.disconnect();
    await this.cmd.quit().catch(() => this.cmd.disconnect());
  }

  private announceSite(stream: string): void {
    const now = Date.now();
    if (now - (this.siteAnnounced.get(stream) ?? 0) < SITE_ANNOUNCE_MS) return;
    this.siteAnnounced.set(stream, now);
    void this.cmd.sadd(this.keys.sites(), stream).catch(() => this.siteAnnounced.delete(stream));
  }

  private checkReady(): void {
    const ready = this.ready;
    if (ready === this.wasReady) return;
    this.wasReady = ready;
    for (const listener of this.readyListeners) listener(ready);
  }
}

function parseNode(value: string): { active: number; at: number } | undefined {
  try {
    const node = JSON.parse(value) as { active?: unknown; at?: unknown };
    return typeof node.active === 'number' && typeof node.at === 'number' ? { active: node.active, at: node.at } : undefined;
  } catch {
    return undefined;
  }
}
