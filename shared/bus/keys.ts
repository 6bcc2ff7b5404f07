// Every Redis key and channel name the cluster uses, built in one place. This is the documented
// channel contract (README, "Redis channel contract"): third parties publish with these names.
//
// Names carry the site in a hash tag (`{site}`) so that, on Redis Cluster, one site's stream,
// channels and snapshots live on one shard.

/** The stream of messages that carry no `site`. Real site names cannot start with "_". */
export const NO_SITE = '_';

export class BusKeys {
  constructor(readonly prefix: string) {}

  /** Redis Stream holding a site's logs and alerts (history for replay); entry field `m` is the JSON. */
  stream(site: string): string {
    return `${this.prefix}:{${site}}:stream`;
  }
  /** The epoch of a site's stream: a random token, new whenever the stream's history was lost. */
  epoch(site: string): string {
    return `${this.prefix}:{${site}}:epoch`;
  }
  /** Hash of each producer's last sequence number and id in a site's stream (de-duplicates retries). */
  producers(site: string): string {
    return `${this.prefix}:{${site}}:producers`;
  }
  /**
   * Where a producer that reads an ordered input (a collector tailing a debug log) left off in it:
   * its checkpoint (an opaque string the producer defines). In the site's slot, beside the
   * producers hash whose sequence numbers it carries.
   */
  inputCheckpoint(site: string, input: string): string {
    return `${this.prefix}:{${site}}:input:${input}:checkpoint`;
  }
  /** The lease on an input: the token of the one producer allowed to read it now (expires). */
  inputLease(site: string, input: string): string {
    return `${this.prefix}:{${site}}:input:${input}:lease`;
  }
  /** Pub/sub channel of a site's logs and alerts; each payload is the message JSON with its `id`. */
  events(site: string): string {
    return `${this.prefix}:{${site}}:events`;
  }
  /** Pub/sub channel of a site's metrics snapshots. */
  metrics(site: string): string {
    return `${this.prefix}:{${site}}:metrics`;
  }
  /** Hash of a site's latest metrics snapshot per source (field: source, value: JSON). */
  latest(site: string): string {
    return `${this.prefix}:{${site}}:latest`;
  }
  /**
   * Hash of a site's alerts firing now: alert key → the firing alert as published (JSON with its
   * id). Set and cleared by the publish script with the alert itself, so it never disagrees with
   * the stream; gateways read it for clients that ask for the active alerts.
   */
  activeAlerts(site: string): string {
    return `${this.prefix}:{${site}}:active-alerts`;
  }
  /**
   * Hash of one hour of a feature's usage history on one server (field: minute of the hour, value:
   * the packed point of shared/bus/scripts/record-usage.lua); expires after the retention.
   */
  usageHour(site: string, server: string, feature: string, hour: number): string {
    return `${this.prefix}:{${site}}:usage:${encodeURIComponent(server)}:${encodeURIComponent(feature)}:${hour}`;
  }
  /** Set of the servers of a site that have usage history of a feature; expires after the retention. */
  usageServers(site: string, feature: string): string {
    return `${this.prefix}:{${site}}:usage-servers:${encodeURIComponent(feature)}`;
  }
  /** Pattern matching every usage history key of every site (the Redis ACL). */
  usagePattern(): string {
    return `${this.prefix}:{*}:usage*`;
  }
  /** Set of every site that has published. */
  sites(): string {
    return `${this.prefix}:sites`;
  }
  /**
   * Pub/sub channel (classic, cluster-wide) on which a publisher names a site it adds to the sites
   * set, so that gateways on Redis Cluster subscribe to the new site's shard at once.
   */
  newSites(): string {
    return `${this.prefix}:new-sites`;
  }
  /** Hash of live gateways: node id → `{"active":n,"at":ms}`. */
  nodes(): string {
    return `${this.prefix}:nodes`;
  }
  /** Counter of WebSocket connections ever opened on this cluster. */
  connectionsTotal(): string {
    return `${this.prefix}:connections:total`;
  }
  /** Pattern matching every events and metrics channel (one Redis server; Redis Cluster has no sharded pattern subscribe). */
  channelPattern(): string {
    return `${this.prefix}:{*}:*`;
  }

  /** Split a channel name back into its site and kind, or undefined if it is not ours. */
  parseChannel(channel: string): { site: string; kind: 'events' | 'metrics' } | undefined {
    const open = this.prefix.length + 1;
    if (!channel.startsWith(this.prefix) || channel[open] !== '{' || channel[open - 1] !== ':') return undefined;
    const close = channel.indexOf('}:', open);
    if (close < 0) return undefined;
    const kind = channel.slice(close + 2);
    if (kind !== 'events' && kind !== 'metrics') return undefined;
    return { site: channel.slice(open + 1, close), kind };
  }

  /** Hash of API keys: SHA-256 digest (hex) → key record JSON (name, scopes, expiry). Never the key itself. */
  apiKeys(): string {
    return `${this.prefix}:{_auth}:keys`;
  }
  /** Hash of API key names → digest, so names are unique and a key can be revoked by name. */
  apiKeyNames(): string {
    return `${this.prefix}:{_auth}:names`;
  }
  /** Pub/sub channel of control messages to every gateway (key revocations); apart from data channels. */
  control(): string {
    return `${this.prefix}:control`;
  }
}
