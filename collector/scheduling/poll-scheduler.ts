// Who runs the polled sources and when. Two implementations: LocalScheduler (timers in this
// process: the simulator, the all-in-one, a host's own metrics) and BullScheduler (one BullMQ
// job scheduler entry per source in Redis, shared by every collector of a farm: each poll runs
// once, on whichever collector is free).
import type { ProducerSequence } from '../../shared/bus/index.ts';
import type { StreamMessage } from '../../shared/protocol/index.ts';
import type { PolledSource } from '../sources/source.ts';

/** Where a scheduler hands what a poll produced; `origin` is the source's name; `producer` see Bus.publish. */
export type PublishFn = (message: StreamMessage, origin: string, producer?: ProducerSequence) => void;

export interface PollScheduler {
  /**
   * Poll exactly these sources from now on (matched by name): new ones start, missing ones stop,
   * a source whose object or interval changed is rescheduled.
   */
  schedule(sources: readonly PolledSource[]): Promise<void>;
  /** Stop polling; in-flight polls are aborted and their results dropped. */
  stop(): Promise<void>;
}
