// Polls on timers in this process: each source at a fixed rate, never overlapping itself, a
// poll aborted when it overruns its interval. A failing poll is logged and the next runs on time.
import type { Logger } from '../../shared/logger.ts';
import { CollectorStopping, type PolledSource } from '../sources/source.ts';
import type { PollScheduler, PublishFn } from './poll-scheduler.ts';

interface Running {
  readonly source: PolledSource;
  stop(): Promise<void>;
}

export class LocalScheduler implements PollScheduler {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly publish: PublishFn,
    private readonly logger: Logger,
  ) {}

  async schedule(sources: readonly PolledSource[]): Promise<void> {
    const wanted = new Map(sources.map((s) => [s.name, s]));
    const stops: Array<Promise<void>> = [];
    for (const [name, running] of this.running) {
      if (wanted.get(name) === running.source) continue;
      this.running.delete(name);
      stops.push(running.stop());
    }
    await Promise.all(stops);
    for (const source of sources) if (!this.running.has(source.name)) this.running.set(source.name, this.start(source));
  }

  async stop(): Promise<void> {
    await this.schedule([]);
  }

  private start(source: PolledSource): Running {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let controller: AbortController | undefined;
    let current: Promise<void> = Promise.resolve();

    const pollOnce = async () => {
      const startedAt = Date.now();
      controller = new AbortController();
      const overrun = setTimeout(() => controller?.abort(new Error(`poll took longer than ${source.intervalMs} ms`)), source.intervalMs);
      try {
        const messages = await source.poll(controller.signal);
        if (!stopped) for (const message of messages) this.publish(message, source.name);
      } catch (err) {
        if (!stopped) this.logger.warn({ source: source.name, err }, 'poll failed');
      } finally {
        clearTimeout(overrun);
      }
      if (!stopped) timer = setTimeout(run, Math.max(0, source.intervalMs - (Date.now() - startedAt)));
    };
    const run = () => {
      current = pollOnce();
    };
    run();

    return {
      source,
      async stop() {
        stopped = true;
        clearTimeout(timer);
        controller?.abort(new CollectorStopping());
        await current;
      },
    };
  }
}
