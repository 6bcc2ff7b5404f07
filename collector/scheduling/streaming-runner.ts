// Runs streaming sources (debug-log tailers, the simulator's events) from start() to stop(),
// matched by name so a configuration reload restarts only what changed. A source that fails to
// start is logged and does not take the others down.
import type { Logger } from '../../shared/logger.ts';
import type { StreamingSource } from '../sources/source.ts';
import type { PublishFn } from './poll-scheduler.ts';

export class StreamingRunner {
  private readonly running = new Map<string, StreamingSource>();

  constructor(
    private readonly publish: PublishFn,
    private readonly logger: Logger,
  ) {}

  async run(sources: readonly StreamingSource[]): Promise<void> {
    const wanted = new Map(sources.map((s) => [s.name, s]));
    const stops: Array<Promise<void>> = [];
    for (const [name, source] of this.running) {
      if (wanted.get(name) === source) continue;
      this.running.delete(name);
      stops.push(source.stop());
    }
    await Promise.all(stops);
    for (const source of sources) {
      if (this.running.has(source.name)) continue;
      try {
        await source.start((message, producer) => this.publish(message, source.name, producer));
        this.running.set(source.name, source);
      } catch (err) {
        this.logger.error({ source: source.name, err }, 'source failed to start');
      }
    }
  }

  async stop(): Promise<void> {
    await this.run([]);
  }
}
