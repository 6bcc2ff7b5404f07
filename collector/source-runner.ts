// Runs a collector's sources and hands what they produce to the publisher: polled sources on
// their interval (fixed rate, never overlapping, a poll aborted when it overruns its interval),
// streaming sources from start() to stop(). A source that fails is logged and does not take the
// others down.
import type { Logger } from '../shared/logger.ts';
import type { Publisher } from './publisher.ts';
import type { PolledSource, Source } from './sources/source.ts';

export interface RunningSources {
  stop(): Promise<void>;
}

export async function runSources(sources: readonly Source[], publisher: Publisher, logger: Logger): Promise<RunningSources> {
  const stops: Array<() => Promise<void>> = [];
  for (const source of sources) {
    if (source.kind === 'polled') {
      stops.push(schedule(source, publisher, logger));
      continue;
    }
    try {
      await source.start((message) => publisher.publish(message, source.name));
      stops.push(() => source.stop());
    } catch (err) {
      logger.error({ source: source.name, err: errorText(err) }, 'source failed to start');
    }
  }
  return {
    async stop() {
      await Promise.all(stops.map((stop) => stop()));
    },
  };
}

function schedule(source: PolledSource, publisher: Publisher, logger: Logger): () => Promise<void> {
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
      if (!stopped) for (const message of messages) publisher.publish(message, source.name);
    } catch (err) {
      if (!stopped) logger.warn({ source: source.name, err: errorText(err) }, 'poll failed');
    } finally {
      clearTimeout(overrun);
    }
    if (!stopped) timer = setTimeout(run, Math.max(0, source.intervalMs - (Date.now() - startedAt)));
  };
  const run = () => {
    current = pollOnce();
  };
  run();

  return async () => {
    stopped = true;
    clearTimeout(timer);
    controller?.abort(new Error('collector stopping'));
    await current;
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
