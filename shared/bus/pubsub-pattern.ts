// Pub/sub on one Redis server: a connection of its own (a subscribed connection can run nothing
// else) with one PSUBSCRIBE on every site's channels, so a new site is heard from its first message.
import type { Redis } from 'ioredis';
import type { PubSub, PubSubContext } from './pubsub.ts';

export class PatternPubSub implements PubSub {
  readonly publishCommand = 'PUBLISH';

  constructor(private readonly sub: Redis) {}

  get ready(): boolean {
    return this.sub.status === 'ready';
  }

  onStateChange(listener: () => void): void {
    for (const event of ['ready', 'close', 'end', 'reconnecting']) this.sub.on(event, listener);
  }

  async connect(): Promise<void> {
    await this.sub.connect();
  }

  async start({ keys, deliver }: PubSubContext): Promise<void> {
    this.sub.on('pmessage', (_pattern: string, channel: string, json: string) => {
      const route = keys.parseChannel(channel);
      if (route) deliver({ kind: route.kind, stream: route.site, json });
    });
    // ioredis subscribes again by itself after a reconnect.
    await this.sub.psubscribe(keys.channelPattern());
  }

  close(): void {
    this.sub.disconnect();
  }
}
