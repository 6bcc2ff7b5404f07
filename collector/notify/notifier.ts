// Alert notifications through a BullMQ queue: every alert the collector publishes becomes one
// job per channel that wants it; every collector is a worker that delivers them. Delivery is
// retried with exponential backoff (the farm's `notifications.retry`), and jobs that exhaust
// their attempts stay in the queue's failed list for an operator to inspect and retry. Queuing
// is fire-and-forget: a slow or failing receiver never holds up the stream.
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { createRedisClient, type RedisClient, type RedisTarget } from '../../shared/bus/index.ts';
import type { Logger } from '../../shared/logger.ts';
import type { AlertMessage } from '../../shared/protocol/index.ts';
import type { Notifications } from '../farm/notifications-config.ts';
import { buildChannels, type Channel } from './channel.ts';

export const NOTIFICATION_QUEUE = 'notifications';

interface NotificationJobData {
  readonly channel: string;
  readonly alert: AlertMessage;
}

export interface NotifierOptions {
  /** One Redis server or a Redis Cluster (BullMQ takes either client). */
  readonly redis: RedisTarget;
  /** BullMQ key prefix (CollectorKeys.queuePrefix): its hash tag keeps a queue in one cluster slot. */
  readonly prefix: string;
  readonly logger: Logger;
  /** Deliveries this collector runs at once. */
  readonly concurrency?: number;
}

export class Notifier {
  private channels: Channel[] = [];
  private retry: Notifications['retry'] = { attempts: 1, backoff: 1000 };
  private readonly queue: Queue<NotificationJobData>;
  private readonly worker: Worker<NotificationJobData>;
  private readonly connections: RedisClient[];

  constructor(private readonly options: NotifierOptions) {
    const connect = () => createRedisClient(options.redis, { maxRetriesPerRequest: null });
    this.connections = [connect(), connect()];
    this.queue = new Queue<NotificationJobData>(NOTIFICATION_QUEUE, { connection: this.connections[0]!, prefix: options.prefix });
    this.worker = new Worker<NotificationJobData>(NOTIFICATION_QUEUE, (job) => this.deliver(job), {
      connection: this.connections[1]!,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 4,
    });
    this.worker.on('failed', (job, err) => {
      const exhausted = job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1);
      options.logger.warn({ channel: job?.data.channel, key: job?.data.alert.key, attempt: job?.attemptsMade, err }, exhausted ? 'notification failed for good (kept in the failed list)' : 'notification failed; will retry');
    });
    this.worker.on('error', (err) => options.logger.warn({ err }, 'notification worker error'));
    for (const c of this.connections) c.on('error', (err: Error) => options.logger.warn({ err }, 'notification queue redis error'));
  }

  /** Take the farm's (new) notification settings. */
  configure(config: Notifications): void {
    for (const channel of this.channels) channel.close?.();
    this.channels = buildChannels(config);
    this.retry = config.retry;
  }

  get channelNames(): string[] {
    return this.channels.map((c) => c.name);
  }

  /** Queue the alert for every channel that wants it; never waits for, or fails on, delivery. */
  notify(alert: AlertMessage): void {
    for (const channel of this.channels) {
      if (!channel.accepts(alert)) continue;
      this.queue
        .add('deliver', { channel: channel.name, alert }, {
          attempts: this.retry.attempts,
          backoff: { type: 'exponential', delay: this.retry.backoff },
          removeOnComplete: { count: 1000 },
          removeOnFail: false,
        })
        .catch((err: unknown) => this.options.logger.error({ channel: channel.name, key: alert.key, err }, 'could not queue a notification'));
    }
  }

  /** The queue, for inspection (failed list, counts). */
  get jobs(): Queue<NotificationJobData> {
    return this.queue;
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
    for (const channel of this.channels) channel.close?.();
    for (const c of this.connections) c.disconnect();
  }

  private async deliver(job: Job<NotificationJobData>): Promise<void> {
    const channel = this.channels.find((c) => c.name === job.data.channel);
    // Removed from the configuration since it was queued: retrying cannot help.
    if (!channel) throw new UnrecoverableError(`no notification channel named ${job.data.channel} any more`);
    await channel.deliver(job.data.alert);
  }
}
