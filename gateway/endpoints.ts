// The three WebSocket endpoints and what each carries. /ws/logs carries logs only (the spec's
// Python and Go clients read every frame as a log), /ws/metrics snapshots, /ws/combined all three.

export const KIND_LOG = 1;
export const KIND_ALERT = 2;
export const KIND_METRICS = 4;

export interface Endpoint {
  readonly name: 'logs' | 'metrics' | 'combined';
  readonly path: string;
  /** Bit set of KIND_* this endpoint delivers. */
  readonly kinds: number;
}

export const ENDPOINTS: readonly Endpoint[] = [
  { name: 'logs', path: '/ws/logs', kinds: KIND_LOG },
  { name: 'metrics', path: '/ws/metrics', kinds: KIND_METRICS },
  { name: 'combined', path: '/ws/combined', kinds: KIND_LOG | KIND_ALERT | KIND_METRICS },
];
export type EndpointName = Endpoint['name'];
