// The source seam: everything a collector watches is a Source, and the runner
// (source-runner.ts) turns each into published messages. Two kinds cover every real source:
//
// - polled: asked on a schedule for what it sees now — FlexLM `lmstat`, RLM `rlmstat`, host
//   metrics, the simulator's snapshots. poll() is one self-contained unit of work, so it can
//   later run as a BullMQ job on whichever collector picks it up.
// - streaming: pushes messages as things happen — tailing a FlexLM debug log, the simulator's
//   license events. It runs where its input is (e.g. on the host that has the log file).
//
// Sources build messages in the shared protocol's shapes but are not trusted: the publisher
// validates every message before it reaches the bus.
import type { ProducerSequence } from '../../shared/bus/index.ts';
import type { StreamMessage } from '../../shared/protocol/index.ts';

/** Hand a message to the publisher; `producer` numbers it for de-duplication (see Bus.publish). */
export type Emit = (message: StreamMessage, producer?: ProducerSequence) => void;

export interface PolledSource {
  readonly kind: 'polled';
  /** Unique among a collector's sources, e.g. `lmstat:flexlm-berlin-01`; used in logs and job ids. */
  readonly name: string;
  readonly intervalMs: number;
  /**
   * Look once and answer what to publish. Must give up when `signal` aborts (the runner aborts a
   * poll that overruns its interval). A rejection is a failed poll: logged, and the next one
   * runs on schedule.
   */
  poll(signal: AbortSignal): Promise<StreamMessage[]>;
}

export interface StreamingSource {
  readonly kind: 'streaming';
  readonly name: string;
  /** Begin watching; call `emit` for every message, in order, until stop(). */
  start(emit: Emit): Promise<void>;
  /** Stop watching and release what start() took (timers, file handles, child processes). */
  stop(): Promise<void>;
}

export type Source = PolledSource | StreamingSource;

/**
 * The abort reason of a poll cut short because the collector is stopping — not the poll's fault
 * (nor the server's), unlike a poll aborted for overrunning its interval.
 */
export class CollectorStopping extends Error {
  override name = 'CollectorStopping';
  constructor() {
    super('collector stopping');
  }
}
