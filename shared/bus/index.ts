// The bus seam: interface, key names and both implementations.
export * from './bus.ts';
export * from './keys.ts';
export { MemoryBus } from './bus-memory.ts';
export { RedisBus, type RedisBusOptions } from './bus-redis.ts';
export { MemoryUsageStore } from './usage-memory.ts';
export * from './stream-id.ts';
export * from './usage.ts';
export { createRedisClient, describeTarget, redisTarget, type RedisClient, type RedisTarget } from './redis-connection.ts';
