// Least privilege on Redis: one ACL user per role, allowed only the commands, keys and channels
// that role uses (key and channel names from shared/bus/keys.ts and collector-keys' prefix).
// `licmon redis-acl` renders them as a Redis ACL file (deploy/redis/users.acl is the compose one);
// test/integration/redis-acl.test.ts runs a gateway, a publisher and the key CLI under them.
//
// - gateway:   reads streams, epochs, latest snapshots, active alerts, usage history, the sites set
//              and API keys; writes only its presence (nodes, connections total); subscribes to
//              data channels and the control channel. It cannot publish, append to a stream or
//              touch a key record.
// - collector: publishes (the Lua scripts append to streams, set epochs and producers, keep the
//              active alerts, replace latest snapshots, PUBLISH/SPUBLISH), records usage history
//              (a Lua script: HGET, HSET, PEXPIRE, SADD on the usage keys), announces sites, holds
//              the debug logs' leases and checkpoints (the input keys), and keeps its own state
//              (alerts, poll failures, BullMQ queues) under its prefixes. It cannot read API keys
//              or subscribe to anything.
// - admin:     `licmon keys`: creates, lists and revokes API keys and announces revocations.
//
// A replicated Redis (Sentinel) also needs users of its own, which no licmon process uses:
// - replica:   a replica syncs from its master (`masteruser`): PSYNC, REPLCONF, PING.
// - sentinel:  a Sentinel monitors every node and reconfigures them at a failover (`sentinel
//              auth-user`): Redis' documented minimum, with its hello channel for the only
//              channel (the documented example allows every channel).
import { createHash } from 'node:crypto';
import { BusKeys } from '../bus/keys.ts';

export const ACL_ROLES = ['gateway', 'collector', 'admin'] as const;
export type AclRole = (typeof ACL_ROLES)[number];

/** The users Redis' own replicas and Sentinels connect as: a file has them only when given their passwords. */
export const ACL_SERVER_ROLES = ['replica', 'sentinel'] as const;
export type AclServerRole = (typeof ACL_SERVER_ROLES)[number];

/**
 * Every role's password, but a Redis without replicas needs no replica or Sentinel user, and an
 * enabled user nobody uses is only one more password to guess.
 */
export type AclPasswords = Record<AclRole, string> & Partial<Record<AclServerRole, string>>;

/**
 * The passwords of deploy/redis/users.acl, which docker-compose.yml uses: for a local cluster only.
 * For anything else, generate a file with your own (`licmon redis-acl`).
 */
export const DEV_ACL_PASSWORDS: Readonly<Required<AclPasswords>> = {
  gateway: 'gateway-dev-password',
  collector: 'collector-dev-password',
  admin: 'admin-dev-password',
  replica: 'replica-dev-password',
  sentinel: 'sentinel-dev-password',
};

/** The Redis user name of a role. */
export const aclUser = (role: AclRole | AclServerRole): string => `licmon-${role}`;

/** Connection and cluster-discovery commands every client library sends (ioredis: INFO ready check; Cluster: CLUSTER SLOTS). */
const CONNECTION = ['+ping', '+info', '+client|setname', '+client|getname', '+client|id', '+cluster|slots', '+cluster|shards', '+readonly', '+select'];
/** ioredis runs a defined script with EVALSHA, and EVAL when Redis does not know it yet. */
const SCRIPTS = ['+evalsha', '+eval'];

