// Polls as BullMQ jobs, shared by every collector of a farm. Each source is one job scheduler
// entry (`upsertJobScheduler(name, { every })` in one queue), so the schedule exists once in Redis
// however many collectors run; every collector is a worker and takes the next due poll when it
// has a free slot (COLLECTOR_CONCURRENCY). BullMQ creates a source's next job when a worker picks
// up the current one, so a collector that dies mid-poll does not stop the schedule; its job's
// lock expires (COLLECTOR_LOCK_MS) and the stalled-job check gives it to another collector.
// A job that comes up more than one interval late is skipped: its successor is already queued.
// A collector stopping hands its running polls back to the queue for another collector.
import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import { createRedisClient, type RedisClient, type RedisTarget } from '../../shared/bus/index.ts';
import type { Logger } from '../../shared/logger.ts';
import { CollectorStopping, type PolledSource } from '../sources/source.ts';
import type { PollScheduler, PublishFn } from './poll-scheduler.ts';

export const POLL_QUEUE = 'polls';

interface PollJobData {
  readonly source: string;
}

export interface BullSchedulerOptions {
  /** One Redis server or a Redis Cluster (BullMQ takes either client). */
  readonly redis: RedisTarget;
  /** BullMQ key prefix (CollectorKeys.queuePrefix): its hash tag keeps a queue in one cluster slot. */
  readonly prefix: string;
  readonly concurrency: number;
  readonly lockMs: number;
  readonly publish: PublishFn;
  readonly logger: Logger;
}

/** What BullMQ keeps of finished polls: nothing when they succeed, the last failures for a look. */
const JOB_OPTIONS = { attempts: 1, removeOnComplete: true, removeOnFail: { count: 500, age: 24 * 3600 } } as const;

export class BullScheduler implements PollScheduler {
  private sources = new Map<string, PolledSource>();
  private readonly inFlight = new Map<string, { controller: AbortController; job: Job<PollJobData>; token: string | undefined }>();
  private readonly queue: Queue<PollJobData>;
  private readonly worker: Worker<PollJobData>;
  private readonly connections: RedisClient[];
  private stopping = false;

  constructor(private readonly options: BullSchedulerOptions) {
    // BullMQ needs connections that retry forever (maxRetriesPerRequest: null) for its blocking reads.
    const connect = () => createRedisClient(options.redis, { maxRetriesPerRequest: null });
    this.connections = [connect(), connect()];
    this.queue = new Queue<PollJobData>(POLL_QUEUE, { connection: this.connections[0]!, prefix: options.prefix });
    this.worker = new Worker<PollJobData>(POLL_QUEUE, (job, token, signal) => this.process(job, token, signal), {
      connection: this.connections[1]!,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: Math.max(500, Math.floor(options.lockMs / 2)),
      maxStalledCount: 1,
      autorun: false,
    });
    this.worker.on('failed', (job, err) => options.logger.warn({ source: job?.data.source, err }, 'poll job failed'));
    this.worker.on('error', (err) => options.logger.warn({ err }, 'poll worker error'));
    for (const c of this.connections) c.on('error', (err: Error) => options.logger.warn({ err }, 'poll queue redis error'));
  }

  async schedule(sources: readonly PolledSource[]): Promise<void> {
    this.sources = new Map(sources.map((s) => [s.name, s]));
    for (const source of sources) {
      await this.queue.upsertJobScheduler(source.name, { every: source.intervalMs }, { name: 'poll', data: { source: source.name }, opts: JOB_OPTIONS });
    }
    for (const scheduler of await this.queue.getJobSchedulers(0, -1)) {
      if (!this.sources.has(scheduler.key)) await this.queue.removeJobScheduler(scheduler.key);
    }
    if (!this.worker.isRunning()) void this.worker.run().catch((err: unknown) => this.options.logger.error({ err }, 'poll worker stopped'));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const handedBack = [...this.inFlight.values()].map(async ({ controller, job, token }) => {
      controller.abort(new CollectorStopping());
      await job.moveToWait(token).catch(() => undefined);
    });
    await Promise.all(handedBack);
    await this.worker.close();
    await this.queue.close();
    for (const c of this.connections) c.disconnect();
  }

  private async process(job: Job<PollJobData>, token: string | undefined, jobSignal: AbortSignal | undefined): Promise<{ published: number } | { skipped: string }> {
    const source = this.sources.get(job.data.source);
    if (!source) throw new Error(`no source named ${job.data.source} in this collector's farm configuration`);
    // A scheduler job is created (timestamp) when its predecessor starts, delayed until it is due.
    const dueAt = job.timestamp + (job.opts.delay ?? 0);
    const late = Date.now() - dueAt;
    if (late > source.intervalMs) {
      this.options.logger.warn({ source: source.name, lateMs: late }, 'poll skipped: picked up more than an interval late (collectors overloaded?); the next one is queued');
      return { skipped: `due at ${new Date(dueAt).toISOString()}, superseded by the next poll` };
    }

    const controller = new AbortController();
    const overrun = setTimeout(() => controller.abort(new Error(`poll took longer than ${source.intervalMs} ms`)), source.intervalMs);
    const signal = jobSignal ? AbortSignal.any([controller.signal, jobSignal]) : controller.signal;
    this.inFlight.set(job.id!, { controller, job, token });
    try {
      const messages = await source.poll(signal);
      if (this.stopping) throw new WaitingError();
      for (const message of messages) this.options.publish(message, source.name);
      return { published: messages.length };
    } catch (err) {
      // Handed back to the queue by stop(): BullMQ leaves the job waiting for another collector.
      if (this.stopping) throw new WaitingError();
      throw err;
    } finally {
      clearTimeout(overrun);
      this.inFlight.delete(job.id!);
    }
  }
}
