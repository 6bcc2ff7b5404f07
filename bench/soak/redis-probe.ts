// What the soak reads off Redis each sample: its memory, the length of every stream (each site's
// history, trimmed by the publishers), and how many keys there are — leaving out usage history,
// which grows by design until USAGE_HISTORY_DAYS.
import { Redis } from 'ioredis';

export interface RedisSample {
  readonly usedMemoryBytes: number;
  /** The sum of every stream's length. */
  readonly streamEntries: number;
  readonly streams: number;
  /** Keys other than usage history. */
  readonly keys: number;
}

export class RedisProbe {
  private readonly redis: Redis;

  constructor(url: string) {
    this.redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  }

  async sample(): Promise<RedisSample> {
    const info = await this.redis.info('memory');
    const usedMemoryBytes = Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
    let keys = 0;
    const streamKeys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of batch) if (!key.includes(':usage:')) keys++;
      const types = await Promise.all(batch.map((key) => this.redis.type(key)));
      batch.forEach((key, i) => {
        if (types[i] === 'stream') streamKeys.push(key);
      });
    } while (cursor !== '0');
    const lengths = await Promise.all(streamKeys.map((key) => this.redis.xlen(key)));
    return { usedMemoryBytes, streamEntries: lengths.reduce((a, b) => a + b, 0), streams: streamKeys.length, keys };
  }

  close(): void {
    this.redis.disconnect();
  }
}