/** The ACL rules (after `user NAME on <password>`) of each role, for the key prefix. */
export function aclRules(prefix: string): Record<AclRole, string[]> {
  const k = new BusKeys(prefix);
  const site = (key: string) => key.replace('{SITE}', '{*}');
  const stream = site(k.stream('SITE'));
  const epoch = site(k.epoch('SITE'));
  const producers = site(k.producers('SITE'));
  const latest = site(k.latest('SITE'));
  const activeAlerts = site(k.activeAlerts('SITE'));
  const events = site(k.events('SITE'));
  const metrics = site(k.metrics('SITE'));
  const inputs = site(k.inputCheckpoint('SITE', '*')).replace(/:checkpoint$/, '');
  return {
    gateway: [
      'resetkeys', 'resetchannels', '-@all', ...CONNECTION,
      '+psubscribe', '+punsubscribe', '+subscribe', '+unsubscribe', '+ssubscribe', '+sunsubscribe',
      '+multi', '+exec', '+discard',
      '+get', '+xrange', '+xrevrange', '+xinfo|stream', '+smembers', '+hvals', '+hget', '+hmget',
      '+hset', '+hgetall', '+hdel', '+incrby',
      `%R~${stream}`, `%R~${epoch}`, `%R~${latest}`, `%R~${activeAlerts}`, `%R~${k.usagePattern()}`, `%R~${k.sites()}`, `%R~${k.apiKeys()}`,
      `~${k.nodes()}`, `~${k.connectionsTotal()}`,
      // PSUBSCRIBE's pattern must appear literally; it matches only the events and metrics channels.
      `&${k.channelPattern()}`, `&${events}`, `&${metrics}`, `&${k.newSites()}`, `&${k.control()}`,
    ],
    collector: [
      'resetkeys', 'resetchannels', '-@all', ...CONNECTION, ...SCRIPTS,
      // What the publish scripts run, and the site announcement.
      '+get', '+set', '+hget', '+hset', '+hdel', '+pexpire', '+xadd', '+xtrim', '+time', '+publish', '+spublish', '+sadd',
      // The farm roll-up reads back every site's latest snapshots (Bus.latestMetrics), which collectors write.
      '+smembers', '+hvals',
      `~${stream}`, `~${epoch}`, `~${producers}`, `~${latest}`, `~${activeAlerts}`, `~${k.usagePattern()}`, `~${k.sites()}`, `~${inputs}`,
      // The scripts declare their channels among their keys (Redis Cluster routes by them), so the
      // channel names are allowed as key names too; no such keys exist.
      `~${events}`, `~${metrics}`,
      `&${events}`, `&${metrics}`, `&${k.newSites()}`,
      // A lease given up on a clean stop is deleted (commit-checkpoint.lua): DEL on those keys only.
      `(~${inputs} +del)`,
      // A selector for the collectors' own state (alerts, poll failures, BullMQ queues): whatever
      // commands BullMQ needs (its scripts use most data types), but only on those keys.
      `(~${prefix}:alerts:* ~${prefix}:poll-failures ~${prefix}:{queues}:* +@all -@dangerous)`,
    ],
    admin: [
      'resetkeys', 'resetchannels', '-@all', ...CONNECTION, ...SCRIPTS,
      '+hget', '+hvals', '+hsetnx', '+hset', '+hdel', '+publish',
      `~${k.apiKeys()}`, `~${k.apiKeyNames()}`, `&${k.control()}`,
    ],
  };
}

/** The ACL rules of the replica and Sentinel users: no keys, whatever the prefix. */
const SERVER_RULES: Record<AclServerRole, string[]> = {
  replica: ['resetkeys', 'resetchannels', '-@all', '+psync', '+replconf', '+ping'],
  sentinel: [
    'resetkeys', 'resetchannels', '-@all', '+ping', '+info', '+role', '+client|setname', '+client|kill', '+multi', '+exec',
    '+slaveof', '+config|rewrite', '+script|kill', '+subscribe', '+publish', '&__sentinel__:hello',
  ],
};

/**
 * A Redis ACL file: the default user may only PING (health checks), each role's user has its
 * rules and its password, stored as a SHA-256 hash (`#…`), never in plaintext; the replica and
 * Sentinel users follow when their passwords are given.
 */
export function renderAclFile(prefix: string, passwords: AclPasswords): string {
  const rules = aclRules(prefix);
  const user = (role: AclRole | AclServerRole, password: string, roleRules: string[]) =>
    `user ${aclUser(role)} on #${createHash('sha256').update(password).digest('hex')} ${roleRules.join(' ')}`;
  // An ACL file has no comments: what it is and how it was made is said in README.md, "Redis ACL users".
  const lines = [
    'user default on nopass resetkeys resetchannels -@all +ping',
    ...ACL_ROLES.map((role) => user(role, passwords[role], rules[role])),
    ...ACL_SERVER_ROLES.flatMap((role) => (passwords[role] === undefined ? [] : [user(role, passwords[role], SERVER_RULES[role])])),
  ];
  return `${lines.join('\n')}\n`;
}
