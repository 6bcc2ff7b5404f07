import { describe, expect, it } from 'vitest';
import { publishWait } from '../../collector/publish-wait.ts';
import { CollectorConfigSchema, ConfigError, loadConfig } from '../../shared/config.ts';

const config = (env: Record<string, string>) => publishWait(loadConfig(CollectorConfigSchema, env));

describe('PUBLISH_WAIT_REPLICAS', () => {
  it('is off by default, and takes its timeout when set', () => {
    expect(config({})).toBeUndefined();
    expect(config({ PUBLISH_WAIT_REPLICAS: '1' })).toEqual({ replicas: 1, timeoutMs: 1000 });
    expect(config({ PUBLISH_WAIT_REPLICAS: '2', PUBLISH_WAIT_TIMEOUT_MS: '250', REDIS_SENTINELS: '127.0.0.1:26379' })).toEqual({ replicas: 2, timeoutMs: 250 });
  });

  it('refuses a timeout of 0 (WAIT would block for good) and a negative count', () => {
    expect(() => config({ PUBLISH_WAIT_REPLICAS: '1', PUBLISH_WAIT_TIMEOUT_MS: '0' })).toThrow(/PUBLISH_WAIT_TIMEOUT_MS="0"/);
    expect(() => config({ PUBLISH_WAIT_REPLICAS: '-1' })).toThrow(ConfigError);
  });

  it('is refused on a Redis Cluster, naming the setting', () => {
    expect(() => config({ PUBLISH_WAIT_REPLICAS: '1', REDIS_CLUSTER_NODES: '127.0.0.1:7000' })).toThrow(ConfigError);
    expect(() => config({ PUBLISH_WAIT_REPLICAS: '1', REDIS_CLUSTER_NODES: '127.0.0.1:7000' })).toThrow(/PUBLISH_WAIT_REPLICAS: not supported with REDIS_CLUSTER_NODES/);
    expect(config({ REDIS_CLUSTER_NODES: '127.0.0.1:7000' })).toBeUndefined();
  });
});
