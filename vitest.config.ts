import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global-build.ts', 'test/setup/global-redis.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Integration tests start real processes; on a 2-core machine two files at a time is plenty.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
