// vitest globalSetup: one Redis for the run, chosen as REDIS_URL (an existing server) →
// testcontainers' Redis (where a Docker engine answers) → a private local redis-server.
// Tests read the URL with inject('redisUrl') and isolate themselves with a random key prefix.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { RedisServer } from '../support/redis-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

async function dockerRedis(): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
  } catch {
    return undefined; // No Docker engine: rejects within milliseconds.
  }
  const { RedisContainer } = await import('@testcontainers/redis');
  const container = await new RedisContainer('redis:7-alpine').start();
  return { url: container.getConnectionUrl(), stop: async () => void (await container.stop()) };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
    return async () => undefined;
  }
  const docker = await dockerRedis();
  if (docker) {
    project.provide('redisUrl', docker.url);
    return docker.stop;
  }
  const server = await RedisServer.start();
  project.provide('redisUrl', server.url);
  return () => server.dispose();
}
