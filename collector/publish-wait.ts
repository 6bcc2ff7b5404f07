// PUBLISH_WAIT_REPLICAS and PUBLISH_WAIT_TIMEOUT_MS as the bus takes them. Refused on a Redis
// Cluster: a WAIT counts the replicas of the node it is sent to, so it would have to reach every
// node that took a batch's writes, which ioredis's Cluster does not expose; better a clear refusal
// at start-up than a setting that silently vouches for one node's writes.
import type { ReplicaWaitOptions } from '../shared/bus/replica-wait.ts';
import { ConfigError, type CollectorConfig } from '../shared/config.ts';

type PublishWaitConfig = Pick<CollectorConfig, 'PUBLISH_WAIT_REPLICAS' | 'PUBLISH_WAIT_TIMEOUT_MS' | 'REDIS_CLUSTER_NODES'>;

/** The bus's waitReplicas option; undefined when not asked for. Throws a ConfigError on a cluster. */
export function publishWait(config: PublishWaitConfig): ReplicaWaitOptions | undefined {
  if (config.PUBLISH_WAIT_REPLICAS === 0) return undefined;
  if (config.REDIS_CLUSTER_NODES?.length) {
    throw new ConfigError('Invalid configuration:\n  PUBLISH_WAIT_REPLICAS: not supported with REDIS_CLUSTER_NODES (a WAIT only counts the replicas of the node it reaches); unset it, or use one Redis or Sentinel');
  }
  return { replicas: config.PUBLISH_WAIT_REPLICAS, timeoutMs: config.PUBLISH_WAIT_TIMEOUT_MS };
}
