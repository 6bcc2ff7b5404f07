// Alert state in Redis, shared by every collector of a farm: one hash per scope (alert key →
// the alert as it fired, JSON) and one hash of consecutive poll failures per server. HSETNX and
// HGET+HDEL in MULTI are the atomic test-and-set the AlertState contract asks for; each touches
// one key, so they work the same on a Redis Cluster.
import type { RedisClient } from '../../shared/bus/index.ts';
import type { CollectorKeys } from '../collector-keys.ts';
import type { AlertSpec, AlertState } from './alert-state.ts';

export class RedisAlertState implements AlertState {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: CollectorKeys,
  ) {}

  async firing(scope: string): Promise<ReadonlySet<string>> {
    return new Set(await this.redis.hkeys(this.keys.alerts(scope)));
  }

  async fire(scope: string, alert: AlertSpec): Promise<boolean> {
    return (await this.redis.hsetnx(this.keys.alerts(scope), alert.key, JSON.stringify(alert))) === 1;
  }

  async resolve(scope: string, key: string): Promise<AlertSpec | undefined> {
    const replies = await this.redis.multi().hget(this.keys.alerts(scope), key).hdel(this.keys.alerts(scope), key).exec();
    const [[, json], [, removed]] = (replies ?? [[null, null], [null, 0]]) as [[unknown, string | null], [unknown, number]];
    return removed === 1 && json ? (JSON.parse(json) as AlertSpec) : undefined;
  }

  async countFailure(server: string): Promise<number> {
    return this.redis.hincrby(this.keys.pollFailures(), server, 1);
  }

  async clearFailures(server: string): Promise<void> {
    await this.redis.hdel(this.keys.pollFailures(), server);
  }
}
