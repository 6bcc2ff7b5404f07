// The bus's Lua scripts (scripts/*.lua: publishing, the input leases and checkpoints, and recording
// usage history) and how they reach Redis. On one server: EVALSHA, which
// ioredis turns into EVAL on each new connection (a restarted Redis has forgotten its scripts). On
// a Redis Cluster the script text goes with every call (EVAL, comments stripped): there, when a
// node restarts mid-stream, ioredis's EVALSHA fallback can fail for good with NOSCRIPT, and those
// messages would be lost.
import { readFileSync } from 'node:fs';
import type { RedisClient } from './redis-connection.ts';

const load = (name: string) => readFileSync(new URL(`./scripts/${name}.lua`, import.meta.url), 'utf8');
const SCRIPTS = {
  licmonPublishEvent: { lua: load('publish-event'), numberOfKeys: 5 },
  licmonPublishMetrics: { lua: load('publish-metrics'), numberOfKeys: 2 },
  licmonClaimInput: { lua: load('claim-input'), numberOfKeys: 3 },
  licmonCommitCheckpoint: { lua: load('commit-checkpoint'), numberOfKeys: 2 },
  // As many keys as the poll has features: the count goes first in each call.
  licmonRecordUsage: { lua: load('record-usage'), numberOfKeys: undefined },
} as const;
type ScriptName = keyof typeof SCRIPTS;
type Arg = string | number;
type DefinedCommands = Record<ScriptName, (...args: Arg[]) => Promise<unknown>>;

export class PublishScripts {
  private readonly compact: Record<ScriptName, string>;

  constructor(private readonly client: RedisClient, private readonly alwaysEval: boolean) {
    if (!alwaysEval) for (const [name, { lua, numberOfKeys }] of Object.entries(SCRIPTS)) client.defineCommand(name, numberOfKeys === undefined ? { lua } : { lua, numberOfKeys });
    const strip = (lua: string) => lua.replace(/^\s*--.*\n/gm, '');
    this.compact = Object.fromEntries(Object.entries(SCRIPTS).map(([name, { lua }]) => [name, strip(lua)])) as Record<ScriptName, string>;
  }

  /** publish-event.lua: KEYS stream, events channel, epoch, producers, active alerts; returns the id. */
  async event(keys: readonly [string, string, string, string, string], args: readonly Arg[]): Promise<string> {
    return String(await this.run('licmonPublishEvent', keys, args));
  }

  /** publish-metrics.lua: KEYS latest hash, metrics channel. */
  async metrics(keys: readonly [string, string], args: readonly Arg[]): Promise<void> {
    await this.run('licmonPublishMetrics', keys, args);
  }

  /** claim-input.lua: KEYS lease, checkpoint, producers; null when another holds the lease. */
  async claimInput(keys: readonly [string, string, string], args: readonly Arg[]): Promise<[checkpoint: string, seq: string] | null> {
    return (await this.run('licmonClaimInput', keys, args)) as [string, string] | null;
  }

  /** commit-checkpoint.lua: KEYS lease, checkpoint; false when the lease is not the caller's. */
  async commitCheckpoint(keys: readonly [string, string], args: readonly Arg[]): Promise<boolean> {
    return Number(await this.run('licmonCommitCheckpoint', keys, args)) === 1;
  }

  /** record-usage.lua: KEYS an hour hash and a servers set per feature. */
  async usage(keys: readonly string[], args: readonly Arg[]): Promise<void> {
    await this.run('licmonRecordUsage', keys, args);
  }

  private run(name: ScriptName, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    if (this.alwaysEval) return this.client.eval(this.compact[name], keys.length, ...keys, ...args);
    const counted = SCRIPTS[name].numberOfKeys === undefined ? [keys.length] : [];
    return (this.client as unknown as DefinedCommands)[name](...counted, ...keys, ...args);
  }
}
