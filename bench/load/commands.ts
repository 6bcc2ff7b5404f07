// What the bench runner and its load-generator workers say to each other over the IPC channel.
import type { ConnectionTarget } from './ws-connection.ts';

export interface GroupSpec {
  readonly name: string;
  readonly count: number;
  /** Text frames each connection sends once its stream is open (subscribe, configure, ping). */
  readonly setup: readonly string[];
  /**
   * Replace `{n}` in the setup frames by a number of each connection's own (unique across workers
   * and opens), so each connection can hold a filter of its own (the filter-churn scenario).
   */
  readonly numbered?: boolean;
}

export interface OpenCommand {
  readonly cmd: 'open';
  readonly target: ConnectionTarget;
  readonly groups: readonly GroupSpec[];
  /** Source addresses (127.0.0.x) to spread the connections over. */
  readonly localAddresses: readonly string[];
  /** These connections sample latency (they are opened in a worker of their own). */
  readonly probe: boolean;
  /** Record first/last arrival per connection (metrics interval checks). */
  readonly timeArrivals: boolean;
  /** Handshakes in flight at once. */
  readonly concurrency: number;
  readonly timeoutMs: number;
}

export type Command =
  | OpenCommand
  | { readonly cmd: 'reset' }
  | { readonly cmd: 'stats'; readonly intervals: boolean }
  | { readonly cmd: 'pause'; readonly group: string }
  | { readonly cmd: 'resume'; readonly group: string }
  /**
   * Close every connection: all at once, or with `inFlight`, that many leaving at a time, each
   * with a close handshake the server answers (a steady stream of leaves at the server's pace).
   */
  | { readonly cmd: 'closeAll'; readonly inFlight?: number };

export type Request = Command & { readonly id: number };

export interface OpenResult {
  readonly opened: number;
  readonly failed: number;
  readonly errors: readonly string[];
  readonly ms: number;
}

export interface GroupStats {
  readonly conns: number;
  /** Connections still open. */
  readonly open: number;
  /** Data frames since the last reset. */
  readonly frames: number;
  /** Open or closed connections that received at least one frame since the last reset. */
  readonly reached: number;
  /** Connections the server closed, by close code (1006: no close frame). */
  readonly closeCodes: Readonly<Record<string, number>>;
}

export interface StatsResult {
  readonly groups: Readonly<Record<string, GroupStats>>;
  /** Latency samples (µs) since the last stats or reset. */
  readonly samples: readonly number[];
  /** Mean interval between frames (ms) of every connection with two frames or more, per group. */
  readonly intervals?: Readonly<Record<string, readonly number[]>>;
}

export interface Reply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}
