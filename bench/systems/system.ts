// A system under test: the processes serving WebSockets, how a client talks to them, and where
// their messages come from. Launchers are in launch.ts.
import type { Filter } from '../../shared/protocol/index.ts';
import type { ConnectionTarget, WireProtocol } from '../load/ws-connection.ts';
import type { MessageSource } from '../workload/message-source.ts';

export const SYSTEM_IDS = ['gateway', 'ceiling', 'ws-ioredis', 'socketio-redis'] as const;
export type SystemId = (typeof SYSTEM_IDS)[number];

export const SYSTEM_LABELS: Readonly<Record<SystemId, string>> = {
  gateway: 'this gateway (uWS.js + Redis)',
  ceiling: 'ceiling: bare uWS.js, no Redis',
  'ws-ioredis': 'peer: ws + ioredis',
  'socketio-redis': 'peer: Socket.IO + redis-adapter',
};

/** The ceiling app only sends log frames; every other system has the metrics stream. */
export const hasMetricsStream = (id: SystemId): boolean => id !== 'ceiling';

export type Endpoint = 'logs' | 'metrics';

/** What a connection asks for once its stream is open. */
export type Subscription = { readonly filter: Filter | null } | { readonly interval: number };

export interface SystemUnderTest {
  readonly id: SystemId;
  /** One port per server process (the scale scenario runs six gateways). */
  readonly ports: readonly number[];
  /** The processes serving WebSockets (measured for CPU and memory; pinned to the server core). */
  readonly serverPids: readonly number[];
  /** Other processes of the system (its Redis), measured for CPU. */
  readonly helperPids: readonly number[];
  /** False for the ceiling: it sends every frame to every client. */
  readonly filters: boolean;
  readonly source: MessageSource;
  target(endpoint: Endpoint, process?: number): ConnectionTarget;
  /** The text frames a connection sends to subscribe (or configure), then to learn it was handled. */
  setupFrames(subscription: Subscription): string[];
  /** Warnings and errors the server processes logged (pino level ≥ 40), for the report. */
  warnings(): string[];
  stop(): Promise<void>;
}

export type { WireProtocol };
