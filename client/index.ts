// The client SDK's public surface. Everything else in client/ is internal.
export { LicmonClient } from './licmon-client.ts';
export type { ClosedBecause, ConnectionState, LicmonClientEvents, LicmonClientOptions, StateChange } from './licmon-client.ts';
export type { AuthMethod, EndpointName, WebSocketConstructor, WebSocketLike } from './socket.ts';
export { RECONNECT_DEFAULTS } from './backoff.ts';
export type {
  AlertMessage, ErrorMessage, Filter, Level, LogMessage, MetricsMessage, ServerMessage,
} from '../shared/protocol/index.ts';
